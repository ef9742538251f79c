// /api/v1/status/config — https://prometheus.io/docs/prometheus/latest/querying/api/#config

export interface ConfigResult {
  /** The loaded configuration, as YAML. */
  yaml: string;
}
