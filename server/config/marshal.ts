// The loaded configuration as YAML, for /api/v1/status/config: Prometheus
// answers with its parsed configuration marshaled back (defaults filled in,
// Go's `omitempty` fields left out, secrets shown as "<secret>"), not with the
// file as written. Keys come in Prometheus's struct order.

import { stringify } from "yaml";
import { formatDuration } from "@/server/promql/parser/duration";
import { labelsToRecord } from "@/server/storage/labels/labels";
import type { RelabelConfig } from "@/server/relabel/relabel";
import type { AlertmanagerConfig, Config, HTTPClientConfig, ScrapeConfig, ServiceDiscoveryConfigs } from "./config";

const SECRET = "<secret>";

type Obj = Record<string, unknown>;

/** Drops undefined, "", empty lists and empty maps (Go's omitempty). */
function compact(o: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === "" || v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (typeof v === "object" && !Array.isArray(v) && Object.keys(v as Obj).length === 0) continue;
    out[k] = v;
  }
  return out;
}

const dur = (ms: number) => formatDuration(ms);

/** units.Base2Bytes's String(): "10MiB", "1GiB512MiB", "100B". */
function bytes(n: number): string | undefined {
  if (n === 0) return undefined;
  const units: [string, number][] = [
    ["EiB", 1024 ** 6],
    ["PiB", 1024 ** 5],
    ["TiB", 1024 ** 4],
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ];
  let out = "";
  let rest = n;
  for (const [u, size] of units) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${u}`;
      rest %= size;
    }
  }
  return rest > 0 ? `${out}${rest}B` : out;
}

const SECRET_KEYS = new Set(["password", "credentials", "bearer_token", "client_secret", "secret_key", "application_secret", "consumer_key", "auth_token"]);

/** Sections kept as written still hide their secrets. */
function redact(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redact);
  if (v !== null && typeof v === "object") {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v as Obj)) out[k] = SECRET_KEYS.has(k) && typeof x === "string" && x !== "" ? SECRET : redact(x);
    return out;
  }
  return v;
}
const secret = (s: string) => (s === "" ? undefined : SECRET);
const nonZero = (n: number) => (n === 0 ? undefined : n);

function relabelYAML(r: RelabelConfig): Obj {
  return compact({
    source_labels: r.sourceLabels.length > 0 ? [...r.sourceLabels] : undefined,
    separator: r.separator,
    regex: r.regex,
    modulus: nonZero(r.modulus),
    target_label: r.targetLabel,
    replacement: r.replacement,
    action: r.action,
  });
}

function httpClientYAML(h: HTTPClientConfig): Obj {
  const t = h.tlsConfig;
  return compact({
    basic_auth: h.basicAuth
      ? compact({ username: h.basicAuth.username, username_file: h.basicAuth.usernameFile, password: secret(h.basicAuth.password), password_file: h.basicAuth.passwordFile })
      : undefined,
    authorization: h.authorization
      ? compact({ type: h.authorization.type, credentials: secret(h.authorization.credentials), credentials_file: h.authorization.credentialsFile })
      : undefined,
    oauth2: h.oauth2 ? redact(h.oauth2) : undefined,
    tls_config: compact({
      ca: t.ca,
      ca_file: t.caFile,
      cert: t.cert,
      cert_file: t.certFile,
      key: secret(t.key),
      key_file: t.keyFile,
      server_name: t.serverName,
      insecure_skip_verify: t.insecureSkipVerify,
      min_version: t.minVersion,
      max_version: t.maxVersion,
    }),
    proxy_url: h.proxyUrl,
    no_proxy: h.noProxy,
    proxy_from_environment: h.proxyFromEnvironment || undefined,
    proxy_connect_header: h.proxyConnectHeader,
    follow_redirects: h.followRedirects,
    enable_http2: h.enableHTTP2,
    http_headers: h.httpHeaders ? redact(h.httpHeaders) : undefined,
  });
}

function sdYAML(sd: ServiceDiscoveryConfigs): Obj {
  return compact({
    dns_sd_configs: sd.dnsSDConfigs.map((d) => compact({ names: d.names, refresh_interval: dur(d.refreshInterval), type: d.type, port: nonZero(d.port) })),
    file_sd_configs: sd.fileSDConfigs.map((f) => ({ files: f.files, refresh_interval: dur(f.refreshInterval) })),
    http_sd_configs: sd.httpSDConfigs.map((h) => ({ ...httpClientYAML(h.httpClient), url: h.url, refresh_interval: dur(h.refreshInterval) })),
    static_configs: sd.staticConfigs.map((g) => compact({ targets: g.targets, labels: labelsToRecord(g.labels) })),
  });
}

function scrapeYAML(s: ScrapeConfig): Obj {
  return compact({
    job_name: s.jobName,
    honor_labels: s.honorLabels || undefined,
    honor_timestamps: s.honorTimestamps,
    track_timestamps_staleness: s.trackTimestampsStaleness,
    params: s.params,
    scrape_interval: dur(s.scrapeInterval),
    scrape_timeout: dur(s.scrapeTimeout),
    scrape_protocols: s.scrapeProtocols,
    fallback_scrape_protocol: s.fallbackScrapeProtocol,
    always_scrape_classic_histograms: s.alwaysScrapeClassicHistograms,
    convert_classic_histograms_to_nhcb: s.convertClassicHistogramsToNHCB,
    metrics_path: s.metricsPath,
    scheme: s.scheme,
    enable_compression: s.enableCompression,
    body_size_limit: bytes(s.bodySizeLimit),
    sample_limit: nonZero(s.sampleLimit),
    target_limit: nonZero(s.targetLimit),
    label_limit: nonZero(s.labelLimit),
    label_name_length_limit: nonZero(s.labelNameLengthLimit),
    label_value_length_limit: nonZero(s.labelValueLengthLimit),
    native_histogram_bucket_limit: nonZero(s.nativeHistogramBucketLimit),
    native_histogram_min_bucket_factor: nonZero(s.nativeHistogramMinBucketFactor),
    keep_dropped_targets: nonZero(s.keepDroppedTargets),
    metric_name_validation_scheme: s.metricNameValidationScheme,
    metric_name_escaping_scheme: s.metricNameEscapingScheme,
    ...sdYAML(s),
    ...httpClientYAML(s.httpClient),
    relabel_configs: s.relabelConfigs.map(relabelYAML),
    metric_relabel_configs: s.metricRelabelConfigs.map(relabelYAML),
  });
}

function alertmanagerYAML(a: AlertmanagerConfig): Obj {
  return compact({
    ...httpClientYAML(a.httpClient),
    scheme: a.scheme,
    path_prefix: a.pathPrefix,
    timeout: dur(a.timeout),
    api_version: a.apiVersion,
    relabel_configs: a.relabelConfigs.map(relabelYAML),
    alert_relabel_configs: a.alertRelabelConfigs.map(relabelYAML),
    ...sdYAML(a),
  });
}

/** The configuration in Prometheus's marshaled form, secrets replaced by "<secret>". */
export function configToYAML(c: Config): string {
  const g = c.global;
  const doc = compact({
    global: compact({
      scrape_interval: dur(g.scrapeInterval),
      scrape_timeout: dur(g.scrapeTimeout),
      scrape_protocols: g.scrapeProtocols,
      evaluation_interval: dur(g.evaluationInterval),
      rule_query_offset: g.ruleQueryOffset === 0 ? undefined : dur(g.ruleQueryOffset),
      query_log_file: g.queryLogFile,
      scrape_failure_log_file: g.scrapeFailureLogFile,
      external_labels: labelsToRecord(g.externalLabels),
      body_size_limit: bytes(g.bodySizeLimit),
      sample_limit: nonZero(g.sampleLimit),
      target_limit: nonZero(g.targetLimit),
      label_limit: nonZero(g.labelLimit),
      label_name_length_limit: nonZero(g.labelNameLengthLimit),
      label_value_length_limit: nonZero(g.labelValueLengthLimit),
      keep_dropped_targets: nonZero(g.keepDroppedTargets),
      metric_name_validation_scheme: g.metricNameValidationScheme,
      metric_name_escaping_scheme: g.metricNameEscapingScheme,
    }),
    runtime: redact(c.passthrough.runtime),
    alerting: compact({
      alert_relabel_configs: c.alerting.alertRelabelConfigs.map(relabelYAML),
      alertmanagers: c.alerting.alertmanagers.map(alertmanagerYAML),
    }),
    rule_files: c.ruleFiles,
    scrape_config_files: c.scrapeConfigFiles,
    scrape_configs: c.scrapeConfigs.map(scrapeYAML),
    storage: redact(c.passthrough.storage),
    tracing: redact(c.passthrough.tracing),
    remote_write: redact(c.passthrough.remote_write),
    remote_read: redact(c.passthrough.remote_read),
    otlp: redact(c.passthrough.otlp),
  });
  return stringify(doc, { indentSeq: false, lineWidth: 0, aliasDuplicateObjects: false });
}
