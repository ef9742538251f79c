import { describe, expect, it } from "vitest";
import { Engine, ALL_FEATURES } from "./engine";
import { BadQueryError, QueryCanceledError, QueryExecutionError, QueryTimeoutError, TooManySamplesError } from "./errors";
import { isStaleAt, makeStaleNaN, seriesPoints } from "./value";
import { MemoryQuerier } from "../promqltest/memory-querier";
import { PromQLParseError } from "../parser";

function setup(opts = {}) {
  const q = new MemoryQuerier();
  const times = Array.from({ length: 61 }, (_, i) => i * 60_000);
  const values = new Float64Array(times.length).map((_, i) => i);
  q.add([{ name: "__name__", value: "up" }, { name: "job", value: "a" }], times, values);
  q.add([{ name: "__name__", value: "up" }, { name: "job", value: "b" }], times, values.map((v) => v * 2));
  return { q, engine: new Engine(q, { ...ALL_FEATURES, ...opts }) };
}

describe("Engine", () => {
  it("returns the value types of instant queries", async () => {
    const { engine } = setup();
    expect((await engine.instantQuery("1 + 1", 0)).value).toEqual({ type: "scalar", value: { t: 0, v: 2 } });
    expect((await engine.instantQuery('"x"', 5000)).value).toEqual({ type: "string", value: { t: 5000, v: "x" } });
    const v = await engine.instantQuery('up{job="a"}', 600_000);
    expect(v.value).toEqual({ type: "vector", value: [{ metric: [{ name: "__name__", value: "up" }, { name: "job", value: "a" }], t: 600_000, f: 10 }] });
    const m = await engine.instantQuery('up{job="a"}[2m]', 600_000);
    expect(m.value.type).toBe("matrix");
    if (m.value.type === "matrix") expect(seriesPoints(m.value.value[0])).toEqual([{ t: 540_000, f: 9 }, { t: 600_000, f: 10 }]);
  });

  it("returns range query results sorted by labels", async () => {
    const { engine } = setup();
    const r = await engine.rangeQuery("up * 2", 0, 120_000, 60_000);
    expect(r.value.type).toBe("matrix");
    if (r.value.type !== "matrix") return;
    expect(r.value.value.map((s) => s.metric)).toEqual([[{ name: "job", value: "a" }], [{ name: "job", value: "b" }]]);
    expect(seriesPoints(r.value.value[1])).toEqual([
      { t: 0, f: 0 },
      { t: 60_000, f: 4 },
      { t: 120_000, f: 8 },
    ]);
  });

  it("rejects range queries over range vectors and bad steps", async () => {
    const { engine } = setup();
    await expect(engine.rangeQuery("up[5m]", 0, 60_000, 1000)).rejects.toThrow(
      new BadQueryError('invalid expression type "range vector" for range query, must be Scalar or instant Vector'),
    );
    await expect(engine.rangeQuery("up", 0, 60_000, 0)).rejects.toBeInstanceOf(BadQueryError);
  });

  it("throws parse errors with Prometheus's text", async () => {
    const { engine } = setup();
    await expect(engine.instantQuery("sum(", 0)).rejects.toBeInstanceOf(PromQLParseError);
  });

  it("reports execution errors and annotations", async () => {
    const { engine } = setup();
    await expect(engine.instantQuery("up + on() up", 0)).rejects.toBeInstanceOf(QueryExecutionError);
    const r = await engine.instantQuery("rate(up[5m])", 600_000);
    expect(r.annotations.infos).toEqual(['PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "up" (1:6)']);
  });

  it("enforces maxSamples, the timeout and cancellation", async () => {
    await expect(setup({ maxSamples: 10 }).engine.rangeQuery("up", 0, 3_600_000, 60_000)).rejects.toBeInstanceOf(TooManySamplesError);
    await expect(setup({ timeout: -1 }).engine.rangeQuery("up", 0, 3_600_000, 1000)).rejects.toBeInstanceOf(QueryTimeoutError);
    const ac = new AbortController();
    ac.abort();
    await expect(setup().engine.rangeQuery("up", 0, 3_600_000, 1000, { signal: ac.signal })).rejects.toBeInstanceOf(QueryCanceledError);
  });

  it("queues queries beyond maxConcurrent", async () => {
    const { engine } = setup({ maxConcurrent: 1 });
    const rs = await Promise.all([engine.instantQuery("up", 60_000), engine.instantQuery("up", 120_000)]);
    expect(rs.map((r) => r.value.type)).toEqual(["vector", "vector"]);
  });

  it("keeps staleness markers bit-exact in storage and honours them", async () => {
    const q = new MemoryQuerier();
    const vals = new Float64Array(3);
    vals[0] = 1;
    vals.set(makeStaleNaN(), 1);
    vals[2] = 3;
    q.add([{ name: "__name__", value: "m" }], [0, 60_000, 120_000], vals);
    const [s] = await q.select([], -Infinity, Infinity);
    expect(isStaleAt(s.v, 1)).toBe(true);
    expect(isStaleAt(s.v, 0)).toBe(false);
    const engine = new Engine(q);
    const r = await engine.instantQuery("m", 90_000);
    expect(r.value).toEqual({ type: "vector", value: [] });
  });
});
