import { compressSync } from "snappy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SqlClient } from "@/db/client";
import { testBackends, type TestDatabase } from "@/server/testing/databases";
import { newMatcher } from "../storage/labels/matcher";
import { SeriesStore } from "../storage/store";
import { SeriesKeyCache } from "./decode";
import { encodeWriteRequest, type WriteRequestInit } from "./proto";
import { handleRemoteWrite } from "./write-handler";

const backends = await testBackends();
const NOW = 1_800_000_000_000;

function post(body: Uint8Array, headers: Record<string, string> = {}): Request {
  return new Request("http://127.0.0.1/api/v1/write", {
    method: "POST",
    body: body as Uint8Array<ArrayBuffer>,
    headers: { "content-type": "application/x-protobuf", "content-encoding": "snappy", ...headers },
  });
}
const rw = (req: WriteRequestInit) => compressSync(Buffer.from(encodeWriteRequest(req)));

describe.each(backends)("remote write receiver on $name", (backend) => {
  let db: TestDatabase;
  let client: SqlClient;
  let store: SeriesStore;
  let cache: SeriesKeyCache;
  const opts = { maxBodyBytes: 64 * 1024, maxDecompressedBytes: 1 << 20 };
  const send = (body: Uint8Array, headers?: Record<string, string>) => handleRemoteWrite(post(body, headers), store, cache, opts);
  const snapshot = async () => {
    const s = await store.select([newMatcher("=~", "__name__", ".+")], 0, NOW * 2);
    return { series: store.numSeries, data: s.map((x) => [x.labels, [...x.t], [...x.v]]) };
  };

  beforeEach(async () => {
    db = await backend.create();
    client = await db.open();
    store = await SeriesStore.open(client, { now: () => NOW });
    cache = new SeriesKeyCache();
  });
  afterEach(async () => {
    await client.close();
    await db.destroy();
  });

  it("answers 204 once stored, and keeps metadata", async () => {
    const labels = [
      { name: "__name__", value: "node_cpu_seconds_total" },
      { name: "cpu", value: "0" },
      { name: "mode", value: "idle" },
    ];
    for (let k = 0; k < 3; k++) {
      const res = await send(rw({ timeseries: [{ labels, samples: [{ value: k * 1.5, timestamp: NOW - 60_000 + k * 15_000 }] }] }));
      expect(res.status).toBe(204);
    }
    const res = await send(rw({ timeseries: [], metadata: [{ type: 1, metricFamilyName: "node_cpu_seconds_total", help: "Seconds.", unit: "seconds" }] }));
    expect(res.status).toBe(204);
    const got = await store.select([newMatcher("=", "mode", "idle")], 0, NOW);
    expect(got).toHaveLength(1);
    expect([...got[0]!.v]).toEqual([0, 1.5, 3]);
    expect(await store.getMetadata("node_cpu_seconds_total")).toEqual([
      { metricFamily: "node_cpu_seconds_total", type: "counter", help: "Seconds.", unit: "seconds" },
    ]);
    expect(cache.size).toBe(1);
  });

  it("rejects each kind of bad body with 400 and stores nothing from it", async () => {
    const good = { labels: [{ name: "__name__", value: "ok" }], samples: [{ value: 1, timestamp: NOW - 1000 }] };
    expect((await send(rw({ timeseries: [good] }))).status).toBe(204);
    const before = await snapshot();
    const bad: [string, Uint8Array, RegExp][] = [
      ["bad snappy", new Uint8Array([0x10, 0xff, 0x00, 0x01]), /snappy/],
      ["bad protobuf", compressSync(Buffer.from([0x0a, 0x20, 0x01])), /protobuf/],
      [
        "no __name__",
        rw({ timeseries: [{ labels: [{ name: "new", value: "1" }], samples: [{ value: 1, timestamp: NOW }] }] }),
        /missing metric name/,
      ],
      [
        "invalid label name",
        rw({
          timeseries: [
            { labels: [{ name: "__name__", value: "fresh" }], samples: [{ value: 1, timestamp: NOW }] },
            { labels: [{ name: "__name__", value: "x" }, { name: "\uD800", value: "1" }], samples: [{ value: 1, timestamp: NOW }] },
          ],
        }),
        /not valid|UTF-8/,
      ],
      [
        "duplicate label name",
        rw({
          timeseries: [
            { labels: [{ name: "__name__", value: "fresh" }], samples: [{ value: 1, timestamp: NOW }] },
            { labels: [{ name: "__name__", value: "x" }, { name: "a", value: "1" }, { name: "a", value: "2" }], samples: [{ value: 1, timestamp: NOW }] },
          ],
        }),
        /duplicated label/,
      ],
      [
        "unsorted labels",
        rw({
          timeseries: [
            { labels: [{ name: "__name__", value: "fresh" }], samples: [{ value: 1, timestamp: NOW }] },
            { labels: [{ name: "__name__", value: "x" }, { name: "b", value: "1" }, { name: "a", value: "2" }], samples: [{ value: 1, timestamp: NOW }] },
          ],
        }),
        /out of order/,
      ],
      [
        "out-of-order sample after good ones",
        rw({ timeseries: [{ labels: [{ name: "__name__", value: "fresh" }], samples: [{ value: 1, timestamp: NOW }] }, { ...good, samples: [{ value: 1, timestamp: NOW - 5000 }] }] }),
        /out of order sample/,
      ],
    ];
    for (const [what, body, msg] of bad) {
      const res = await send(body);
      expect(res.status, what).toBe(400);
      expect(await res.text(), what).toMatch(msg);
      expect(await snapshot(), what).toEqual(before);
    }
  });

  it("answers 413 above the body limit and 415 for remote write 2.0", async () => {
    const big = new Uint8Array(opts.maxBodyBytes + 1);
    const res = await send(big);
    expect(res.status).toBe(413);
    const v2 = await send(rw({ timeseries: [] }), { "content-type": "application/x-protobuf;proto=io.prometheus.write.v2.Request" });
    expect(v2.status).toBe(415);
  });
});
