import type { Metadata } from "next";
import type { ReactNode } from "react";
import { ClockDriftBanner } from "@/components/ui/clock-drift-banner";
import { THEME_SCRIPT } from "@/components/ui/theme";
import { TopNav } from "@/components/ui/top-nav";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Vigil", template: "%s · Vigil" },
  description: "Self-hosted monitoring: metrics, PromQL, alerting and dashboards in one portal",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // The inline script sets data-theme before hydration, hence the warning suppression on <html>.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body>
        <Providers>
          <TopNav />
          <ClockDriftBanner />
          <main className="page">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
