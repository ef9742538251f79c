import { describe, expect, it } from "vitest";
import { getLabel, labelsFromRecord, type Labels } from "../labels/labels";
import { newMatcher, type Matcher, type MatchType } from "../labels/matcher";
import { MemPostings } from "./postings";

const L = (rec: Record<string, string>) => labelsFromRecord(rec);
const M = (type: MatchType, name: string, value: string) => newMatcher(type, name, value);

function bruteForce(all: Map<number, Labels>, ms: Matcher[]): number[] {
  if (ms.length === 0) return [];
  const out: number[] = [];
  for (const [ref, ls] of all) {
    if (ms.every((m) => m.matches(getLabel(ls, m.name)))) out.push(ref);
  }
  return out.sort((a, b) => a - b);
}

describe("select semantics (PostingsForMatchers)", () => {
  const idx = new MemPostings();
  const series: [number, Labels][] = [
    [1, L({ n: "1" })],
    [2, L({ n: "1", i: "a" })],
    [3, L({ n: "1", i: "b" })],
    [4, L({ n: "2" })],
    [5, L({ n: "2.5" })],
    [6, L({ n: "1", i: "\n" })],
  ];
  for (const [ref, ls] of series) idx.add(ref, ls);
  const cases: [Matcher[], number[]][] = [
    [[M("=", "n", "1")], [1, 2, 3, 6]],
    [[M("=", "n", "1"), M("=", "i", "a")], [2]],
    [[M("=", "n", "1"), M("=", "i", "missing")], []],
    [[M("=", "i", "")], [1, 4, 5]],
    [[M("!=", "i", "")], [2, 3, 6]],
    [[M("=", "n", "1"), M("=", "i", "")], [1]],
    [[M("=", "n", "1"), M("!=", "i", "")], [2, 3, 6]],
    [[M("=", "n", "1"), M("!=", "i", "a")], [1, 3, 6]],
    [[M("=", "n", "1"), M("=~", "i", "a|")], [1, 2]],
    [[M("=", "n", "1"), M("!~", "i", "a")], [1, 3, 6]],
    [[M("=", "n", "1"), M("!~", "i", "a|")], [3, 6]],
    [[M("=", "n", "1"), M("=~", "i", ".+")], [2, 3, 6]],
    [[M("=", "n", "1"), M("=~", "i", ".*")], [1, 2, 3, 6]],
    [[M("=", "n", "1"), M("!~", "i", ".*")], []],
    [[M("=", "n", "1"), M("!~", "i", ".+")], [1]],
    [[M("=", "n", "1"), M("=~", "i", "(?-s).+")], [2, 3]],
    [[M("=~", "n", "1|2")], [1, 2, 3, 4, 6]],
    [[M("=~", "n", "2.*")], [4, 5]],
    [[M("=~", "n", "2\\..*")], [5]],
    [[M("!~", "n", "1")], [4, 5]],
    [[M("=~", "i", "")], [1, 4, 5]],
    [[M("!=", "missing", "x")], [1, 2, 3, 4, 5, 6]],
    [[M("=", "missing", "")], [1, 2, 3, 4, 5, 6]],
    [[M("=", "missing", "x")], []],
    [[M("=~", "missing", "x|")], [1, 2, 3, 4, 5, 6]],
    [[M("!=", "n", "1"), M("!=", "n", "2")], [5]],
    [[M("=~", "i", "(?i)A")], [2]],
    [[], []],
  ];
  for (const [ms, want] of cases) {
    it(`{${ms.map(String).join(", ")}} → [${want}]`, () => {
      expect(Array.from(idx.select(ms))).toEqual(want);
      expect(bruteForce(new Map(series), ms)).toEqual(want);
    });
  }
});

