import type { Metadata } from "next";
import { ErrorBoundary } from "@/components/ui/error-boundary";
import { QueryPage } from "@/components/query/query-page";

export const metadata: Metadata = { title: "Query" };

type SearchParams = Record<string, string | string[] | undefined>;

/** The query explorer; its whole state is the query string (components/query/url-state.ts). */
export default async function Page({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(sp)) for (const x of Array.isArray(v) ? v : v === undefined ? [] : [v]) qs.append(k, x);
  return (
    <ErrorBoundary title="The query page failed">
      <QueryPage initialSearch={qs.toString()} />
    </ErrorBoundary>
  );
}
