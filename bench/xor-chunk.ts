// Micro-benchmark of the chunk codecs on the synthetic fleet: one chunk per series,
// encode and decode throughput on one core and payload bytes per sample, overall and per
// value kind, with timestamps on the schedule and with up to 2 ms of scrape lateness.
// Three tables per timestamp setting: XOR (xor.ts), decimal delta-of-delta (dod.ts, on the
// series where it applies) and the self-describing best-of chunk of chunk.ts (encodeBest,
// decodeChunk), whose bytes include the encoding byte.
// Run alone with `npx tsx bench/xor-chunk.ts`.

import { pathToFileURL } from "node:url";
import { XorAppender, XorIterator, XorSampleBuffer, decodeXor, decodeXorRange } from "../server/storage/chunk/xor";
import { decodeDod, decodeDodRange, encodeDod } from "../server/storage/chunk/dod";
import { ENC_DOD, chunkEncoding, decodeChunk, decodeChunkRange, encodeBest } from "../server/storage/chunk/chunk";
import {
  SYNTHETIC_KINDS,
  syntheticSeries,
  syntheticTarget,
  syntheticTimestamps,
  syntheticValues,
  type SyntheticOptions,
} from "./data/synthetic";

const SERIES = 10_000;
const POINTS = 480;
const ROUNDS = 3;

interface Dataset {
  /** Timestamps (ms) per series, shared between the series of one target. */
  ts: Float64Array[];
  /** Values, series-major: series i at [i * POINTS, (i + 1) * POINTS). */
  values: Float64Array;
}

function buildDataset(opts: SyntheticOptions): { kinds: string[]; data: Dataset } {
  const series = syntheticSeries(opts);
  const values = new Float64Array(series.length * POINTS);
  const byTarget = new Map<number, Float64Array>();
  const ts: Float64Array[] = [];
  for (let i = 0; i < series.length; i++) {
    syntheticValues(series[i]!, POINTS, values.subarray(i * POINTS, (i + 1) * POINTS));
    const target = syntheticTarget(i);
    let t = byTarget.get(target);
    if (t === undefined) {
      t = syntheticTimestamps(i, opts);
      byTarget.set(target, t);
    }
    ts.push(t);
  }
  return { kinds: series.map((s) => s.kind), data: { ts, values } };
}

function encode(data: Dataset, idx: Int32Array, out: Uint8Array[]): void {
  const { ts, values } = data;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    const t = ts[i]!;
    const off = i * POINTS;
    const a = new XorAppender();
    for (let j = 0; j < POINTS; j++) a.append(t[j]!, values[off + j]!);
    out[i] = a.bytes();
  }
}

function decodeAll(chunks: Uint8Array[], idx: Int32Array): number {
  let n = 0;
  for (let k = 0; k < idx.length; k++) n += decodeXor(chunks[idx[k]!]!).t.length;
  return n;
}

function decodeRange(chunks: Uint8Array[], idx: Int32Array, buf: XorSampleBuffer): number {
  let n = 0;
  for (let k = 0; k < idx.length; k++) {
    buf.clear();
    n += decodeXorRange(chunks[idx[k]!]!, -Infinity, Infinity, buf);
  }
  return n;
}

function iterate(chunks: Uint8Array[], idx: Int32Array): number {
  let n = 0;
  for (let k = 0; k < idx.length; k++) {
    const it = new XorIterator(chunks[idx[k]!]!);
    while (it.next()) n++;
  }
  return n;
}

function encodeDodAll(data: Dataset, idx: Int32Array, out: (Uint8Array | null)[]): void {
  const { ts, values } = data;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    out[i] = encodeDod(ts[i]!, values.subarray(i * POINTS, (i + 1) * POINTS), POINTS);
  }
}

function decodeDodAll(chunks: (Uint8Array | null)[], idx: Int32Array): number {
  let n = 0;
  for (let k = 0; k < idx.length; k++) n += decodeDod(chunks[idx[k]!]!).t.length;
  return n;
}

function decodeDodRangeAll(chunks: (Uint8Array | null)[], idx: Int32Array, buf: XorSampleBuffer): number {
  let n = 0;
  for (let k = 0; k < idx.length; k++) {
    buf.clear();
    n += decodeDodRange(chunks[idx[k]!]!, -Infinity, Infinity, buf);
  }
  return n;
}

function encodeBestAll(data: Dataset, idx: Int32Array, out: Uint8Array[]): void {
  const { ts, values } = data;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    out[i] = encodeBest(ts[i]!, values.subarray(i * POINTS, (i + 1) * POINTS), POINTS);
  }
}

function decodeChunkAll(chunks: Uint8Array[], idx: Int32Array): number {
  let n = 0;
  for (let k = 0; k < idx.length; k++) n += decodeChunk(chunks[idx[k]!]!).t.length;
  return n;
}

function decodeChunkRangeAll(chunks: Uint8Array[], idx: Int32Array, buf: XorSampleBuffer): number {
  let n = 0;
  for (let k = 0; k < idx.length; k++) {
    buf.clear();
    n += decodeChunkRange(chunks[idx[k]!]!, -Infinity, Infinity, buf);
  }
  return n;
}

/** Best of ROUNDS runs, in samples per second. */
function rate(samples: number, fn: () => number | void): number {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    const got = fn();
    const ms = performance.now() - start;
    if (typeof got === "number" && got !== samples) throw new Error(`bench: decoded ${got} samples, expected ${samples}`);
    best = Math.min(best, ms);
  }
  return samples / (best / 1000);
}