describe("MemPostings", () => {
  it("interns names and values across series", () => {
    const idx = new MemPostings();
    idx.add(1, L({ __name__: "up", job: "node" }));
    idx.add(2, L({ __name__: "up", job: "node", instance: "a" }));
    const a = idx.get(1) as Labels;
    const b = idx.get(2) as Labels;
    expect(a[1]).toBe(b[2]); // the same job="node" pair object
    expect(a).toEqual([
      { name: "__name__", value: "up" },
      { name: "job", value: "node" },
    ]);
    expect(JSON.stringify(a)).toBe('[{"name":"__name__","value":"up"},{"name":"job","value":"node"}]');
  });

  it("drops empty values and sorts input labels", () => {
    const idx = new MemPostings();
    idx.add(1, [
      { name: "z", value: "1" },
      { name: "a", value: "" },
      { name: "b", value: "2" },
    ]);
    expect(idx.get(1)).toEqual([
      { name: "b", value: "2" },
      { name: "z", value: "1" },
    ]);
    expect(idx.labelNames()).toEqual(["b", "z"]);
  });

  it("rejects invalid refs and duplicate names", () => {
    const idx = new MemPostings();
    expect(() => idx.add(0, L({ a: "1" }))).toThrow(RangeError);
    expect(() => idx.add(1.5, L({ a: "1" }))).toThrow(RangeError);
    expect(() => idx.add(2 ** 31, L({ a: "1" }))).toThrow(RangeError);
    expect(() =>
      idx.add(1, [
        { name: "a", value: "1" },
        { name: "a", value: "2" },
      ]),
    ).toThrow(/duplicate label name/);
  });

  it("handles refs added out of order", () => {
    const idx = new MemPostings();
    for (const ref of [50, 3, 20, 1, 40, 2, 30, 10]) idx.add(ref, L({ a: "x", b: String(ref % 2) }));
    expect(Array.from(idx.select([M("=", "a", "x")]))).toEqual([1, 2, 3, 10, 20, 30, 40, 50]);
    expect(Array.from(idx.select([M("=", "b", "0")]))).toEqual([2, 10, 20, 30, 40, 50]);
    expect(Array.from(idx.all())).toEqual([1, 2, 3, 10, 20, 30, 40, 50]);
  });

  it("deletes series and forgets unused pairs", () => {
    const idx = new MemPostings();
    idx.add(1, L({ a: "x", b: "1" }));
    idx.add(2, L({ a: "x", b: "2" }));
    idx.add(3, L({ a: "y", c: "3" }));
    idx.delete(2);
    idx.delete(99); // unknown: ignored
    expect(idx.size).toBe(2);
    expect(idx.get(2)).toBeUndefined();
    expect(Array.from(idx.select([M("=", "a", "x")]))).toEqual([1]);
    expect(idx.labelValues("b")).toEqual(["1"]);
    idx.delete(3);
    expect(idx.labelNames()).toEqual(["a", "b"]);
    expect(idx.labelValues("c")).toEqual([]);
    expect(Array.from(idx.select([M("=", "c", "")]))).toEqual([1]);
    expect(Array.from(idx.all())).toEqual([1]);
  });

  it("re-adding a deleted ref does not duplicate it", () => {
    const idx = new MemPostings();
    for (let r = 1; r <= 40; r++) idx.add(r, L({ a: "x" }));
    idx.delete(5);
    idx.add(5, L({ a: "x" }));
    idx.add(6, L({ a: "x" })); // same labels: no-op
    idx.add(7, L({ a: "z" })); // new labels: replaces
    const want = Array.from({ length: 40 }, (_, i) => i + 1).filter((r) => r !== 7);
    expect(Array.from(idx.select([M("=", "a", "x")]))).toEqual(want);
    expect(Array.from(idx.select([M("=", "a", "z")]))).toEqual([7]);
    expect(idx.size).toBe(40);
  });

  it("compacts lists whose series are mostly deleted", () => {
    const idx = new MemPostings();
    for (let r = 1; r <= 1000; r++) idx.add(r, L({ a: "x", b: String(r % 10) }));
    for (let r = 1; r <= 1000; r++) if (r % 10 !== 0) idx.delete(r);
    expect(Array.from(idx.select([M("=", "a", "x")]))).toEqual(Array.from({ length: 100 }, (_, i) => (i + 1) * 10));
    expect(idx.labelValues("b")).toEqual(["0"]);
  });

  it("labelNames and labelValues over given refs, in UTF-8 order", () => {
    const idx = new MemPostings();
    idx.add(1, L({ __name__: "m", v: "\uffff" }));
    idx.add(2, L({ __name__: "m", v: "😀", x: "1" }));
    idx.add(3, L({ __name__: "n", v: "a" }));
    expect(idx.labelValues("v")).toEqual(["a", "\uffff", "😀"]);
    expect(idx.labelNames([1, 3])).toEqual(["__name__", "v"]);
    expect(idx.labelValues("v", [2, 3, 99])).toEqual(["a", "😀"]);
    expect(idx.labelValues("nope")).toEqual([]);
  });

  it("returns copies that callers may modify", () => {
    const idx = new MemPostings();
    for (let r = 1; r <= 100; r++) idx.add(r, L({ a: "x" }));
    const got = idx.select([M("=", "a", "x")]);
    got[0] = 999;
    expect(idx.select([M("=", "a", "x")])[0]).toBe(1);
  });

  it("stats follow /api/v1/status/tsdb", () => {
    const idx = new MemPostings();
    idx.add(1, L({ __name__: "up", job: "a", instance: "h1" }));
    idx.add(2, L({ __name__: "up", job: "a", instance: "h2" }));
    idx.add(3, L({ __name__: "up", job: "b", instance: "h3" }));
    idx.add(4, L({ __name__: "scrape_duration_seconds", job: "é" }));
    const s = idx.stats(2);
    expect(s.numSeries).toBe(4);
    expect(s.numLabelPairs).toBe(2 + 3 + 3);
    expect(s.seriesCountByMetricName).toEqual([
      { name: "up", value: 3 },
      { name: "scrape_duration_seconds", value: 1 },
    ]);
    expect(s.labelValueCountByLabelName).toEqual([
      { name: "instance", value: 3 },
      { name: "job", value: 3 },
    ]);
    // Σ UTF-8 bytes of value × series: __name__ = 2·3 + 23·1 = 29; job = 1·2 + 1·1 + 2·1 = 5; instance = 2·3 = 6.
    expect(s.memoryInBytesByLabelName).toEqual([
      { name: "__name__", value: 29 },
      { name: "instance", value: 6 },
    ]);
    expect(s.seriesCountByLabelValuePair).toEqual([
      { name: "__name__=up", value: 3 },
      { name: "job=a", value: 2 },
    ]);
  });
});

