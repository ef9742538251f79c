// zod schemas for the raw `prometheus.yml`, key for key as Prometheus spells
// them. They check shapes and scalar types only, with Go yaml.v2's wording
// ("field x not found in type config.ScrapeConfig", "cannot unmarshal !!str
// `abc` into uint"); defaults, inheritance and cross-field rules are applied
// afterwards by config.ts, which knows each value's path for positioned errors.
//
// Every object is strict, because Prometheus unmarshals strictly: a misspelt
// key is an error rather than a silently ignored setting.

import { z } from "zod";
import { parseDuration } from "@/server/promql/parser/duration";

// ---------------------------------------------------------------------------
// Scalars
//
// yaml.v2 sets a field whose value is null (`metrics_path:` with nothing
// after it) to its type's zero value, not to its default: "" for strings,
// false, 0. The scalar schemas below do the same. A null object, list or map
// is treated as absent (see `obj`), which is what a nil pointer, slice or
// map means in Go.

const scalarSchemas = new WeakSet<z.ZodType>();
function scalar<T extends z.ZodType>(schema: T): T {
  scalarSchemas.add(schema);
  return schema;
}

/** yaml.v2's tag for a value, for "cannot unmarshal" messages. */
function yamlTag(v: unknown): string {
  if (v === null || v === undefined) return "!!null";
  if (Array.isArray(v)) return "!!seq";
  switch (typeof v) {
    case "string":
      return "!!str `" + v + "`";
    case "number":
      return Number.isInteger(v) ? "!!int `" + v + "`" : "!!float `" + v + "`";
    case "boolean":
      return "!!bool `" + v + "`";
    case "object":
      return "!!map";
  }
  return "!!" + typeof v;
}

export function cannotUnmarshal(v: unknown, into: string): string {
  return `cannot unmarshal ${yamlTag(v)} into ${into}`;
}

