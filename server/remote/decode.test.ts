import { compressSync } from "snappy";
import { describe, expect, it } from "vitest";
import type { Labels } from "../storage/labels/labels";
import { RemoteWriteError, SeriesKeyCache, decodeWriteRequest, uncompressSnappy } from "./decode";
import { encodeWriteRequest, type WriteRequestInit } from "./proto";

const STALE_NAN = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!;
const bits = (x: number) => {
  // Not `new Float64Array([x])`: an array literal would canonicalize the NaN payload.
  const f = new Float64Array(1);
  f[0] = x;
  return new BigUint64Array(f.buffer)[0]!;
};

function decode(req: WriteRequestInit | Uint8Array, cache = new SeriesKeyCache()) {
  const buf = req instanceof Uint8Array ? req : encodeWriteRequest(req);
  return decodeWriteRequest(buf, cache, () => undefined);
}

function expect400(fn: () => unknown, msg: RegExp) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RemoteWriteError);
    expect((err as RemoteWriteError).status).toBe(400);
    expect((err as Error).message).toMatch(msg);
    return;
  }
  throw new Error("expected a RemoteWriteError");
}

describe("remote write decoding", () => {
  it("decodes series, samples (bit-exact, negative and > 2^32 timestamps) and metadata", () => {
    const d = decode({
      timeseries: [
        {
          labels: [
            { name: "__name__", value: "up" },
            { name: "job", value: "node" },
          ],
          samples: [
            { value: 1, timestamp: 1_700_000_000_123 },
            { value: STALE_NAN, timestamp: 1_700_000_015_123 },
          ],
        },
        { labels: [{ name: "__name__", value: "neg" }], samples: [{ value: -2.5, timestamp: -1000 }] },
        { labels: [{ name: "__name__", value: "nosamples" }], samples: [] },
      ],
      metadata: [{ type: 1, metricFamilyName: "http_requests_total", help: "Requests.", unit: "" }],
    });
    expect(d.entries).toEqual([
      [
        { name: "__name__", value: "up" },
        { name: "job", value: "node" },
      ],
      [{ name: "__name__", value: "neg" }],
    ]);
    expect(Array.from(d.offsets)).toEqual([0, 2, 3]);
    expect(Array.from(d.t)).toEqual([1_700_000_000_123, 1_700_000_015_123, -1000]);
    expect(bits(d.v[1]!)).toBe(0x7ff0000000000002n);
    expect(d.v[2]).toBe(-2.5);
    expect(d.metadata).toEqual([{ metricFamily: "http_requests_total", type: "counter", help: "Requests.", unit: "" }]);
    expect(d.uncached.map((u) => u.index)).toEqual([0, 1]);
  });

  it("resolves a label set seen before through the byte-key cache", () => {
    const cache = new SeriesKeyCache();
    const req = { timeseries: [{ labels: [{ name: "__name__", value: "x" }], samples: [{ value: 1, timestamp: 1 }] }] };
    const first = decode(req, cache);
    const fake = { ref: 7 } as unknown as import("../storage/head").MemSeries;
    const u = first.uncached[0]!;
    cache.set(first.raw, u.start, u.end, fake);
    const second = decodeWriteRequest(encodeWriteRequest(req), cache, () => {
      throw new Error("labels must not be decoded again");
    });
    expect(second.entries[0]).toBe(fake);
  });

  it("drops labels with empty values, as absent labels", () => {
    const d = decode({
      timeseries: [
        {
          labels: [
            { name: "__name__", value: "x" },
            { name: "a", value: "" },
          ],
          samples: [{ value: 1, timestamp: 1 }],
        },
      ],
    });
    expect(d.entries[0] as Labels).toEqual([{ name: "__name__", value: "x" }]);
  });

  it("rejects bad input with 400 and a clear message", () => {
    const one = (labels: { name: string; value: string }[]) => ({ timeseries: [{ labels, samples: [{ value: 1, timestamp: 1 }] }] });
    expect400(() => decode(one([{ name: "job", value: "x" }])), /missing metric name/);
    expect400(
      () =>
        decode(
          one([
            { name: "__name__", value: "x" },
            { name: "b", value: "1" },
            { name: "a", value: "2" },
          ]),
        ),
      /out of order/,
    );
    expect400(
      () =>
        decode(
          one([
            { name: "__name__", value: "x" },
            { name: "a", value: "1" },
            { name: "a", value: "2" },
          ]),
        ),
      /duplicated label a/,
    );
    expect400(() => decode(new Uint8Array([0x0a, 0x05, 0x0a])), /protobuf/);
    expect400(() => decode(new Uint8Array([0xff, 0xff, 0xff])), /protobuf/);
    // Invalid UTF-8 in a label value.
    const bad = encodeWriteRequest(one([{ name: "__name__", value: "zz" }]));
    const i = Buffer.from(bad).indexOf("zz");
    const copy = Buffer.from(bad);
    copy[i] = 0xff;
    expect400(() => decode(copy), /UTF-8/);
  });

  it("rejects corrupt snappy with 400 and oversized bodies with 413", () => {
    expect400(() => uncompressSnappy(new Uint8Array([0x05, 0xff, 0xff]), 1 << 20), /snappy/);
    const big = compressSync(Buffer.alloc(4096));
    try {
      uncompressSnappy(big, 1024);
      throw new Error("expected 413");
    } catch (err) {
      expect((err as RemoteWriteError).status).toBe(413);
    }
    expect(uncompressSnappy(big, 8192).length).toBe(4096);
  });
});
