// /api/v1/status/runtimeinfo — https://prometheus.io/docs/prometheus/latest/querying/api/#runtime-information

export interface RuntimeInfo {
  /** RFC 3339. */
  startTime: string;
  CWD: string;
  hostname?: string;
  /** RFC 3339, the server's clock when it answered. */
  serverTime?: string;
  reloadConfigSuccess: boolean;
  /** RFC 3339. */
  lastConfigTime: string;
  corruptionCount: number;
  goroutineCount: number;
  GOMAXPROCS: number;
  GOMEMLIMIT?: number;
  GOGC: string;
  GODEBUG: string;
  storageRetention: string;
}