/** A string field. Numbers and booleans are taken as text, as yaml.v2 does for string fields. */
export const str = scalar(z.unknown().transform((v, ctx) => {
  if (v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  ctx.addIssue({ code: "custom", message: cannotUnmarshal(v, "string"), input: v });
  return z.NEVER;
}));

export const bool = scalar(z.unknown().transform((v, ctx) => {
  if (v === null) return false;
  if (typeof v === "boolean") return v;
  ctx.addIssue({ code: "custom", message: cannotUnmarshal(v, "bool"), input: v });
  return z.NEVER;
}));

/** A Go uint (we keep it a safe JavaScript integer). */
export const uint = scalar(z.unknown().transform((v, ctx) => {
  if (v === null) return 0;
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
  ctx.addIssue({ code: "custom", message: cannotUnmarshal(v, "uint"), input: v });
  return z.NEVER;
}));

export const float = scalar(z.unknown().transform((v, ctx) => {
  if (v === null) return 0;
  if (typeof v === "number") return v;
  ctx.addIssue({ code: "custom", message: cannotUnmarshal(v, "float64"), input: v });
  return z.NEVER;
}));

/** A Prometheus duration ("15s", "1h30m"), in milliseconds. */
export const duration = scalar(z.unknown().transform((v, ctx) => {
  if (v === null) return 0;
  if (typeof v !== "string" && typeof v !== "number") {
    ctx.addIssue({ code: "custom", message: cannotUnmarshal(v, "model.Duration"), input: v });
    return z.NEVER;
  }
  try {
    return parseDuration(String(v));
  } catch (e) {
    ctx.addIssue({ code: "custom", message: e instanceof Error ? e.message : String(e), input: v });
    return z.NEVER;
  }
}));

const sizeUnits: Record<string, number> = { B: 1 };
for (const [i, p] of ["K", "M", "G", "T", "P", "E"].entries()) {
  sizeUnits[p + "B"] = 1024 ** (i + 1);
  sizeUnits[p + "iB"] = 1024 ** (i + 1);
}

/**
 * A byte size as `units.Base2Bytes` parses it ("10MB", "512KiB", "1GB512MB",
 * "0"): KB, MB, ... are powers of 1024, like KiB, MiB, ...
 */
export const byteSize = scalar(z.unknown().transform((v, ctx) => {
  if (v === null) return 0;
  const s = typeof v === "number" ? String(v) : v;
  if (typeof s !== "string") {
    ctx.addIssue({ code: "custom", message: cannotUnmarshal(v, "units.Base2Bytes"), input: v });
    return z.NEVER;
  }
  if (s === "0") return 0;
  const re = /(\d+(?:\.\d+)?)([A-Za-z]*)/y;
  let total = 0;
  let at = 0;
  while (at < s.length) {
    re.lastIndex = at;
    const m = re.exec(s);
    if (!m) {
      ctx.addIssue({ code: "custom", message: `units: invalid size ${JSON.stringify(s)}`, input: v });
      return z.NEVER;
    }
    const unit = sizeUnits[m[2]];
    if (unit === undefined) {
      // Go's wording, including the empty unit of a bare number ("units: unknown unit  in 100").
      ctx.addIssue({ code: "custom", message: `units: unknown unit ${m[2]} in ${s}`, input: v });
      return z.NEVER;
    }
    total += Number(m[1]) * unit;
    at = re.lastIndex;
  }
  if (at === 0) {
    ctx.addIssue({ code: "custom", message: `units: invalid size ${JSON.stringify(s)}`, input: v });
    return z.NEVER;
  }
  return Math.floor(total);
}));

/** A label name (Prometheus 3's UTF-8 rule: non-empty). */
export const labelName = scalar(str.superRefine((v, ctx) => {
  if (v === "") ctx.addIssue({ code: "custom", message: `"" is not a valid label name`, input: v });
}));

export const labelSet = z.record(z.string(), str, { error: (iss) => (iss.code === "invalid_type" ? cannotUnmarshal(iss.input, "model.LabelSet") : undefined) });

/**
 * A strict object with yaml.v2's messages for unknown fields and wrong types.
 * Null values of its non-scalar fields are removed first (absent, as Go's nil).
 */
export function obj<T extends z.ZodRawShape>(goType: string, shape: T) {
  const structural = Object.keys(shape).filter((k) => {
    let s = shape[k] as z.ZodType;
    if (s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
    return !scalarSchemas.has(s);
  });
  const inner = z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === "unrecognized_keys") return `field ${iss.keys[0]} not found in type ${goType}`;
      if (iss.code === "invalid_type") return cannotUnmarshal(iss.input, goType);
      return undefined;
    },
  });
  return z.preprocess((v) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    let copy: Record<string, unknown> | null = null;
    for (const k of structural) {
      if ((v as Record<string, unknown>)[k] === null) {
        copy ??= { ...(v as Record<string, unknown>) };
        delete copy[k];
      }
    }
    return copy ?? v;
  }, inner);
}

/** A list; null is the empty list (a nil slice). */
export function list<T extends z.ZodType>(item: T, goType = "[]" + "string") {
  return z.preprocess(
    (v) => (v === null ? [] : v),
    z.array(item, { error: (iss) => (iss.code === "invalid_type" ? cannotUnmarshal(iss.input, goType) : undefined) }),
  );
}

// ---------------------------------------------------------------------------
// Shared blocks

export const relabelRawSchema = obj("relabel.Config", {
  source_labels: list(labelName, "model.LabelNames").optional(),
  separator: str.optional(),
  regex: str.optional(),
  modulus: uint.optional(),
  target_label: str.optional(),
  replacement: str.optional(),
  action: str.optional(),
});
export type RelabelRaw = z.output<typeof relabelRawSchema>;

export const relabelListSchema = list(relabelRawSchema.nullable(), "[]*relabel.Config");

export const tlsRawSchema = obj("config.TLSConfig", {
  ca: str.optional(),
  ca_file: str.optional(),
  ca_ref: str.optional(),
  cert: str.optional(),
  cert_file: str.optional(),
  cert_ref: str.optional(),
  key: str.optional(),
  key_file: str.optional(),
  key_ref: str.optional(),
  server_name: str.optional(),
  insecure_skip_verify: bool.optional(),
  min_version: str.optional(),
  max_version: str.optional(),
});
export type TLSRaw = z.output<typeof tlsRawSchema>;

