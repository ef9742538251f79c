import { compressSync, uncompressSync } from "snappy";

/**
 * One WAL row: the samples of one group commit, columnar, snappy-compressed.
 * Layout before compression (little-endian):
 *   u32 version (1) | u32 n | n × f64 timestamp (ms) | n × f64 value | n × u32 series ref
 * Values travel as raw IEEE-754 bytes, so NaN payloads (the staleness marker) survive.
 */
export interface WalSamples {
  refs: Uint32Array;
  /** Unix ms. */
  t: Float64Array;
  v: Float64Array;
}

const VERSION = 1;
const HEADER = 8;

export function encodeWalRecord(s: WalSamples, n: number): Buffer {
  const raw = Buffer.allocUnsafe(HEADER + n * 20);
  raw.writeUInt32LE(VERSION, 0);
  raw.writeUInt32LE(n, 4);
  raw.set(new Uint8Array(s.t.buffer, s.t.byteOffset, n * 8), HEADER);
  raw.set(new Uint8Array(s.v.buffer, s.v.byteOffset, n * 8), HEADER + 8 * n);
  raw.set(new Uint8Array(s.refs.buffer, s.refs.byteOffset, n * 4), HEADER + 16 * n);
  return compressSync(raw);
}

export function decodeWalRecord(data: Uint8Array): WalSamples {
  const raw = uncompressSync(Buffer.from(data.buffer, data.byteOffset, data.byteLength)) as Buffer;
  if (raw.length < HEADER) throw new Error("corrupt WAL record: short header");
  const version = raw.readUInt32LE(0);
  if (version !== VERSION) throw new Error(`unknown WAL record version ${version}`);
  const n = raw.readUInt32LE(4);
  if (raw.length !== HEADER + 20 * n) throw new Error(`corrupt WAL record: ${raw.length} bytes for ${n} samples`);
  // Copy into a fresh, aligned buffer (snappy's output may sit at any offset).
  const buf = new ArrayBuffer(20 * n);
  new Uint8Array(buf).set(raw.subarray(HEADER));
  return { t: new Float64Array(buf, 0, n), v: new Float64Array(buf, 8 * n, n), refs: new Uint32Array(buf, 16 * n, n) };
}

/** A growable columnar buffer of (ref, t, v) samples. */
export class SampleBuffer implements WalSamples {
  refs: Uint32Array;
  t: Float64Array;
  v: Float64Array;
  length = 0;

  constructor(capacity = 1024) {
    this.refs = new Uint32Array(capacity);
    this.t = new Float64Array(capacity);
    this.v = new Float64Array(capacity);
  }

  push(ref: number, t: number, v: number): void {
    if (this.length === this.t.length) this.grow(this.length * 2);
    const i = this.length++;
    this.refs[i] = ref;
    this.t[i] = t;
    this.v[i] = v;
  }

  append(other: SampleBuffer): void {
    if (this.length + other.length > this.t.length) this.grow(Math.max(this.length + other.length, this.t.length * 2));
    this.refs.set(other.refs.subarray(0, other.length), this.length);
    this.t.set(other.t.subarray(0, other.length), this.length);
    this.v.set(other.v.subarray(0, other.length), this.length);
    this.length += other.length;
  }

  private grow(cap: number): void {
    const refs = new Uint32Array(cap);
    refs.set(this.refs.subarray(0, this.length));
    const t = new Float64Array(cap);
    t.set(this.t.subarray(0, this.length));
    const v = new Float64Array(cap);
    v.set(this.v.subarray(0, this.length));
    this.refs = refs;
    this.t = t;
    this.v = v;
  }
}
