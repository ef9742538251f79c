import type { Metadata } from "next";
import { ConfigView } from "@/components/status/config-page";
import { PageHeader, Section } from "@/components/ui/section";

export const metadata: Metadata = { title: "Configuration" };

export default function ConfigPage() {
  return (
    <>
      <PageHeader title="Configuration" />
      <Section errorTitle="Could not load the configuration" skeletonLines={12} testId="config-section">
        <ConfigView />
      </Section>
    </>
  );
}
