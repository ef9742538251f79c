// /api/v1/targets — https://prometheus.io/docs/prometheus/latest/querying/api/#targets

export type TargetHealth = "up" | "down" | "unknown";

export interface ActiveTarget {
  discoveredLabels: Record<string, string>;
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl: string;
  lastError: string;
  /** RFC 3339; Go's zero time "0001-01-01T00:00:00Z" before the first scrape. */
  lastScrape: string;
  /** Seconds. */
  lastScrapeDuration: number;
  health: TargetHealth;
  /** Prometheus duration strings ("15s"). */
  scrapeInterval: string;
  scrapeTimeout: string;
}

export interface DroppedTarget {
  discoveredLabels: Record<string, string>;
  scrapePool?: string;
}

export interface TargetsResult {
  activeTargets: ActiveTarget[];
  droppedTargets: DroppedTarget[];
  /** Dropped targets per pool (Prometheus 3), including pools whose list was truncated. */
  droppedTargetCounts?: Record<string, number>;
}
