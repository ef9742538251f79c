import { compressSync } from "snappy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testBackends, type TestDatabase } from "@/server/testing/databases";
import { ensureProductionBuild, startServer } from "@/server/testing/next-server";
import { newMatcher } from "../storage/labels/matcher";
import { SeriesStore } from "../storage/store";
import { encodeWriteRequest } from "./proto";

const backends = await testBackends();

/**
 * Acknowledged means durable: requests are sent to the real production server
 * while it is killed with SIGKILL; afterwards every sample of every request
 * that got a 204 must be in the store.
 */
describe.each(backends)("kill -9 after 204 on $name", (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    ensureProductionBuild();
    db = await backend.create();
  }, 900_000);
  afterAll(async () => {
    await db?.destroy();
  });

  it("loses no acknowledged sample", async () => {
    const server = await startServer({ ...db.env, HEAD_FLUSH_INTERVAL: "1s" });
    const seriesCount = 50;
    const base = Date.now() - 60_000;
    const acked: number[] = [];
    let stop = false;
    // Request k carries one sample per series at timestamp base + k*10, value k.
    const sendOne = async (k: number) => {
      const body = compressSync(
        Buffer.from(
          encodeWriteRequest({
            timeseries: Array.from({ length: seriesCount }, (_, i) => ({
              labels: [
                { name: "__name__", value: "durable" },
                { name: "i", value: String(i) },
              ],
              samples: [{ value: k, timestamp: base + k * 10 }],
            })),
          }),
        ),
      );
      const res = await fetch(`${server.url}/api/v1/write`, {
        method: "POST",
        body: new Uint8Array(body),
        headers: { "content-encoding": "snappy", "content-type": "application/x-protobuf" },
      });
      if (res.status !== 204) throw new Error(`status ${res.status}: ${await res.text()}`);
    };
    // One sender, in order (as one remote-write shard): bounded to 3,000 requests or 20 s.
    const deadline = Date.now() + 20_000;
    const sender = (async () => {
      for (let k = 0; k < 3000 && !stop && Date.now() < deadline; k++) {
        try {
          await sendOne(k);
          acked.push(k);
        } catch {
          return; // the server died under us
        }
      }
    })();
    // Kill once a good number are acknowledged, while requests keep flowing (and flushes run).
    while (acked.length < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await server.kill9();
    stop = true;
    await sender;
    expect(acked.length).toBeGreaterThanOrEqual(300);

    const client = await db.open();
    try {
      const store = await SeriesStore.open(client);
      const got = await store.select([newMatcher("=", "__name__", "durable")], base - 1, base + 10 * 3000);
      expect(got).toHaveLength(seriesCount);
      const lastAcked = acked[acked.length - 1]!;
      for (const s of got) {
        // Every acknowledged request k is there with value k, in order, and nothing else is invented.
        const vals = [...s.v];
        const ts = [...s.t];
        expect(vals.length).toBeGreaterThanOrEqual(lastAcked + 1);
        for (let k = 0; k <= lastAcked; k++) {
          expect(ts[k]).toBe(base + k * 10);
          expect(vals[k]).toBe(k);
        }
      }
      await store.close({ flush: false });
    } finally {
      await client.close();
    }
  }, 300_000);
});
