import type { Metadata } from "next";
import { Suspense } from "react";
import { TargetsView } from "@/components/targets/targets-page";
import { PageHeader, Section } from "@/components/ui/section";

export const metadata: Metadata = { title: "Targets" };

export default function TargetsPage() {
  return (
    <>
      <PageHeader title="Targets" />
      <Suspense>
        <Section errorTitle="Could not load targets" skeletonLines={8} testId="targets-section">
          <TargetsView />
        </Section>
      </Suspense>
    </>
  );
}
