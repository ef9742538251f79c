"use client";

// A page section: its own error boundary and skeleton (STYLE.md §9), so one
// failing endpoint never blanks the page. Sections fetch in the browser only:
// during the server render there is no origin to call /api/v1 on, so the
// skeleton is what the server sends and the data arrives after hydration.

import { usePathname } from "next/navigation";
import { Suspense, useSyncExternalStore, type ReactNode } from "react";
import { ErrorBoundary } from "./error-boundary";
import { Skeleton } from "./skeleton";

const noop = () => () => {};

/** False during the server render and hydration, true afterwards. */
export function useIsClient(): boolean {
  return useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );
}

interface Props {
  children: ReactNode;
  /** Heading shown above the content (omit for sections that draw their own). */
  title?: ReactNode;
  /** Controls shown at the right of the heading. */
  actions?: ReactNode;
  /** Title of the error box. */
  errorTitle?: string;
  /** Skeleton lines while loading. */
  skeletonLines?: number;
  className?: string;
  testId?: string;
}

export function Section({ children, title, actions, errorTitle, skeletonLines = 4, className, testId }: Props) {
  const pathname = usePathname();
  const isClient = useIsClient();
  const fallback = (
    <div className="card">
      <Skeleton lines={skeletonLines} />
    </div>
  );
  return (
    <section className={`section${className ? " " + className : ""}`} data-testid={testId}>
      {(title || actions) && (
        <div className="section-head">
          {title && <h2>{title}</h2>}
          {actions && <div className="section-actions">{actions}</div>}
        </div>
      )}
      <ErrorBoundary key={pathname} title={errorTitle}>
        {isClient ? <Suspense fallback={fallback}>{children}</Suspense> : fallback}
      </ErrorBoundary>
    </section>
  );
}

/** The heading of a page. */
export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="page-header">
      <h1>{title}</h1>
      {children && <div className="page-header-extra">{children}</div>}
    </div>
  );
}