/** prometheus/common's HTTPClientConfig, inlined into scrape, SD and Alertmanager blocks. */
export const httpClientShape = {
  basic_auth: obj("config.BasicAuth", {
    username: str.optional(),
    username_file: str.optional(),
    username_ref: str.optional(),
    password: str.optional(),
    password_file: str.optional(),
    password_ref: str.optional(),
  }).optional(),
  authorization: obj("config.Authorization", {
    type: str.optional(),
    credentials: str.optional(),
    credentials_file: str.optional(),
    credentials_ref: str.optional(),
  }).optional(),
  // Kept but not interpreted (Vigil has no OAuth 2 client yet).
  oauth2: z.record(z.string(), z.unknown()).optional(),
  bearer_token: str.optional(),
  bearer_token_file: str.optional(),
  tls_config: tlsRawSchema.optional(),
  proxy_url: str.optional(),
  no_proxy: str.optional(),
  proxy_from_environment: bool.optional(),
  proxy_connect_header: z.record(z.string(), list(str)).optional(),
  follow_redirects: bool.optional(),
  enable_http2: bool.optional(),
  http_headers: z.record(z.string(), z.unknown()).optional(),
};

export const staticConfigRawSchema = obj("targetgroup.Group", {
  targets: list(str).optional(),
  labels: labelSet.optional(),
});

export const fileSDRawSchema = obj("file.SDConfig", {
  files: list(str).optional(),
  refresh_interval: duration.optional(),
});

export const httpSDRawSchema = obj("http.SDConfig", {
  ...httpClientShape,
  url: str.optional(),
  refresh_interval: duration.optional(),
});

export const dnsSDRawSchema = obj("dns.SDConfig", {
  names: list(str).optional(),
  refresh_interval: duration.optional(),
  type: str.optional(),
  port: uint.optional(),
});

/** Service discovery mechanisms Prometheus has and Vigil does not implement (accepted with a warning). */
export const UNSUPPORTED_SD_KEYS = [
  "azure_sd_configs",
  "consul_sd_configs",
  "digitalocean_sd_configs",
  "docker_sd_configs",
  "dockerswarm_sd_configs",
  "ec2_sd_configs",
  "eureka_sd_configs",
  "gce_sd_configs",
  "hetzner_sd_configs",
  "ionos_sd_configs",
  "kubernetes_sd_configs",
  "kuma_sd_configs",
  "lightsail_sd_configs",
  "linode_sd_configs",
  "marathon_sd_configs",
  "nerve_sd_configs",
  "nomad_sd_configs",
  "openstack_sd_configs",
  "ovhcloud_sd_configs",
  "puppetdb_sd_configs",
  "scaleway_sd_configs",
  "serverset_sd_configs",
  "stackit_sd_configs",
  "triton_sd_configs",
  "uyuni_sd_configs",
  "vultr_sd_configs",
] as const;

const sdShape = {
  static_configs: list(staticConfigRawSchema.nullable(), "[]*targetgroup.Group").optional(),
  file_sd_configs: list(fileSDRawSchema, "[]*file.SDConfig").optional(),
  http_sd_configs: list(httpSDRawSchema, "[]*http.SDConfig").optional(),
  dns_sd_configs: list(dnsSDRawSchema, "[]*dns.SDConfig").optional(),
  ...(Object.fromEntries(UNSUPPORTED_SD_KEYS.map((k) => [k, z.unknown().optional()])) as Record<(typeof UNSUPPORTED_SD_KEYS)[number], z.ZodOptional<z.ZodUnknown>>),
};

// ---------------------------------------------------------------------------
// Sections

