// Loading `prometheus.yml`: YAML → shape check (schema.ts) → Prometheus's
// defaults, inheritance from `global` and cross-field rules → a typed,
// camelCase `Config` in which every duration is integer milliseconds.
//
// The rules and messages follow Prometheus's config package
// (config/config.go, its UnmarshalYAML and Validate methods, and
// prometheus/common's HTTPClientConfig). Every error names the file, line,
// column and field path:
//
//   prometheus.yml:12:5: scrape_configs[0].scrape_timeout: scrape timeout
//   greater than scrape interval for scrape config with job name "node"
//
// Prometheus reports the first problem only, and so do we.

import type { Labels } from "@/server/storage/labels/labels";
import { isValidUTF8 } from "@/server/promql/parser/go-format";
import { labelsFromRecord, isValidUtf8LabelName, quoteString, type NameValidationScheme } from "@/server/storage/labels/labels";
import { makeRelabelConfig, parseRelabelAction, RelabelConfigError, type RelabelConfig, type RelabelConfigInput } from "@/server/relabel/relabel";
import {
  configRawSchema,
  PASSTHROUGH_SECTIONS,
  UNSUPPORTED_SD_KEYS,
  type AlertmanagerRaw,
  type ConfigRaw,
  type GlobalRaw,
  type RelabelRaw,
  type ScrapeRaw,
  type TLSRaw,
} from "./schema";
import { parseYaml, YamlSyntaxError, type ParsedYaml } from "./yaml";

// ---------------------------------------------------------------------------
// Types

export type ScrapeProtocol = "PrometheusProto" | "PrometheusText0.0.4" | "PrometheusText1.0.0" | "OpenMetricsText0.0.1" | "OpenMetricsText1.0.0";

export const SCRAPE_PROTOCOLS: readonly ScrapeProtocol[] = [
  "OpenMetricsText0.0.1",
  "OpenMetricsText1.0.0",
  "PrometheusProto",
  "PrometheusText0.0.4",
  "PrometheusText1.0.0",
];

/** Prometheus's DefaultScrapeProtocols (without native histograms). */
export const DEFAULT_SCRAPE_PROTOCOLS: readonly ScrapeProtocol[] = ["OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4"];

export interface GlobalConfig {
  scrapeInterval: number; // ms
  scrapeTimeout: number; // ms
  evaluationInterval: number; // ms
  ruleQueryOffset: number; // ms
  scrapeProtocols: ScrapeProtocol[];
  externalLabels: Labels;
  queryLogFile: string;
  scrapeFailureLogFile: string;
  /** Bytes; 0 = no limit. */
  bodySizeLimit: number;
  /** 0 = no limit, for this and the other limits. */
  sampleLimit: number;
  targetLimit: number;
  labelLimit: number;
  labelNameLengthLimit: number;
  labelValueLengthLimit: number;
  keepDroppedTargets: number;
  metricNameValidationScheme: NameValidationScheme;
  metricNameEscapingScheme: string;
  alwaysScrapeClassicHistograms: boolean;
  convertClassicHistogramsToNHCB: boolean;
}

export interface BasicAuth {
  username: string;
  usernameFile: string;
  password: string;
  passwordFile: string;
}

export interface Authorization {
  /** "Bearer" unless set. */
  type: string;
  credentials: string;
  credentialsFile: string;
}

export interface TLSConfig {
  ca: string;
  caFile: string;
  cert: string;
  certFile: string;
  key: string;
  keyFile: string;
  serverName: string;
  insecureSkipVerify: boolean;
  /** "TLS10" … "TLS13", or "" for the default. */
  minVersion: string;
  maxVersion: string;
}

/** prometheus/common's HTTPClientConfig. `bearer_token(_file)` is folded into `authorization`, as Prometheus does. */
export interface HTTPClientConfig {
  basicAuth: BasicAuth | null;
  authorization: Authorization | null;
  /** Kept as written; Vigil does not implement OAuth 2 yet. */
  oauth2: Record<string, unknown> | null;
  tlsConfig: TLSConfig;
  proxyUrl: string;
  noProxy: string;
  proxyFromEnvironment: boolean;
  proxyConnectHeader: Record<string, string[]>;
  followRedirects: boolean;
  enableHTTP2: boolean;
  /** Kept as written. */
  httpHeaders: Record<string, unknown> | null;
}

