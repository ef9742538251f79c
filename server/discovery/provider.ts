import type { TargetGroup } from "./target-group";

/**
 * A service discovery mechanism (Prometheus's `discovery.Discoverer`). `run`
 * sends groups through `up` whenever they change (only the changed groups
 * are required; a group with no targets removes its source) and resolves
 * when `signal` aborts.
 */
export interface Discoverer {
  run(signal: AbortSignal, up: (groups: TargetGroup[]) => void): Promise<void>;
}

/** Sleeps `ms`, resolving early (without error) when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
