import { describe, expect, it } from "vitest";
import { labelsToRecord } from "@/server/storage/labels/labels";
import { relabel } from "@/server/relabel";
import { labelsFromRecord } from "@/server/storage/labels/labels";
import { ConfigError, configToYAML, defaultConfig, loadConfig, loadConfigWithWarnings } from "./index";

const load = (text: string) => loadConfig(text, "prometheus.yml");
const fails = (text: string): ConfigError => {
  try {
    load(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error("expected a ConfigError");
};

describe("defaults", () => {
  it("an empty file is Prometheus's default configuration", () => {
    for (const text of ["", "global:\n", "# nothing\n"]) {
      const c = load(text);
      expect(c.global).toMatchObject({ scrapeInterval: 60_000, scrapeTimeout: 10_000, evaluationInterval: 60_000, externalLabels: [], sampleLimit: 0 });
      expect(c.global.scrapeProtocols).toEqual(["OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4"]);
      expect(c.scrapeConfigs).toEqual([]);
      expect(c.ruleFiles).toEqual([]);
      expect(c.alerting).toEqual({ alertRelabelConfigs: [], alertmanagers: [] });
    }
  });

  it("scrape configs take Prometheus's defaults and inherit from global", () => {
    const c = load(`
global:
  scrape_interval: 15s
  sample_limit: 1000
  external_labels: {region: eu, dc: a}
scrape_configs:
  - job_name: a
    static_configs:
      - targets: [localhost:9090]
  - job_name: b
    scrape_interval: 5s
  - job_name: c
    scrape_interval: 0s
    sample_limit: 10
`);
    const [a, b, cc] = c.scrapeConfigs;
    expect(a).toMatchObject({
      jobName: "a",
      scrapeInterval: 15_000,
      scrapeTimeout: 10_000,
      metricsPath: "/metrics",
      scheme: "http",
      honorLabels: false,
      honorTimestamps: true,
      enableCompression: true,
      sampleLimit: 1000,
      params: {},
      relabelConfigs: [],
      metricRelabelConfigs: [],
    });
    expect(a.httpClient).toMatchObject({ followRedirects: true, enableHTTP2: true, basicAuth: null, authorization: null });
    expect(a.staticConfigs).toEqual([{ targets: ["localhost:9090"], labels: [], source: "0" }]);
    // The default timeout (10s) is capped by a shorter interval.
    expect(b).toMatchObject({ scrapeInterval: 5_000, scrapeTimeout: 5_000 });
    // Zero means "unset", as in Go.
    expect(cc).toMatchObject({ scrapeInterval: 15_000, sampleLimit: 10 });
    expect(labelsToRecord(c.global.externalLabels)).toEqual({ dc: "a", region: "eu" });
  });

  it("defaultConfig scrapes Vigil itself every 15 s", () => {
    const c = defaultConfig("localhost:9090");
    expect(c.scrapeConfigs).toHaveLength(1);
    expect(c.scrapeConfigs[0]).toMatchObject({ jobName: "vigil", scrapeInterval: 15_000, scrapeTimeout: 10_000, metricsPath: "/metrics" });
    expect(c.scrapeConfigs[0].staticConfigs[0].targets).toEqual(["localhost:9090"]);
  });
});

describe("a full configuration", () => {
  const text = `
global:
  scrape_interval: 30s
  scrape_timeout: 20s
  evaluation_interval: 1m
  scrape_protocols: [PrometheusText0.0.4]
rule_files:
  - rules/*.yml
  - /etc/prometheus/alerts.yml
alerting:
  alert_relabel_configs:
    - regex: replica
      action: labeldrop
  alertmanagers:
    - scheme: https
      path_prefix: /am
      timeout: 5s
      static_configs:
        - targets: ["am1:9093", "am2:9093"]
scrape_configs:
  - job_name: node
    scrape_interval: 10s
    scrape_timeout: 5s
    metrics_path: /probe
    scheme: https
    params:
      module: [http_2xx]
    basic_auth:
      username: u
      password_file: /secrets/p
    tls_config:
      ca_file: /ca.pem
      cert_file: /c.pem
      key_file: /k.pem
      server_name: node.example
      insecure_skip_verify: yes
    honor_labels: true
    honor_timestamps: false
    sample_limit: 5000
    label_limit: 30
    label_name_length_limit: 100
    label_value_length_limit: 200
    body_size_limit: 10MB
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__meta_x]
        regex: (.+)
        action: keep
      - source_labels: [instance]
        modulus: 4
        target_label: shard
        action: HashMod
    metric_relabel_configs:
      - regex: go_.*
        source_labels: [__name__]
        action: drop
    static_configs:
      - targets: [a:9100, 10.0.0.1:9100, "1234:9090"]
        labels: {env: prod}
    file_sd_configs:
      - files: [targets/*.json, more.yml]
        refresh_interval: 1m
    http_sd_configs:
      - url: http://sd.example/targets
        authorization:
          credentials: token
    dns_sd_configs:
      - names: [_node._tcp.example.com]
      - names: [db.example.com]
        type: a
        port: 9187
  - job_name: bearer
    bearer_token: abc
`;

  it("parses every field", () => {
    const c = load(text);
    expect(c.global).toMatchObject({ scrapeInterval: 30_000, scrapeTimeout: 20_000, evaluationInterval: 60_000, scrapeProtocols: ["PrometheusText0.0.4"] });
    expect(c.ruleFiles).toEqual(["rules/*.yml", "/etc/prometheus/alerts.yml"]);
    expect(c.alerting.alertRelabelConfigs[0]).toMatchObject({ action: "labeldrop", regex: "replica" });
    expect(c.alerting.alertmanagers[0]).toMatchObject({ scheme: "https", pathPrefix: "/am", timeout: 5_000, apiVersion: "v2" });
    expect(c.alerting.alertmanagers[0].staticConfigs[0].targets).toEqual(["am1:9093", "am2:9093"]);

    const node = c.scrapeConfigs[0];
    expect(node).toMatchObject({
      jobName: "node",
      scrapeInterval: 10_000,
      scrapeTimeout: 5_000,
      metricsPath: "/probe",
      scheme: "https",
      params: { module: ["http_2xx"] },
      honorLabels: true,
      honorTimestamps: false,
      sampleLimit: 5000,
      labelLimit: 30,
      labelNameLengthLimit: 100,
      labelValueLengthLimit: 200,
      bodySizeLimit: 10 * 1024 * 1024,
      scrapeProtocols: ["PrometheusText0.0.4"],
    });
    expect(node.httpClient.basicAuth).toEqual({ username: "u", usernameFile: "", password: "", passwordFile: "/secrets/p" });
    expect(node.httpClient.tlsConfig).toMatchObject({ caFile: "/ca.pem", certFile: "/c.pem", keyFile: "/k.pem", serverName: "node.example", insecureSkipVerify: true });
    expect(node.relabelConfigs.map((r) => r.action)).toEqual(["replace", "keep", "hashmod"]);
    expect(node.relabelConfigs[0]).toEqual({ sourceLabels: ["__address__"], separator: ";", regex: "(.*)", modulus: 0, targetLabel: "__param_target", replacement: "$1", action: "replace" });
    expect(node.metricRelabelConfigs[0]).toMatchObject({ action: "drop", regex: "go_.*" });
    // YAML 1.1 without sexagesimal numbers: 1234:9090 stays a host:port.
    expect(node.staticConfigs).toEqual([{ targets: ["a:9100", "10.0.0.1:9100", "1234:9090"], labels: [{ name: "env", value: "prod" }], source: "0" }]);
    expect(node.fileSDConfigs).toEqual([{ files: ["targets/*.json", "more.yml"], refreshInterval: 60_000 }]);
    expect(node.httpSDConfigs[0]).toMatchObject({ url: "http://sd.example/targets", refreshInterval: 60_000 });
    expect(node.httpSDConfigs[0].httpClient.authorization).toEqual({ type: "Bearer", credentials: "token", credentialsFile: "" });
    expect(node.dnsSDConfigs).toEqual([
      { names: ["_node._tcp.example.com"], refreshInterval: 30_000, type: "SRV", port: 0 },
      { names: ["db.example.com"], refreshInterval: 30_000, type: "A", port: 9187 },
    ]);
    // bearer_token becomes an authorization header, as Prometheus rewrites it.
    expect(c.scrapeConfigs[1].httpClient.authorization).toEqual({ type: "Bearer", credentials: "abc", credentialsFile: "" });
    // The scrape config inherits the global timeout (20s) capped by its 30s interval.
    expect(c.scrapeConfigs[1]).toMatchObject({ scrapeInterval: 30_000, scrapeTimeout: 20_000 });
  });

  it("marshals back to YAML that loads to the same configuration, with secrets hidden", () => {
    const c = load(text.replace("password_file: /secrets/p", "password: hunter2"));
    const out = configToYAML(c);
    expect(out).not.toContain("hunter2");
    expect(out).not.toContain("credentials: token");
    expect(out).toContain("password: <secret>");
    expect(out).toContain("body_size_limit: 10MiB");
    expect(out).toMatch(/^global:\n  scrape_interval: 30s\n  scrape_timeout: 20s\n/);
    const back = load(out);
    // Only the secrets differ after the round trip.
    back.scrapeConfigs[0].httpClient.basicAuth!.password = "hunter2";
    back.scrapeConfigs[0].httpSDConfigs[0].httpClient.authorization!.credentials = "token";
    back.scrapeConfigs[1].httpClient.authorization!.credentials = "abc";
    expect(back).toEqual(c);
  });

  it("parsed relabel rules run", () => {
    const c = load(text);
    const out = relabel(labelsFromRecord({ __address__: "a:9100", __meta_x: "1", instance: "a:9100" }), c.scrapeConfigs[0].relabelConfigs);
    expect(out && labelsToRecord(out)).toMatchObject({ __param_target: "a:9100", shard: expect.stringMatching(/^[0-3]$/) });
  });

  it("scalars resolve as yaml.v2 resolves them", () => {
    const c = load(`
scrape_configs:
  - job_name: e500
    static_configs: [{targets: ["a:1"], labels: {dot: ., plain: e5}}]
  - job_name: 1e3
`);
    // yaml.v2 would keep "1e3" as written for a string field; we see the number.
    expect(c.scrapeConfigs.map((s) => s.jobName)).toEqual(["e500", "1000"]);
    expect(labelsToRecord(c.scrapeConfigs[0].staticConfigs[0].labels)).toMatchObject({ dot: ".", plain: "e5" });
  });

  it("anchors and merge keys work as in yaml.v2", () => {
    const c = load(`
scrape_configs:
  - &base
    job_name: a
    scrape_interval: 7s
    metrics_path: /m
  - <<: *base
    job_name: b
`);
    expect(c.scrapeConfigs.map((s) => [s.jobName, s.scrapeInterval, s.metricsPath])).toEqual([
      ["a", 7_000, "/m"],
      ["b", 7_000, "/m"],
    ]);
  });
});

describe("errors name the file, line, column and field", () => {
  it("scrape timeout greater than interval", () => {
    const e = fails(`global:
  scrape_interval: 15s
scrape_configs:
  - job_name: other
  - job_name: node
    scrape_interval: 5s
    scrape_timeout: 10s
`);
    expect(e.message).toBe('prometheus.yml:7:5: scrape_configs[1].scrape_timeout: scrape timeout greater than scrape interval for scrape config with job name "node"');
    expect([e.line, e.column, e.path]).toEqual([7, 5, "scrape_configs[1].scrape_timeout"]);
  });

  it.each([
    ["global:\n  scrape_timeout: 2m\n", "prometheus.yml:2:3: global.scrape_timeout: global scrape timeout greater than scrape interval"],
    ["scrape_configs:\n  - job_name: a\n  - job_name: a\n", 'prometheus.yml:3:5: scrape_configs[1].job_name: found multiple scrape configs with job name "a"'],
    ["scrape_configs:\n  - job_name: a\n    scrape_intervl: 5s\n", "prometheus.yml:3:5: scrape_configs[0].scrape_intervl: field scrape_intervl not found in type config.ScrapeConfig"],
    ["globl: {}\n", "prometheus.yml:1:1: globl: field globl not found in type config.Config"],
    ["global:\n  scrape_interval: 15x\n", 'prometheus.yml:2:3: global.scrape_interval: unknown unit "x" in duration "15x"'],
    ["global:\n  scrape_interval: 1.5s\n", 'prometheus.yml:2:3: global.scrape_interval: unknown unit "." in duration "1.5s"'],
    ["scrape_configs:\n  - job_name: a\n    sample_limit: lots\n", "prometheus.yml:3:5: scrape_configs[0].sample_limit: cannot unmarshal !!str `lots` into uint"],
    ["scrape_configs:\n  - job_name: a\n    honor_labels: maybe\n", "prometheus.yml:3:5: scrape_configs[0].honor_labels: cannot unmarshal !!str `maybe` into bool"],
    ["scrape_configs: foo\n", "prometheus.yml:1:1: scrape_configs: cannot unmarshal !!str `foo` into []*config.ScrapeConfig"],
    ["scrape_configs:\n  - foo\n", "prometheus.yml:2:5: scrape_configs[0]: cannot unmarshal !!str `foo` into config.ScrapeConfig"],
    ["scrape_configs:\n  -\n", "prometheus.yml:2:4: scrape_configs[0]: empty or null scrape config section"],
    ["scrape_configs:\n  - scrape_interval: 5s\n", "prometheus.yml:2:5: scrape_configs[0]: job_name is empty"],
    ["global:\n  a: [\n", "prometheus.yml:3:1: yaml:"],
    ["global: {}\nglobal: {}\n", "prometheus.yml:2:1: yaml: Map keys must be unique"],
    ["rule_files: ['a/*/b.yml']\n", 'prometheus.yml:1:14: rule_files[0]: invalid rule file path "a/*/b.yml"'],
    [
      "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: explode\n",
      'prometheus.yml:4:9: scrape_configs[0].relabel_configs[0].action: unknown relabel action "explode"',
    ],
    [
      "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: hashmod\n        target_label: x\n",
      "prometheus.yml:4:9: scrape_configs[0].relabel_configs[0]: relabel configuration for hashmod requires non-zero modulus",
    ],
    [
      "scrape_configs:\n  - job_name: a\n    metric_relabel_configs:\n      - regex: '(a'\n        action: drop\n",
      "prometheus.yml:4:9: scrape_configs[0].metric_relabel_configs[0].regex: error parsing regexp: missing closing ): `^(?s:(a)$`",
    ],
    [
      "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - source_labels: ['']\n        target_label: x\n",
      'prometheus.yml:4:25: scrape_configs[0].relabel_configs[0].source_labels[0]: "" is not a valid label name',
    ],
    ["scrape_configs:\n  - job_name: a\n    relabel_configs: [null]\n", "scrape_configs[0].relabel_configs[0]: empty or null target relabeling rule in scrape config"],
    [
      "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['http://x:9100/metrics']\n",
      'prometheus.yml:4:19: scrape_configs[0].static_configs[0].targets[0]: "http://x:9100/metrics" is not a valid hostname',
    ],
    ["scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - files: [t.txt]\n", 'scrape_configs[0].file_sd_configs[0].files[0]: path name "t.txt" is not valid for file discovery'],
    ["scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - refresh_interval: 1m\n", "file service discovery config must contain at least one path name"],
    ["scrape_configs:\n  - job_name: a\n    dns_sd_configs:\n      - names: [x]\n        type: A\n", "scrape_configs[0].dns_sd_configs[0]: a port is required in DNS-SD configs for all record types except SRV"],
    ["scrape_configs:\n  - job_name: a\n    dns_sd_configs:\n      - names: [x]\n        type: TXT\n", "scrape_configs[0].dns_sd_configs[0].type: invalid DNS-SD records type TXT"],
    ["scrape_configs:\n  - job_name: a\n    dns_sd_configs:\n      - port: 1\n", "DNS-SD config must contain at least one SRV record name"],
    ["scrape_configs:\n  - job_name: a\n    http_sd_configs:\n      - url: ftp://x/\n", "scrape_configs[0].http_sd_configs[0].url: URL scheme must be 'http' or 'https'"],
    ["scrape_configs:\n  - job_name: a\n    http_sd_configs:\n      - refresh_interval: 1m\n", "scrape_configs[0].http_sd_configs[0]: URL is missing"],
    [
      "scrape_configs:\n  - job_name: a\n    basic_auth: {username: u}\n    authorization: {credentials: c}\n",
      "scrape_configs[0].authorization: at most one of basic_auth, oauth2 & authorization must be configured",
    ],
    ["scrape_configs:\n  - job_name: a\n    bearer_token: a\n    bearer_token_file: b\n", "at most one of bearer_token & bearer_token_file must be configured"],
    ["scrape_configs:\n  - job_name: a\n    authorization: {type: Basic}\n", 'authorization type cannot be set to "basic", use "basic_auth" instead'],
    ["scrape_configs:\n  - job_name: a\n    tls_config: {cert_file: c}\n", "exactly one of key or key_file must be configured when a client certificate is configured"],
    ["scrape_configs:\n  - job_name: a\n    tls_config: {min_version: TLS9}\n", "unknown TLS version: TLS9"],
    ["scrape_configs:\n  - job_name: a\n    tls_config: {ca_filee: x}\n", "scrape_configs[0].tls_config.ca_filee: field ca_filee not found in type config.TLSConfig"],
    [
      "scrape_configs:\n  - job_name: a\n    scrape_protocols: [Foo]\n",
      'scrape_protocols: unknown scrape protocol Foo, supported: [OpenMetricsText0.0.1 OpenMetricsText1.0.0 PrometheusProto PrometheusText0.0.4 PrometheusText1.0.0] for scrape config with job name "a"',
    ],
    ["global:\n  scrape_protocols: []\n", "global.scrape_protocols: scrape_protocols cannot be empty for global config"],
    ["global:\n  external_labels: {'': x}\n", 'prometheus.yml:2:21: global.external_labels[""]: "" is not a valid label name'],
    ["global:\n  body_size_limit: 10XB\n", "global.body_size_limit: units: unknown unit XB in 10XB"],
    ["scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action:\n", "scrape_configs[0].relabel_configs[0].action: relabel action cannot be empty"],
    ["scrape_configs:\n  - job_name: a\n    static_configs:\n      -\n", "prometheus.yml:4:8: scrape_configs[0].static_configs[0]: empty or null section in static_configs"],
    ["scrape_configs:\n  - job_name: a\n    body_size_limit: 100\n", "scrape_configs[0].body_size_limit: units: unknown unit  in 100"],
    ["scrape_configs:\n  - job_name: a\n    metric_name_validation_scheme: legacy\n", "utf8 metric names requested but validation scheme is not set to UTF8"],
    ["global:\n  metric_name_escaping_scheme: weird\n", `unknown global name escaping method specified, must be one of 'allow-utf-8', 'underscores', 'dots', or 'values', got "weird"`],
    ["alerting:\n  alertmanagers:\n    - api_version: v1\n", "alerting.alertmanagers[0].api_version: expected Alertmanager api version to be one of [v2] but got v1"],
  ])("%j", (text, message) => {
    expect(fails(text).message).toContain(message);
  });
});

describe("null values", () => {
  it("set scalars to Go's zero value and leave objects, lists and maps absent", () => {
    const c = load(`
global:
scrape_configs:
  - job_name: a
    metrics_path:
    honor_timestamps:
    scrape_interval:
    basic_auth:
    params:
    static_configs:
    relabel_configs:
      - source_labels: [x]
        regex:
        action: keep
      - source_labels:
        regex: tmp.*
        action: labeldrop
    metric_name_validation_scheme: legacy
    metric_name_escaping_scheme: underscores
`);
    const a = c.scrapeConfigs[0];
    expect(a).toMatchObject({ metricsPath: "", honorTimestamps: false, scrapeInterval: 60_000, params: {}, staticConfigs: [], metricNameValidationScheme: "legacy" });
    expect(a.httpClient.basicAuth).toBeNull();
    // `regex:` with no value is the empty regex, which matches only "".
    expect(a.relabelConfigs[0].regex).toBe("");
    expect(relabel(labelsFromRecord({ y: "1" }), a.relabelConfigs.slice(0, 1))).not.toBeNull();
    expect(relabel(labelsFromRecord({ x: "1" }), a.relabelConfigs.slice(0, 1))).toBeNull();
  });
});

describe("Prometheus sections Vigil does not act on", () => {
  it("are accepted with warnings or kept as written", () => {
    const { config, warnings } = loadConfigWithWarnings(
      `remote_write:
  - url: http://rw/
storage:
  tsdb: {out_of_order_time_window: 10m}
scrape_configs:
  - job_name: k8s
    kubernetes_sd_configs:
      - role: pod
`,
      "p.yml",
    );
    expect(config.passthrough.remote_write).toEqual([{ url: "http://rw/" }]);
    expect(warnings).toEqual([
      { file: "p.yml", line: 7, column: 5, path: "scrape_configs[0].kubernetes_sd_configs", message: "kubernetes_sd_configs is not supported by Vigil; its targets are not discovered" },
    ]);
  });
});
