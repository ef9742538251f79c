// /api/v1/targets — https://prometheus.io/docs/prometheus/latest/querying/api/#targets
// The server's own response types, imported as types only (STYLE.md convention 3).

export type { TargetHealth } from "@/server/scrape/target";
export type {
  ActiveTargetJSON as ActiveTarget,
  DroppedTargetJSON as DroppedTarget,
  TargetsJSON as TargetsResult,
} from "@/server/scrape/manager";