function fmtRate(r: number): string {
  return `${(r / 1e6).toFixed(1)} M/s`;
}

export async function benchXorChunk(): Promise<void> {
  console.log(
    `Chunk codecs: synthetic fleet, ${SERIES} series x ${POINTS} points, one chunk per series; ` +
      `payload = chunk data incl. its headers; best of ${ROUNDS}, one core`,
  );
  for (const jitterMs of [0, 2]) {
    const { kinds, data } = buildDataset({ series: SERIES, points: POINTS, jitterMs });
    const all = Int32Array.from(kinds.keys());
    const groups: [string, Int32Array][] = SYNTHETIC_KINDS.map((k) => [k, all.filter((i) => kinds[i] === k)]);
    groups.push(["mix", all]);
    const chunks: Uint8Array[] = new Array(kinds.length);
    const buf = new XorSampleBuffer(POINTS);
    // Warm-up, so that the first group does not pay for compilation.
    encode(data, all, chunks);
    decodeAll(chunks, all);
    decodeRange(chunks, all, buf);
    iterate(chunks, all);

    console.log();
    console.log(`timestamps: ${jitterMs === 0 ? "on the schedule" : `scrapes late by 0-${jitterMs} ms`}`);
    const line = (widths: number[], cells: string[]) =>
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" ");
    const xorWidths = [18, 7, 9, 11, 11, 11, 11];
    console.log(line(xorWidths, ["XOR", "series", "B/sample", "encode", "decodeXor", "range", "iterator"]));
    const xorBytes = new Map<string, number>();
    for (const [kind, idx] of groups) {
      const samples = idx.length * POINTS;
      const enc = rate(samples, () => encode(data, idx, chunks));
      const dec = rate(samples, () => decodeAll(chunks, idx));
      const rng = rate(samples, () => decodeRange(chunks, idx, buf));
      const itr = rate(samples, () => iterate(chunks, idx));
      let bytes = 0;
      for (const i of idx) bytes += chunks[i]!.length;
      xorBytes.set(kind, bytes);
      console.log(
        line(xorWidths, [kind, String(idx.length), (bytes / samples).toFixed(3), fmtRate(enc), fmtRate(dec), fmtRate(rng), fmtRate(itr)]),
      );
    }

    // Decimal delta-of-delta, on the series where it applies.
    const dod: (Uint8Array | null)[] = new Array(kinds.length);
    encodeDodAll(data, all, dod);
    const applies = all.filter((i) => dod[i] !== null);
    decodeDodAll(dod, applies);
    decodeDodRangeAll(dod, applies, buf);
    console.log();
    const dodWidths = [18, 7, 8, 9, 9, 11, 11, 11];
    console.log(line(dodWidths, ["dod", "series", "applies", "B/sample", "XOR B/s", "encode", "decodeDod", "range"]));
    for (const [kind, group] of groups) {
      const idx = group.filter((i) => dod[i] !== null);
      const pct = `${((100 * idx.length) / group.length).toFixed(0)}%`;
      if (idx.length === 0) {
        console.log(line(dodWidths, [kind, String(group.length), pct, "-", "-", "-", "-", "-"]));
        continue;
      }
      const samples = idx.length * POINTS;
      const enc = rate(samples, () => encodeDodAll(data, idx, dod));
      const dec = rate(samples, () => decodeDodAll(dod, idx));
      const rng = rate(samples, () => decodeDodRangeAll(dod, idx, buf));
      let bytes = 0;
      let xor = 0;
      for (const i of idx) {
        bytes += dod[i]!.length;
        xor += chunks[i]!.length;
      }
      console.log(
        line(dodWidths, [
          kind,
          String(group.length),
          pct,
          (bytes / samples).toFixed(3),
          (xor / samples).toFixed(3),
          fmtRate(enc),
          fmtRate(dec),
          fmtRate(rng),
        ]),
      );
    }

    // Self-describing chunks: the smaller encoding per chunk, plus the encoding byte.
    const best: Uint8Array[] = new Array(kinds.length);
    encodeBestAll(data, all, best);
    decodeChunkAll(best, all);
    decodeChunkRangeAll(best, all, buf);
    console.log();
    const bestWidths = [18, 7, 9, 9, 9, 11, 11, 11];
    console.log(line(bestWidths, ["best (chunk.ts)", "series", "dod used", "B/sample", "vs XOR", "encodeBest", "decodeChunk", "range"]));
    for (const [kind, idx] of groups) {
      const samples = idx.length * POINTS;
      const enc = rate(samples, () => encodeBestAll(data, idx, best));
      const dec = rate(samples, () => decodeChunkAll(best, idx));
      const rng = rate(samples, () => decodeChunkRangeAll(best, idx, buf));
      let bytes = 0;
      let used = 0;
      for (const i of idx) {
        bytes += best[i]!.length;
        if (chunkEncoding(best[i]!) === ENC_DOD) used++;
      }
      console.log(
        line(bestWidths, [
          kind,
          String(idx.length),
          `${((100 * used) / idx.length).toFixed(0)}%`,
          (bytes / samples).toFixed(3),
          `${((100 * bytes) / xorBytes.get(kind)!).toFixed(0)}%`,
          fmtRate(enc),
          fmtRate(dec),
          fmtRate(rng),
        ]),
      );
    }
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchXorChunk().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
