"use client";

// One error boundary per page section (Prometheus's mantine-ui wraps each
// section the same way), so a failing endpoint replaces only its own section
// with a readable message and a retry button instead of blanking the page.
// Retry also resets TanStack Query's error state, otherwise a Suspense query
// that failed would throw its cached error again on the next render.

import { QueryErrorResetBoundary } from "@tanstack/react-query";
import { Component, type ErrorInfo, type ReactNode } from "react";

interface Props {
  children: ReactNode;
  /** Heading of the error box, e.g. "Could not load targets". */
  title?: string;
}

interface InnerProps extends Props {
  onReset: () => void;
}

interface State {
  error: Error | null;
}

class Boundary extends Component<InnerProps, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // Keep the component stack in the console for whoever debugs it; the user sees the message.
    console.error(error, info.componentStack);
  }

  private retry = () => {
    this.props.onReset();
    this.setState({ error: null });
  };

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="error-box" role="alert" data-testid="error-boundary">
        <div className="error-box-text">
          <strong>{this.props.title ?? "Something went wrong"}</strong>
          <p data-testid="error-message">{describeError(error)}</p>
        </div>
        <button type="button" className="btn" onClick={this.retry}>
          Retry
        </button>
      </div>
    );
  }
}

/** A readable sentence for any thrown value; never an empty string. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name || "Unknown error";
  if (typeof error === "string" && error) return error;
  return "Unknown error";
}

export function ErrorBoundary({ children, title }: Props) {
  return (
    <QueryErrorResetBoundary>
      {({ reset }) => (
        <Boundary title={title} onReset={reset}>
          {children}
        </Boundary>
      )}
    </QueryErrorResetBoundary>
  );
}