export const globalRawSchema = obj("config.GlobalConfig", {
  scrape_interval: duration.optional(),
  scrape_timeout: duration.optional(),
  scrape_protocols: list(str, "[]config.ScrapeProtocol").optional(),
  evaluation_interval: duration.optional(),
  rule_query_offset: duration.optional(),
  query_log_file: str.optional(),
  scrape_failure_log_file: str.optional(),
  external_labels: labelSet.optional(),
  body_size_limit: byteSize.optional(),
  sample_limit: uint.optional(),
  target_limit: uint.optional(),
  label_limit: uint.optional(),
  label_name_length_limit: uint.optional(),
  label_value_length_limit: uint.optional(),
  keep_dropped_targets: uint.optional(),
  metric_name_validation_scheme: str.optional(),
  metric_name_escaping_scheme: str.optional(),
  always_scrape_classic_histograms: bool.optional(),
  convert_classic_histograms_to_nhcb: bool.optional(),
  scrape_native_histograms: bool.optional(),
  extra_scrape_metrics: bool.optional(),
});
export type GlobalRaw = z.output<typeof globalRawSchema>;

export const scrapeRawSchema = obj("config.ScrapeConfig", {
  job_name: str.optional(),
  honor_labels: bool.optional(),
  honor_timestamps: bool.optional(),
  track_timestamps_staleness: bool.optional(),
  params: z.record(z.string(), list(str)).optional(),
  scrape_interval: duration.optional(),
  scrape_timeout: duration.optional(),
  scrape_protocols: list(str, "[]config.ScrapeProtocol").optional(),
  fallback_scrape_protocol: str.optional(),
  always_scrape_classic_histograms: bool.optional(),
  convert_classic_histograms_to_nhcb: bool.optional(),
  scrape_native_histograms: bool.optional(),
  extra_scrape_metrics: bool.optional(),
  scrape_failure_log_file: str.optional(),
  metrics_path: str.optional(),
  scheme: str.optional(),
  enable_compression: bool.optional(),
  body_size_limit: byteSize.optional(),
  sample_limit: uint.optional(),
  target_limit: uint.optional(),
  label_limit: uint.optional(),
  label_name_length_limit: uint.optional(),
  label_value_length_limit: uint.optional(),
  native_histogram_bucket_limit: uint.optional(),
  native_histogram_min_bucket_factor: float.optional(),
  keep_dropped_targets: uint.optional(),
  metric_name_validation_scheme: str.optional(),
  metric_name_escaping_scheme: str.optional(),
  relabel_configs: relabelListSchema.optional(),
  metric_relabel_configs: relabelListSchema.optional(),
  ...httpClientShape,
  ...sdShape,
});
export type ScrapeRaw = z.output<typeof scrapeRawSchema>;

export const alertmanagerRawSchema = obj("config.AlertmanagerConfig", {
  ...httpClientShape,
  ...sdShape,
  sigv4: z.record(z.string(), z.unknown()).optional(),
  scheme: str.optional(),
  path_prefix: str.optional(),
  timeout: duration.optional(),
  api_version: str.optional(),
  relabel_configs: relabelListSchema.optional(),
  alert_relabel_configs: relabelListSchema.optional(),
});
export type AlertmanagerRaw = z.output<typeof alertmanagerRawSchema>;

export const alertingRawSchema = obj("config.AlertingConfig", {
  alert_relabel_configs: relabelListSchema.optional(),
  alertmanagers: list(alertmanagerRawSchema.nullable(), "[]*config.AlertmanagerConfig").optional(),
});

/** Top-level sections Prometheus has that Vigil keeps without interpreting. */
export const PASSTHROUGH_SECTIONS = ["runtime", "storage", "tracing", "remote_write", "remote_read", "otlp"] as const;

export const configRawSchema = obj("config.Config", {
  global: globalRawSchema.optional(),
  alerting: alertingRawSchema.optional(),
  rule_files: list(str).optional(),
  scrape_config_files: list(str).optional(),
  scrape_configs: list(scrapeRawSchema.nullable(), "[]*config.ScrapeConfig").optional(),
  ...(Object.fromEntries(PASSTHROUGH_SECTIONS.map((k) => [k, z.unknown().optional()])) as Record<(typeof PASSTHROUGH_SECTIONS)[number], z.ZodOptional<z.ZodUnknown>>),
});
export type ConfigRaw = z.output<typeof configRawSchema>;
