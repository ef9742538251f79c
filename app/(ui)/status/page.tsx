import type { Metadata } from "next";
import { BuildInfoCard, RuntimeInfoCard } from "@/components/status/runtime-page";
import { PageHeader, Section } from "@/components/ui/section";

export const metadata: Metadata = { title: "Runtime & build information" };

export default function StatusPage() {
  return (
    <>
      <PageHeader title="Runtime & build information" />
      <div className="grid-2">
        <Section title="Runtime information" errorTitle="Could not load runtime information" skeletonLines={10} testId="runtime-section">
          <RuntimeInfoCard />
        </Section>
        <Section title="Build information" errorTitle="Could not load build information" skeletonLines={6} testId="build-section">
          <BuildInfoCard />
        </Section>
      </div>
    </>
  );
}
