import { Registry, collectDefaultMetrics } from "prom-client";

const KEY = Symbol.for("vigil.metrics.registry");
type Holder = { [KEY]?: Registry };

/**
 * Vigil's own metrics, exposed on GET /metrics. One registry per process,
 * kept on globalThis because Next.js may evaluate this module more than once.
 */
export function metricsRegistry(): Registry {
  const g = globalThis as Holder;
  if (!g[KEY]) {
    const r = new Registry();
    collectDefaultMetrics({ register: r, prefix: "vigil_" });
    g[KEY] = r;
  }
  return g[KEY];
}

/** Returns the metric registered under `name`, creating it with `make` the first time. */
export function singletonMetric<T>(name: string, make: (r: Registry) => T): T {
  const r = metricsRegistry();
  const existing = r.getSingleMetric(name);
  return (existing as T | undefined) ?? make(r);
}
