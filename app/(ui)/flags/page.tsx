import type { Metadata } from "next";
import { Suspense } from "react";
import { FlagsView } from "@/components/status/flags-page";
import { PageHeader, Section } from "@/components/ui/section";

export const metadata: Metadata = { title: "Command-line flags" };

export default function FlagsPage() {
  return (
    <>
      <PageHeader title="Command-line flags" />
      <Suspense>
        <Section errorTitle="Could not load the flags" skeletonLines={8} testId="flags-section">
          <FlagsView />
        </Section>
      </Suspense>
    </>
  );
}