/** A static target group. Each target becomes `{__address__: target}` plus `labels`. */
export interface TargetGroup {
  targets: string[];
  labels: Labels;
  /** The group's index in its list, as Prometheus sets `Source`. */
  source: string;
}

export interface FileSDConfig {
  files: string[];
  refreshInterval: number; // ms
}

export interface HTTPSDConfig {
  url: string;
  refreshInterval: number; // ms
  httpClient: HTTPClientConfig;
}

export type DNSRecordType = "SRV" | "A" | "AAAA" | "MX" | "NS";

export interface DNSSDConfig {
  names: string[];
  refreshInterval: number; // ms
  type: DNSRecordType;
  /** Required for every type but SRV. */
  port: number;
}

export interface ServiceDiscoveryConfigs {
  staticConfigs: TargetGroup[];
  fileSDConfigs: FileSDConfig[];
  httpSDConfigs: HTTPSDConfig[];
  dnsSDConfigs: DNSSDConfig[];
}

export interface ScrapeConfig extends ServiceDiscoveryConfigs {
  jobName: string;
  honorLabels: boolean;
  honorTimestamps: boolean;
  trackTimestampsStaleness: boolean;
  params: Record<string, string[]>;
  scrapeInterval: number; // ms
  scrapeTimeout: number; // ms
  scrapeProtocols: ScrapeProtocol[];
  /** "" when unset. */
  fallbackScrapeProtocol: ScrapeProtocol | "";
  metricsPath: string;
  scheme: string;
  enableCompression: boolean;
  bodySizeLimit: number; // bytes, 0 = none
  sampleLimit: number;
  targetLimit: number;
  labelLimit: number;
  labelNameLengthLimit: number;
  labelValueLengthLimit: number;
  nativeHistogramBucketLimit: number;
  nativeHistogramMinBucketFactor: number;
  keepDroppedTargets: number;
  metricNameValidationScheme: NameValidationScheme;
  metricNameEscapingScheme: string;
  alwaysScrapeClassicHistograms: boolean;
  convertClassicHistogramsToNHCB: boolean;
  relabelConfigs: RelabelConfig[];
  metricRelabelConfigs: RelabelConfig[];
  httpClient: HTTPClientConfig;
}

export interface AlertmanagerConfig extends ServiceDiscoveryConfigs {
  httpClient: HTTPClientConfig;
  scheme: string;
  pathPrefix: string;
  timeout: number; // ms
  apiVersion: "v2";
  relabelConfigs: RelabelConfig[];
  alertRelabelConfigs: RelabelConfig[];
}

export interface AlertingConfig {
  alertRelabelConfigs: RelabelConfig[];
  alertmanagers: AlertmanagerConfig[];
}

export interface Config {
  global: GlobalConfig;
  ruleFiles: string[];
  scrapeConfigFiles: string[];
  scrapeConfigs: ScrapeConfig[];
  alerting: AlertingConfig;
  /** Sections Prometheus knows that Vigil keeps as written without using (remote_write, storage, …). */
  passthrough: Partial<Record<(typeof PASSTHROUGH_SECTIONS)[number], unknown>>;
}

