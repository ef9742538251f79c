// /api/v1/status/flags — https://prometheus.io/docs/prometheus/latest/querying/api/#flags

/** Flag name (without the leading dashes) → value. */
export type FlagsResult = Record<string, string>;
