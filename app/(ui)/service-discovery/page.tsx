import type { Metadata } from "next";
import { Suspense } from "react";
import { ServiceDiscoveryView } from "@/components/service-discovery/sd-page";
import { PageHeader, Section } from "@/components/ui/section";

export const metadata: Metadata = { title: "Service discovery" };

export default function ServiceDiscoveryPage() {
  return (
    <>
      <PageHeader title="Service discovery">Labels before and after relabeling, per scrape pool</PageHeader>
      <Suspense>
        <Section errorTitle="Could not load discovered targets" skeletonLines={8} testId="sd-section">
          <ServiceDiscoveryView />
        </Section>
      </Suspense>
    </>
  );
}
