import { Histogram } from "prom-client";
import { singletonMetric } from "../metrics/registry";

const durations = singletonMetric(
  "vigil_http_request_duration_seconds",
  (r) =>
    new Histogram({
      name: "vigil_http_request_duration_seconds",
      help: "HTTP request durations by route handler.",
      labelNames: ["handler", "method", "code"] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [r],
    }),
);

/** Wraps a route handler so its durations land in vigil_http_request_duration_seconds{handler}. */
export function instrumented<A extends unknown[]>(
  handler: string,
  fn: (req: Request, ...rest: A) => Promise<Response>,
): (req: Request, ...rest: A) => Promise<Response> {
  return async (req, ...rest) => {
    const done = observeRequest(handler, req.method);
    let code = 500;
    try {
      const res = await fn(req, ...rest);
      code = res.status;
      return res;
    } finally {
      done(code);
    }
  };
}

/** Starts timing a request (also one served outside Next.js); call the result with the status code. */
export function observeRequest(handler: string, method: string): (code: number) => void {
  const stop = durations.startTimer({ handler, method });
  return (code) => stop({ code: String(code) });
}