// ---------------------------------------------------------------------------

function seeded(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

function randomSeries(r: () => number, ref: number): Labels {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const rec: Record<string, string> = {
    __name__: `metric_${Math.floor(r() * 50)}`,
    job: pick(["node", "prometheus", "api", "db", "cache"]),
    instance: `host-${Math.floor(r() * 500)}:9100`,
    pod: `pod-${Math.floor(r() * 5000)}`,
  };
  if (r() < 0.5) rec.method = pick(["GET", "POST", "PUT", "get", "DELETE"]);
  if (r() < 0.7) rec.code = String(200 + Math.floor(r() * 10) * 50);
  if (r() < 0.3) rec.id = `id-${ref}`;
  if (r() < 0.1) rec.path = pick(["/a\nb", "/😀", "/é", "/KUBE", "/\u212aube", "/x"]);
  return labelsFromRecord(rec);
}

function randomMatcher(r: () => number, sample: Labels): Matcher {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const names = ["__name__", "job", "instance", "pod", "method", "code", "id", "path", "missing"];
  const name = r() < 0.7 ? pick(sample).name : pick(names);
  const v = getLabel(sample, name) || pick(["x", "200", "GET", "node"]);
  const type = pick<MatchType>(["=", "!=", "=~", "!~"]);
  if (type === "=" || type === "!=") return newMatcher(type, name, r() < 0.15 ? "" : v);
  const re = pick([
    v,
    `${v}|x`,
    `${v.slice(0, 3)}.*`,
    `.*${v.slice(-2)}`,
    `.*${v.slice(1, 3)}.*`,
    ".*",
    ".+",
    "",
    `${v}|`,
    `(?i)${v.toUpperCase()}`,
    "[a-z]+-[0-9]+(:9100)?",
    "host-1[0-9]*:9100",
    "(?-s).*",
    "metric_(1|2|3)",
    "\\d+",
    "/.+",
    ".*[😀é].*",
  ]);
  return newMatcher(type, name, re.replace(/[\n]/g, "\\n"));
}

describe("select agrees with brute force on 100k random series", () => {
  it("for 300 random matcher combinations, before and after deletions", () => {
    const r = seeded(1234);
    const idx = new MemPostings();
    const all = new Map<number, Labels>();
    for (let ref = 1; ref <= 100_000; ref++) {
      const ls = randomSeries(r, ref);
      idx.add(ref, ls);
      all.set(ref, ls);
    }
    const samples = [...all.values()];
    const check = (rounds: number) => {
      for (let i = 0; i < rounds; i++) {
        const sample = samples[Math.floor(r() * samples.length)];
        const n = 1 + Math.floor(r() * 4);
        const ms = Array.from({ length: n }, () => randomMatcher(r, sample));
        const want = bruteForce(all, ms);
        const got = Array.from(idx.select(ms));
        if (got.length !== want.length || got.some((x, j) => x !== want[j])) {
          throw new Error(`{${ms.map(String).join(", ")}}: got ${got.length} series, want ${want.length}`);
        }
      }
    };
    check(200);
    for (let ref = 1; ref <= 100_000; ref++) {
      if (r() < 0.2) {
        idx.delete(ref);
        all.delete(ref);
      }
    }
    expect(idx.size).toBe(all.size);
    check(100);
    expect(idx.labelValues("job")).toEqual(["api", "cache", "db", "node", "prometheus"]);
  }, 120_000);
});

describe("random adds, deletes and re-adds agree with brute force", () => {
  it("over 40k operations on up to 6k refs, including out-of-order refs", () => {
    const r = seeded(77);
    const idx = new MemPostings();
    const all = new Map<number, Labels>();
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
    const gen = (): Labels =>
      labelsFromRecord({
        __name__: pick(["a", "b", "c", "d"]),
        x: r() < 0.8 ? String(Math.floor(r() * 30)) : "",
        y: r() < 0.5 ? pick(["p", "q", "😀", "p\nq"]) : "",
        u: r() < 0.2 ? String(Math.floor(r() * 100000)) : "",
      });
    const queries: Matcher[][] = [
      [M("=", "__name__", "a")],
      [M("=~", "x", "1.*"), M("!=", "y", "p")],
      [M("=", "y", "")],
      [M("!~", "x", "2|3|")],
      [M("=~", "__name__", "a|b"), M("=~", "u", ".+")],
      [M("!=", "__name__", "c"), M("=~", "y", "(?-s).*")],
      [M("=~", "x", "[0-9]"), M("!~", "u", "1.*")],
    ];
    for (let step = 0; step < 40_000; step++) {
      const ref = 1 + Math.floor(r() * 6000);
      const roll = r();
      if (roll < 0.55) {
        const ls = gen();
        idx.add(ref, ls);
        all.set(ref, ls);
      } else {
        idx.delete(ref);
        all.delete(ref);
      }
      if (step % 2000 === 1999) {
        expect(idx.size).toBe(all.size);
        expect(Array.from(idx.all())).toEqual([...all.keys()].sort((a, b) => a - b));
        for (const q of queries) expect(Array.from(idx.select(q))).toEqual(bruteForce(all, q));
        const someRef = [...all.keys()][0];
        if (someRef !== undefined) expect(idx.get(someRef)).toEqual(all.get(someRef));
        const ys = new Set<string>();
        for (const ls of all.values()) for (const l of ls) if (l.name === "y") ys.add(l.value);
        expect(new Set(idx.labelValues("y"))).toEqual(ys);
      }
    }
    for (const ref of [...all.keys()]) idx.delete(ref);
    expect(idx.size).toBe(0);
    expect(Array.from(idx.all())).toEqual([]);
    expect(idx.labelNames()).toEqual([]);
  }, 60_000);
});
