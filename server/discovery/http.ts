import "server-only";
// http_sd_configs, as Prometheus's discovery/http: GET the URL every
// `refresh_interval`, expect 200 and `application/json`, a list of
// `{targets, labels}`. Every group gets `__meta_url` and the source
// `<url>:<index>`; groups that disappear are sent empty. A failed refresh
// keeps the previous targets.

import type { HTTPSDConfig } from "@/server/config";
import { msToSeconds } from "@/server/promql/parser/duration";
import { newHTTPClient, readBody, statusText, USER_AGENT, type FetchLike } from "@/server/scrape/http-client";
import { sleep, type Discoverer } from "./provider";
import { parseTargetGroups, vanishedSources, type TargetGroup } from "./target-group";

export interface HTTPDiscovererOptions {
  fetch?: FetchLike;
  onError?: (err: unknown) => void;
}

export class HTTPDiscoverer implements Discoverer {
  private last: TargetGroup[] = [];
  private readonly fetch: FetchLike;

  constructor(
    private readonly cfg: HTTPSDConfig,
    private readonly opts: HTTPDiscovererOptions = {},
  ) {
    this.fetch = opts.fetch ?? newHTTPClient(cfg.httpClient);
  }

  /** One refresh: the changed groups, or throws. */
  async refresh(signal: AbortSignal): Promise<TargetGroup[]> {
    const res = await this.fetch(this.cfg.url, {
      headers: {
        Accept: "application/json",
        "User-Agent": USER_AGENT,
        "X-Prometheus-Refresh-Interval-Seconds": String(msToSeconds(this.cfg.refreshInterval)),
      },
      signal,
    });
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => {});
      throw new Error(`server returned HTTP status ${statusText(res)}`);
    }
    const ct = (res.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (ct !== "application/json") {
      await res.body?.cancel().catch(() => {});
      throw new Error(`unsupported content type ${JSON.stringify(res.headers.get("content-type") ?? "")}`);
    }
    const body = new TextDecoder().decode(await readBody(res, 0));
    const groups = parseTargetGroups(JSON.parse(body), this.cfg.url, { __meta_url: this.cfg.url });
    const changed = [...groups, ...vanishedSources(this.last, groups)];
    this.last = groups;
    return changed;
  }

  async run(signal: AbortSignal, up: (groups: TargetGroup[]) => void): Promise<void> {
    while (!signal.aborted) {
      try {
        const g = await this.refresh(signal);
        if (g.length > 0) up(g);
      } catch (e) {
        if (!signal.aborted) this.opts.onError?.(e);
      }
      await sleep(this.cfg.refreshInterval, signal);
    }
  }
}
