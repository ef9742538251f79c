import { describe, expect, it } from "vitest";
import { BinaryCopyReader, BinaryCopyWriter } from "./copy";

describe("BinaryCopyReader", () => {
  it("reads back what BinaryCopyWriter wrote, bytea as views", () => {
    const w = new BinaryCopyWriter(16);
    const rows = [
      { id: 1, t: 1_700_000_000_123, data: Uint8Array.from([1, 2, 3]) },
      { id: -7, t: -5, data: new Uint8Array(0) },
      { id: 2 ** 31 - 1, t: Number.MAX_SAFE_INTEGER, data: new Uint8Array(70_000).fill(9) },
    ];
    for (const r of rows) {
      w.beginRow(3);
      w.int4(r.id);
      w.int8(r.t);
      w.bytea(r.data);
    }
    const stream = w.finish();
    const rd = new BinaryCopyReader(stream);
    for (const r of rows) {
      expect(rd.nextRow()).toBe(3);
      expect(rd.int4()).toBe(r.id);
      expect(rd.int8()).toBe(r.t);
      const b = rd.bytea();
      expect(Buffer.from(b).equals(Buffer.from(r.data))).toBe(true);
      expect(b.buffer).toBe(stream.buffer);
    }
    expect(rd.nextRow()).toBe(-1);
  });

  it("rejects a bad signature, a truncated stream and a field of the wrong size", () => {
    expect(() => new BinaryCopyReader(new Uint8Array(30))).toThrow(/signature/);
    const w = new BinaryCopyWriter();
    w.beginRow(1);
    w.int8(42);
    const full = w.finish();
    const cut = new BinaryCopyReader(full.subarray(0, full.length - 6));
    cut.nextRow();
    expect(() => cut.int8()).toThrow(/truncated/);
    const wrong = new BinaryCopyReader(full);
    wrong.nextRow();
    expect(() => wrong.int4()).toThrow(/8 bytes where 4/);
  });
});
