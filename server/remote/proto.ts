import protobuf from "protobufjs/light.js";

/**
 * The remote-write 1.0 messages (prometheus/prompb types.proto and remote.proto),
 * as a protobufjs reflection root. Field numbers follow the upstream definitions.
 */
const root = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: {
          fields: {
            timeseries: { rule: "repeated", type: "TimeSeries", id: 1 },
            metadata: { rule: "repeated", type: "MetricMetadata", id: 3 },
          },
          reserved: [[2, 2]],
        },
        MetricMetadata: {
          fields: {
            type: { type: "MetricType", id: 1 },
            metricFamilyName: { type: "string", id: 2 },
            help: { type: "string", id: 4 },
            unit: { type: "string", id: 5 },
          },
          nested: {
            MetricType: {
              values: { UNKNOWN: 0, COUNTER: 1, GAUGE: 2, HISTOGRAM: 3, GAUGEHISTOGRAM: 4, SUMMARY: 5, INFO: 6, STATESET: 7 },
            },
          },
        },
        Sample: { fields: { value: { type: "double", id: 1 }, timestamp: { type: "int64", id: 2 } } },
        Exemplar: {
          fields: {
            labels: { rule: "repeated", type: "Label", id: 1 },
            value: { type: "double", id: 2 },
            timestamp: { type: "int64", id: 3 },
          },
        },
        TimeSeries: {
          fields: {
            labels: { rule: "repeated", type: "Label", id: 1 },
            samples: { rule: "repeated", type: "Sample", id: 2 },
            exemplars: { rule: "repeated", type: "Exemplar", id: 3 },
            // Native histograms (field 4) are not stored yet; see decode.ts.
          },
        },
        Label: { fields: { name: { type: "string", id: 1 }, value: { type: "string", id: 2 } } },
      },
    },
  },
});

export const WriteRequestType = root.lookupType("prometheus.WriteRequest");
export const LabelType = root.lookupType("prometheus.Label");
export const MetricMetadataType = root.lookupType("prometheus.MetricMetadata");

/** The metadata type names as Prometheus's API reports them. */
export const METRIC_TYPE_NAMES = ["unknown", "counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset"];

export interface WriteRequestInit {
  timeseries: { labels: { name: string; value: string }[]; samples: { value: number; timestamp: number }[] }[];
  metadata?: { type: number; metricFamilyName: string; help: string; unit: string }[];
}

/** Encodes a WriteRequest (not snappy-compressed); for tests, benchmarks and clients. */
export function encodeWriteRequest(req: WriteRequestInit): Uint8Array {
  return WriteRequestType.encode(WriteRequestType.fromObject(req)).finish();
}
