import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // A self-contained server folder for deployments that copy .next/standalone.
  output: "standalone",
  // NEXT_DIST_DIR lets two builds of one checkout coexist (parallel e2e work); default .next.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // PGlite ships WASM and data files that the bundler must not touch; postgres and
  // snappy (a native addon) are plain Node packages loaded at run time.
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "snappy", "prom-client"],
  // Prometheus clients call /api/v1/write etc. without trailing slashes.
  skipTrailingSlashRedirect: true,
  // Remote write bodies are limited by our own handler (REMOTE_WRITE_MAX_BYTES).
  poweredByHeader: false,
  // Run lint and type checks from their own commands, not during `next build`.
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
