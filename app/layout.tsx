import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: "Vigil",
  description: "Self-hosted monitoring: metrics, PromQL, alerting and dashboards in one portal",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <Link className="brand" href="/">
            <span className="brand-mark" aria-hidden />
            Vigil
          </Link>
        </header>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
