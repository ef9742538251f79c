import type { Metadata } from "next";
import { Suspense } from "react";
import { TSDBStatusView } from "@/components/status/tsdb-page";
import { PageHeader, Section } from "@/components/ui/section";

export const metadata: Metadata = { title: "TSDB status" };

export default function TSDBStatusPage() {
  return (
    <>
      <PageHeader title="TSDB status" />
      <Suspense>
        <Section errorTitle="Could not load the TSDB status" skeletonLines={10} testId="tsdb-section">
          <TSDBStatusView />
        </Section>
      </Suspense>
    </>
  );
}
