// /api/v1/status/buildinfo — https://prometheus.io/docs/prometheus/latest/querying/api/#build-information

export interface BuildInfo {
  version: string;
  revision: string;
  branch: string;
  buildUser: string;
  buildDate: string;
  goVersion: string;
}
