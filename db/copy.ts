/**
 * A builder for PostgreSQL's binary COPY format, which both drivers accept
 * (`FROM STDIN` for postgres, `FROM '/dev/blob'` for PGlite).
 * Format: 11-byte signature, int32 flags, int32 header extension length; per
 * tuple an int16 field count and per field an int32 length (-1 = NULL) and the
 * value in the type's binary send format; int16 -1 as trailer.
 */
export class BinaryCopyWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 1 << 16) {
    this.buf = Buffer.allocUnsafe(Math.max(64, initialBytes));
    const sig = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");
    sig.copy(this.buf, 0);
    this.pos = sig.length;
    this.buf.writeInt32BE(0, this.pos);
    this.buf.writeInt32BE(0, this.pos + 4);
    this.pos += 8;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  beginRow(fields: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(fields, this.pos);
    this.pos += 2;
  }

  int4(v: number): void {
    this.ensure(8);
    this.buf.writeInt32BE(4, this.pos);
    this.buf.writeInt32BE(v, this.pos + 4);
    this.pos += 8;
  }

  /** A safe-integer number as int8. */
  int8(v: number): void {
    this.ensure(12);
    this.buf.writeInt32BE(8, this.pos);
    this.buf.writeBigInt64BE(BigInt(v), this.pos + 4);
    this.pos += 12;
  }

  bytea(v: Uint8Array): void {
    this.ensure(4 + v.length);
    this.buf.writeInt32BE(v.length, this.pos);
    this.buf.set(v, this.pos + 4);
    this.pos += 4 + v.length;
  }

  text(v: string): void {
    const len = Buffer.byteLength(v, "utf8");
    this.ensure(4 + len);
    this.buf.writeInt32BE(len, this.pos);
    this.buf.write(v, this.pos + 4, "utf8");
    this.pos += 4 + len;
  }

  /** int4[] (one dimension, no NULLs). */
  int4Array(v: ArrayLike<number>): void {
    const n = v.length;
    const size = n === 0 ? 12 : 20 + 8 * n;
    this.ensure(4 + size);
    this.buf.writeInt32BE(size, this.pos);
    let p = this.pos + 4;
    this.buf.writeInt32BE(n === 0 ? 0 : 1, p); // dimensions
    this.buf.writeInt32BE(0, p + 4); // has nulls
    this.buf.writeInt32BE(23, p + 8); // element oid int4
    p += 12;
    if (n > 0) {
      this.buf.writeInt32BE(n, p);
      this.buf.writeInt32BE(1, p + 4); // lower bound
      p += 8;
      for (let i = 0; i < n; i++) {
        this.buf.writeInt32BE(4, p);
        this.buf.writeInt32BE(v[i]!, p + 4);
        p += 8;
      }
    }
    this.pos = p;
  }

  /** The finished stream (trailer appended). The writer must not be used afterwards. */
  finish(): Uint8Array {
    this.ensure(2);
    this.buf.writeInt16BE(-1, this.pos);
    this.pos += 2;
    return this.buf.subarray(0, this.pos);
  }
}

const SIGNATURE = "PGCOPY\n\xff\r\n\0";

/**
 * Reads a PostgreSQL binary COPY stream (the format BinaryCopyWriter writes) field by field.
 * Usage: `while (r.nextRow() >= 0) { r.int4(); r.int8(); r.bytea(); … }`; fields must be
 * read in order and all of them. bytea values are views into the stream, not copies.
 */
export class BinaryCopyReader {
  private readonly view: DataView;
  private pos: number;

  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    if (data.length < 19 || Buffer.from(data.buffer, data.byteOffset, 11).toString("latin1") !== SIGNATURE) {
      throw new Error("binary COPY: bad signature");
    }
    const ext = this.view.getInt32(15);
    this.pos = 19 + ext;
  }

  /** Starts the next row; returns its field count, or -1 at the trailer. */
  nextRow(): number {
    this.need(2);
    const n = this.view.getInt16(this.pos);
    this.pos += 2;
    return n;
  }

  private need(n: number): void {
    if (this.pos + n > this.data.length) throw new Error("binary COPY: truncated stream");
  }

  private field(size: number): number {
    this.need(4);
    const len = this.view.getInt32(this.pos);
    if (len !== size) throw new Error(`binary COPY: field of ${len} bytes where ${size} were expected`);
    this.pos += 4;
    this.need(size);
    const at = this.pos;
    this.pos += size;
    return at;
  }

  int4(): number {
    return this.view.getInt32(this.field(4));
  }

  /** int8 as a number (exact below 2^53, which is all the store writes). */
  int8(): number {
    const at = this.field(8);
    return this.view.getInt32(at) * 4294967296 + this.view.getUint32(at + 4);
  }

  /** A bytea value as a view of the stream. NULL is not accepted. */
  bytea(): Uint8Array {
    this.need(4);
    const len = this.view.getInt32(this.pos);
    if (len < 0) throw new Error("binary COPY: unexpected NULL");
    this.pos += 4;
    this.need(len);
    const out = this.data.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
}