/** A setting Vigil accepts but does not act on, with its position. */
export interface ConfigWarning {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

/** An invalid configuration file: where, which field, and what is wrong. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    /** The field path, e.g. `scrape_configs[0].scrape_timeout` ("" for the whole file). */
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${column}: ${path ? path + ": " : ""}${detail}`);
  }
}

// ---------------------------------------------------------------------------
// Entry points

/** Parses and validates a configuration file; throws `ConfigError`. */
export function loadConfig(text: string, filename: string): Config {
  return loadConfigWithWarnings(text, filename).config;
}

/** Like `loadConfig`, also returning warnings for settings Vigil accepts but ignores. */
export function loadConfigWithWarnings(text: string, filename: string): { config: Config; warnings: ConfigWarning[] } {
  let yaml: ParsedYaml;
  try {
    yaml = parseYaml(text);
  } catch (e) {
    if (e instanceof YamlSyntaxError) throw new ConfigError(filename, e.position.line, e.position.column, "", `yaml: ${e.message}`);
    throw e;
  }
  const b: Builder = new Builder(filename, yaml);
  const value = yaml.value ?? {};
  const parsed = configRawSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    const iss = parsed.error.issues[0];
    const path = iss.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    if (iss.code === "unrecognized_keys") path.push(iss.keys[0]);
    b.fail(path, iss.message);
  }
  const config = b.build(parsed.data);
  return { config, warnings: b.warnings };
}

/**
 * The configuration used when there is no file: Vigil scrapes its own
 * `/metrics` every 15 s as job `vigil`. `target` is `host:port`.
 */
export function defaultConfig(target: string): Config {
  return loadConfig(defaultConfigYAML(target), "<default>");
}

/** The YAML text of `defaultConfig`, e.g. for /api/v1/status/config. */
export function defaultConfigYAML(target: string): string {
  return `global:
  scrape_interval: 15s
  evaluation_interval: 15s
scrape_configs:
  - job_name: vigil
    static_configs:
      - targets: [${JSON.stringify(target)}]
`;
}

// ---------------------------------------------------------------------------
// Building

type Path = (string | number)[];

function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(p)) out += `[${JSON.stringify(p)}]`;
    else out += out === "" ? p : "." + p;
  }
  return out;
}

const rulePathPattern = /^[^*]*(\*[^/]*)?$/;
const fileSDPattern = /^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$/;
const tlsVersions = new Set(["TLS10", "TLS11", "TLS12", "TLS13"]);
const escapingSchemes = new Set(["allow-utf-8", "underscores", "dots", "values"]);

const relabelFieldKeys: Record<keyof RelabelConfig, string> = {
  sourceLabels: "source_labels",
  separator: "separator",
  regex: "regex",
  modulus: "modulus",
  targetLabel: "target_label",
  replacement: "replacement",
  action: "action",
};

class Builder {
  readonly warnings: ConfigWarning[] = [];

  constructor(
    private readonly file: string,
    private readonly yaml: ParsedYaml,
  ) {}

  fail(path: Path, message: string): never {
    const pos = this.yaml.locate(path);
    throw new ConfigError(this.file, pos.line, pos.column, formatPath(path), message);
  }

  warn(path: Path, message: string): void {
    const pos = this.yaml.locate(path);
    this.warnings.push({ file: this.file, line: pos.line, column: pos.column, path: formatPath(path), message });
  }

  build(raw: ConfigRaw): Config {
    const global = this.global(raw.global ?? {}, ["global"]);
    const ruleFiles = raw.rule_files ?? [];
    ruleFiles.forEach((rf, i) => {
      if (!rulePathPattern.test(rf)) this.fail(["rule_files", i], `invalid rule file path ${quoteString(rf)}`);
    });
    const scrapeConfigFiles = raw.scrape_config_files ?? [];
    scrapeConfigFiles.forEach((sf, i) => {
      if (!rulePathPattern.test(sf)) this.fail(["scrape_config_files", i], `invalid scrape config file path ${quoteString(sf)}`);
    });
    if (scrapeConfigFiles.length > 0) this.warn(["scrape_config_files"], "scrape_config_files is not supported by Vigil yet; the files are not read");

    const jobs = new Set<string>();
    const scrapeConfigs = (raw.scrape_configs ?? []).map((sc, i) => {
      const path = ["scrape_configs", i];
      if (sc === null) this.fail(path, "empty or null scrape config section");
      const cfg = this.scrapeConfig(sc, global, path);
      if (jobs.has(cfg.jobName)) this.fail([...path, "job_name"], `found multiple scrape configs with job name ${quoteString(cfg.jobName)}`);
      jobs.add(cfg.jobName);
      return cfg;
    });

    const alertingRaw = raw.alerting ?? {};
    const alerting: AlertingConfig = {
      alertRelabelConfigs: this.relabelList(alertingRaw.alert_relabel_configs, ["alerting", "alert_relabel_configs"], "empty or null alert relabeling rule", global),
      alertmanagers: (alertingRaw.alertmanagers ?? []).map((am, i) => {
        const path = ["alerting", "alertmanagers", i];
        if (am === null) this.fail(path, "empty or null alertmanager config section");
        return this.alertmanager(am, path, global);
      }),
    };

    const passthrough: Config["passthrough"] = {};
    for (const k of PASSTHROUGH_SECTIONS) if (raw[k] !== undefined) passthrough[k] = raw[k];
    return { global, ruleFiles, scrapeConfigFiles, scrapeConfigs, alerting, passthrough };
  }

  private global(g: GlobalRaw, path: Path): GlobalConfig {
    const externalLabels = g.external_labels ?? {};
    for (const [name, value] of Object.entries(externalLabels)) {
      if (!isValidUtf8LabelName(name)) this.fail([...path, "external_labels", name], `${quoteString(name)} is not a valid label name`);
      if (!isValidUTF8(value)) this.fail([...path, "external_labels", name], `${quoteString(value)} is not a valid label value`);
    }
    // First the interval, then the timeout checked against it (as Prometheus).
    const scrapeInterval = g.scrape_interval || 60_000;
    if ((g.scrape_timeout ?? 0) > scrapeInterval) this.fail([...path, "scrape_timeout"], "global scrape timeout greater than scrape interval");
    const scrapeTimeout = g.scrape_timeout || Math.min(10_000, scrapeInterval);
    const scrapeProtocols = (g.scrape_protocols ?? [...DEFAULT_SCRAPE_PROTOCOLS]) as ScrapeProtocol[];
    const protoErr = validateScrapeProtocols(scrapeProtocols);
    if (protoErr) this.fail([...path, "scrape_protocols"], `${protoErr} for global config`);
    const scheme = g.metric_name_validation_scheme ?? "";
    if (scheme !== "" && scheme !== "utf8" && scheme !== "legacy") {
      this.fail([...path, "metric_name_validation_scheme"], `unknown global name validation method specified, must be either '', 'legacy' or 'utf8', got ${scheme}`);
    }
    const validation: NameValidationScheme = scheme === "legacy" ? "legacy" : "utf8";
    // The escaping scheme follows the validation scheme when unset.
    const escaping = g.metric_name_escaping_scheme || (validation === "legacy" ? "underscores" : "allow-utf-8");
    if (!escapingSchemes.has(escaping)) {
      this.fail([...path, "metric_name_escaping_scheme"], `unknown global name escaping method specified, must be one of 'allow-utf-8', 'underscores', 'dots', or 'values', got ${quoteString(escaping)}`);
    }
    return {
      scrapeInterval,
      scrapeTimeout,
      evaluationInterval: g.evaluation_interval || 60_000,
      ruleQueryOffset: g.rule_query_offset ?? 0,
      scrapeProtocols,
      externalLabels: labelsFromRecord(externalLabels),
      queryLogFile: g.query_log_file ?? "",
      scrapeFailureLogFile: g.scrape_failure_log_file ?? "",
      bodySizeLimit: g.body_size_limit ?? 0,
      sampleLimit: g.sample_limit ?? 0,
      targetLimit: g.target_limit ?? 0,
      labelLimit: g.label_limit ?? 0,
      labelNameLengthLimit: g.label_name_length_limit ?? 0,
      labelValueLengthLimit: g.label_value_length_limit ?? 0,
      keepDroppedTargets: g.keep_dropped_targets ?? 0,
      metricNameValidationScheme: validation,
      metricNameEscapingScheme: escaping,
      alwaysScrapeClassicHistograms: g.always_scrape_classic_histograms ?? false,
      convertClassicHistogramsToNHCB: g.convert_classic_histograms_to_nhcb ?? false,
    };
  }

  private scrapeConfig(sc: ScrapeRaw, global: GlobalConfig, path: Path): ScrapeConfig {
    const jobName = sc.job_name ?? "";
    if (jobName === "") this.fail(sc.job_name === undefined ? path : [...path, "job_name"], "job_name is empty");
    const httpClient = this.httpClient(sc, path);
    const relabelConfigs = this.relabelList(sc.relabel_configs, [...path, "relabel_configs"], "empty or null target relabeling rule in scrape config", global);
    const metricRelabelConfigs = this.relabelList(sc.metric_relabel_configs, [...path, "metric_relabel_configs"], "empty or null metric relabeling rule in scrape config", global);
    const sd = this.serviceDiscovery(sc, path, relabelConfigs.length === 0);

    // ScrapeConfig.Validate: inherit from global, interval before timeout.
    const scrapeInterval = sc.scrape_interval || global.scrapeInterval;
    if ((sc.scrape_timeout ?? 0) > scrapeInterval) {
      this.fail([...path, sc.scrape_timeout !== undefined ? "scrape_timeout" : "scrape_interval"], `scrape timeout greater than scrape interval for scrape config with job name ${quoteString(jobName)}`);
    }
    const scrapeTimeout = sc.scrape_timeout || (global.scrapeTimeout > scrapeInterval ? scrapeInterval : global.scrapeTimeout);
    const scrapeProtocols = [...(sc.scrape_protocols ?? global.scrapeProtocols)] as ScrapeProtocol[];
    const protoErr = validateScrapeProtocols(scrapeProtocols);
    if (protoErr) this.fail([...path, "scrape_protocols"], `${protoErr} for scrape config with job name ${quoteString(jobName)}`);
    const fallback = sc.fallback_scrape_protocol ?? "";
    if (fallback !== "" && !SCRAPE_PROTOCOLS.includes(fallback as ScrapeProtocol)) {
      this.fail([...path, "fallback_scrape_protocol"], `invalid fallback_scrape_protocol for scrape config with job name ${quoteString(jobName)}: ${unknownProtocol(fallback)}`);
    }
    const vscheme = sc.metric_name_validation_scheme ?? "";
    if (vscheme !== "" && vscheme !== "utf8" && vscheme !== "legacy") {
      this.fail([...path, "metric_name_validation_scheme"], `unknown scrape config name validation method specified, must be either '', 'legacy' or 'utf8', got ${vscheme}`);
    }
    const validation: NameValidationScheme = vscheme === "" ? global.metricNameValidationScheme : (vscheme as NameValidationScheme);
    // Unset, the escaping scheme is the global one (itself derived from the
    // global validation scheme), so a job that sets legacy validation alone
    // is rejected just as Prometheus rejects it.
    const escaping = sc.metric_name_escaping_scheme || global.metricNameEscapingScheme;
    if (!escapingSchemes.has(escaping)) {
      this.fail([...path, "metric_name_escaping_scheme"], `unknown scrape config name escaping method specified, must be one of 'allow-utf-8', 'underscores', 'dots', or 'values', got ${quoteString(escaping)}`);
    }
    if (escaping === "allow-utf-8" && validation !== "utf8") {
      this.fail([...path, sc.metric_name_escaping_scheme ? "metric_name_escaping_scheme" : "metric_name_validation_scheme"], "utf8 metric names requested but validation scheme is not set to UTF8");
    }

    return {
      jobName,
      honorLabels: sc.honor_labels ?? false,
      honorTimestamps: sc.honor_timestamps ?? true,
      trackTimestampsStaleness: sc.track_timestamps_staleness ?? false,
      params: sc.params ?? {},
      scrapeInterval,
      scrapeTimeout,
      scrapeProtocols,
      fallbackScrapeProtocol: fallback as ScrapeProtocol | "",
      metricsPath: sc.metrics_path ?? "/metrics",
      scheme: sc.scheme ?? "http",
      enableCompression: sc.enable_compression ?? true,
      bodySizeLimit: sc.body_size_limit || global.bodySizeLimit,
      sampleLimit: sc.sample_limit || global.sampleLimit,
      targetLimit: sc.target_limit || global.targetLimit,
      labelLimit: sc.label_limit || global.labelLimit,
      labelNameLengthLimit: sc.label_name_length_limit || global.labelNameLengthLimit,
      labelValueLengthLimit: sc.label_value_length_limit || global.labelValueLengthLimit,
      nativeHistogramBucketLimit: sc.native_histogram_bucket_limit ?? 0,
      nativeHistogramMinBucketFactor: sc.native_histogram_min_bucket_factor ?? 0,
      keepDroppedTargets: sc.keep_dropped_targets || global.keepDroppedTargets,
      metricNameValidationScheme: validation,
      metricNameEscapingScheme: escaping,
      alwaysScrapeClassicHistograms: sc.always_scrape_classic_histograms ?? global.alwaysScrapeClassicHistograms,
      convertClassicHistogramsToNHCB: sc.convert_classic_histograms_to_nhcb ?? global.convertClassicHistogramsToNHCB,
      relabelConfigs,
      metricRelabelConfigs,
      httpClient,
      ...sd,
    };
  }

  private alertmanager(am: AlertmanagerRaw, path: Path, global: GlobalConfig): AlertmanagerConfig {
    const httpClient = this.httpClient(am, path);
    const apiVersion = am.api_version ?? "v2";
    if (apiVersion !== "v2") this.fail([...path, "api_version"], `expected Alertmanager api version to be one of [v2] but got ${apiVersion}`);
    const relabelConfigs = this.relabelList(am.relabel_configs, [...path, "relabel_configs"], "empty or null Alertmanager target relabeling rule", global);
    const alertRelabelConfigs = this.relabelList(am.alert_relabel_configs, [...path, "alert_relabel_configs"], "empty or null Alertmanager alert relabeling rule", global);
    if (am.sigv4 !== undefined) this.warn([...path, "sigv4"], "sigv4 is not supported by Vigil and is ignored");
    return {
      httpClient,
      scheme: am.scheme ?? "http",
      pathPrefix: am.path_prefix ?? "",
      timeout: am.timeout ?? 10_000,
      apiVersion: "v2",
      relabelConfigs,
      alertRelabelConfigs,
      ...this.serviceDiscovery(am, path, relabelConfigs.length === 0),
    };
  }

  private relabelList(list: (RelabelRaw | null)[] | undefined, path: Path, nullMessage: string, global: GlobalConfig): RelabelConfig[] {
    return (list ?? []).map((r, i) => {
      if (r === null) this.fail([...path, i], nullMessage);
      return this.relabel(r, [...path, i], global.metricNameValidationScheme);
    });
  }

  private relabel(r: RelabelRaw, path: Path, scheme: NameValidationScheme): RelabelConfig {
    const input: { -readonly [K in keyof RelabelConfigInput]: RelabelConfigInput[K] } = {};
    try {
      // A null action is the empty string (Go's zero value), which Prometheus reports as empty.
      if (r.action === "") this.fail([...path, "action"], "relabel action cannot be empty");
      if (r.action !== undefined) input.action = parseRelabelAction(r.action);
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      this.fail([...path, "action"], (e as Error).message);
    }
    if (r.source_labels !== undefined) input.sourceLabels = r.source_labels;
    if (r.separator !== undefined) input.separator = r.separator;
    if (r.regex !== undefined) input.regex = r.regex;
    if (r.modulus !== undefined) input.modulus = r.modulus;
    if (r.target_label !== undefined) input.targetLabel = r.target_label;
    if (r.replacement !== undefined) input.replacement = r.replacement;
    try {
      return makeRelabelConfig(input, { nameValidationScheme: scheme });
    } catch (e) {
      if (e instanceof RelabelConfigError) {
        const key = e.field && relabelFieldKeys[e.field];
        this.fail(key && (r as Record<string, unknown>)[key] !== undefined ? [...path, key] : path, e.message);
      }
      throw e;
    }
  }

  private serviceDiscovery(raw: ScrapeRaw | AlertmanagerRaw, path: Path, checkStaticTargets: boolean): ServiceDiscoveryConfigs {
    for (const k of UNSUPPORTED_SD_KEYS) {
      if (raw[k] !== undefined) this.warn([...path, k], `${k} is not supported by Vigil; its targets are not discovered`);
    }
    const staticConfigs = (raw.static_configs ?? []).map((tg, i): TargetGroup => {
      const p = [...path, "static_configs", i];
      if (tg === null) this.fail(p, "empty or null section in static_configs");
      const labels = tg.labels ?? {};
      for (const name of Object.keys(labels)) {
        if (!isValidUtf8LabelName(name)) this.fail([...p, "labels", name], `${quoteString(name)} is not a valid label name`);
      }
      const targets = tg.targets ?? [];
      if (checkStaticTargets) {
        // Catches URLs put where host:port belongs (only without relabeling,
        // which could legitimately rewrite them).
        targets.forEach((t, k) => {
          if (t.includes("/")) this.fail([...p, "targets", k], `${quoteString(t)} is not a valid hostname`);
        });
      }
      return { targets, labels: labelsFromRecord(labels), source: String(i) };
    });
    const fileSDConfigs = (raw.file_sd_configs ?? []).map((f, i) => {
      const p = [...path, "file_sd_configs", i];
      const files = f.files ?? [];
      if (files.length === 0) this.fail(p, "file service discovery config must contain at least one path name");
      files.forEach((name, k) => {
        if (!fileSDPattern.test(name)) this.fail([...p, "files", k], `path name ${quoteString(name)} is not valid for file discovery`);
      });
      return { files, refreshInterval: f.refresh_interval ?? 300_000 };
    });
    const httpSDConfigs = (raw.http_sd_configs ?? []).map((h, i) => {
      const p = [...path, "http_sd_configs", i];
      const url = h.url ?? "";
      if (url === "") this.fail(p, "URL is missing");
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        this.fail([...p, "url"], `parse ${quoteString(url)}: invalid URL`);
      }
      if (parsed.protocol !== "http:" && parsed.protocol !== "https:") this.fail([...p, "url"], "URL scheme must be 'http' or 'https'");
      if (parsed.host === "") this.fail([...p, "url"], "host is missing in URL");
      return { url, refreshInterval: h.refresh_interval ?? 60_000, httpClient: this.httpClient(h, p) };
    });
    const dnsSDConfigs = (raw.dns_sd_configs ?? []).map((d, i): DNSSDConfig => {
      const p = [...path, "dns_sd_configs", i];
      const names = d.names ?? [];
      if (names.length === 0) this.fail(p, "DNS-SD config must contain at least one SRV record name");
      const type = (d.type ?? "SRV").toUpperCase();
      const port = d.port ?? 0;
      switch (type) {
        case "SRV":
          break;
        case "A":
        case "AAAA":
        case "MX":
        case "NS":
          if (port === 0) this.fail(p, "a port is required in DNS-SD configs for all record types except SRV");
          break;
        default:
          this.fail([...p, "type"], `invalid DNS-SD records type ${d.type}`);
      }
      return { names, refreshInterval: d.refresh_interval ?? 30_000, type: type as DNSRecordType, port };
    });
    return { staticConfigs, fileSDConfigs, httpSDConfigs, dnsSDConfigs };
  }

  /** prometheus/common HTTPClientConfig.Validate, including its bearer_token → authorization rewrite. */
  private httpClient(raw: ScrapeRaw | AlertmanagerRaw | NonNullable<ScrapeRaw["http_sd_configs"]>[number], path: Path): HTTPClientConfig {
    const set = (s: string | undefined) => s !== undefined && s !== "";
    const count = (...xs: boolean[]) => xs.filter(Boolean).length;
    const bearer = raw.bearer_token ?? "";
    const bearerFile = raw.bearer_token_file ?? "";
    if (bearer !== "" && bearerFile !== "") this.fail([...path, "bearer_token_file"], "at most one of bearer_token & bearer_token_file must be configured");
    const ba = raw.basic_auth;
    if ((ba || raw.oauth2) && (bearer !== "" || bearerFile !== "")) {
      this.fail([...path, bearer !== "" ? "bearer_token" : "bearer_token_file"], "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured");
    }
    if (ba && count(set(ba.username), set(ba.username_file), set(ba.username_ref)) > 1) {
      this.fail([...path, "basic_auth"], "at most one of basic_auth username, username_file & username_ref must be configured");
    }
    if (ba && count(set(ba.password), set(ba.password_file), set(ba.password_ref)) > 1) {
      this.fail([...path, "basic_auth"], "at most one of basic_auth password, password_file & password_ref must be configured");
    }
    if (ba && (set(ba.username_ref) || set(ba.password_ref))) this.fail([...path, "basic_auth"], "username_ref and password_ref are not supported by Vigil");
    let authorization: Authorization | null = null;
    const az = raw.authorization;
    if (az) {
      if (bearer !== "" || bearerFile !== "") this.fail([...path, "authorization"], "authorization is not compatible with bearer_token & bearer_token_file");
      if (count(set(az.credentials), set(az.credentials_file), set(az.credentials_ref)) > 1) {
        this.fail([...path, "authorization"], "at most one of authorization credentials & credentials_file must be configured");
      }
      if (set(az.credentials_ref)) this.fail([...path, "authorization", "credentials_ref"], "credentials_ref is not supported by Vigil");
      const type = (az.type ?? "").trim() || "Bearer";
      if (type.toLowerCase() === "basic") this.fail([...path, "authorization", "type"], `authorization type cannot be set to "basic", use "basic_auth" instead`);
      if (ba || raw.oauth2) this.fail([...path, "authorization"], "at most one of basic_auth, oauth2 & authorization must be configured");
      authorization = { type, credentials: az.credentials ?? "", credentialsFile: az.credentials_file ?? "" };
    } else if (bearer !== "") {
      authorization = { type: "Bearer", credentials: bearer, credentialsFile: "" };
    } else if (bearerFile !== "") {
      authorization = { type: "Bearer", credentials: "", credentialsFile: bearerFile };
    }
    if (raw.oauth2) this.warn([...path, "oauth2"], "oauth2 is not supported by Vigil yet; requests are sent without it");
    return {
      basicAuth: ba ? { username: ba.username ?? "", usernameFile: ba.username_file ?? "", password: ba.password ?? "", passwordFile: ba.password_file ?? "" } : null,
      authorization,
      oauth2: raw.oauth2 ?? null,
      tlsConfig: this.tls(raw.tls_config ?? {}, [...path, "tls_config"]),
      proxyUrl: raw.proxy_url ?? "",
      noProxy: raw.no_proxy ?? "",
      proxyFromEnvironment: raw.proxy_from_environment ?? false,
      proxyConnectHeader: raw.proxy_connect_header ?? {},
      followRedirects: raw.follow_redirects ?? true,
      enableHTTP2: raw.enable_http2 ?? true,
      httpHeaders: raw.http_headers ?? null,
    };
  }

  private tls(t: TLSRaw, path: Path): TLSConfig {
    const set = (s: string | undefined) => s !== undefined && s !== "";
    const count = (...xs: boolean[]) => xs.filter(Boolean).length;
    if (count(set(t.ca), set(t.ca_file), set(t.ca_ref)) > 1) this.fail(path, "at most one of ca, ca_file & ca_ref must be configured");
    if (count(set(t.cert), set(t.cert_file), set(t.cert_ref)) > 1) this.fail(path, "at most one of cert, cert_file & cert_ref must be configured");
    if (count(set(t.key), set(t.key_file), set(t.key_ref)) > 1) this.fail(path, "at most one of key and key_file must be configured");
    const usingCert = set(t.cert) || set(t.cert_file) || set(t.cert_ref);
    const usingKey = set(t.key) || set(t.key_file) || set(t.key_ref);
    if (usingCert && !usingKey) this.fail(path, "exactly one of key or key_file must be configured when a client certificate is configured");
    if (usingKey && !usingCert) this.fail(path, "exactly one of cert or cert_file must be configured when a client key is configured");
    for (const k of ["ca_ref", "cert_ref", "key_ref"] as const) if (set(t[k])) this.fail([...path, k], `${k} is not supported by Vigil`);
    for (const k of ["min_version", "max_version"] as const) {
      if (set(t[k]) && !tlsVersions.has(t[k] as string)) this.fail([...path, k], `unknown TLS version: ${t[k]}`);
    }
    return {
      ca: t.ca ?? "",
      caFile: t.ca_file ?? "",
      cert: t.cert ?? "",
      certFile: t.cert_file ?? "",
      key: t.key ?? "",
      keyFile: t.key_file ?? "",
      serverName: t.server_name ?? "",
      insecureSkipVerify: t.insecure_skip_verify ?? false,
      minVersion: t.min_version ?? "",
      maxVersion: t.max_version ?? "",
    };
  }
}

function unknownProtocol(p: string): string {
  return `unknown scrape protocol ${p}, supported: [${[...SCRAPE_PROTOCOLS].sort().join(" ")}]`;
}

/** Prometheus's validateAcceptScrapeProtocols; null when valid. */
function validateScrapeProtocols(ps: readonly string[]): string | null {
  if (ps.length === 0) return "scrape_protocols cannot be empty";
  const seen = new Set<string>();
  for (const p of ps) {
    if (seen.has(p.toLowerCase())) return `duplicated protocol in scrape_protocols, got [${ps.join(" ")}]`;
    if (!SCRAPE_PROTOCOLS.includes(p as ScrapeProtocol)) return `scrape_protocols: ${unknownProtocol(p)}`;
    seen.add(p.toLowerCase());
  }
  return null;
}
