import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BinaryCopyWriter } from "./copy";
import type { SqlClient } from "./client";
import { testBackends, type TestDatabase } from "@/server/testing/databases";

const backends = await testBackends();

describe.each(backends)("database client on $name", (backend) => {
  let db: TestDatabase;
  let c: SqlClient;
  beforeAll(async () => {
    db = await backend.create();
    c = await db.open();
  });
  afterAll(async () => {
    await c?.close();
    await db?.destroy();
  });

  it("round-trips int8 as number and bytea as bytes, through params and binary COPY", async () => {
    const data = new Uint8Array([0, 1, 2, 255, 0x7f]);
    await c.query("insert into wal (seq, data) values ($1, $2)", [2 ** 41 + 3, data]);
    const w = new BinaryCopyWriter();
    w.beginRow(2);
    w.int8(-5);
    w.bytea(new Uint8Array([9, 8, 7]));
    await c.copyIn("wal", ["seq", "data"], w.finish());
    const rows = await c.query<{ seq: number; data: Uint8Array }>("select seq, data from wal order by seq");
    expect(rows.map((r) => r.seq)).toEqual([-5, 2 ** 41 + 3]);
    expect([...rows[1]!.data]).toEqual([...data]);
    expect([...rows[0]!.data]).toEqual([9, 8, 7]);
  });

  it("copies int4[] and text, and rolls back a failed transaction", async () => {
    const w = new BinaryCopyWriter();
    w.beginRow(3);
    w.int4(1);
    w.int4Array([3, 1, 2]);
    w.int8(1000);
    w.beginRow(3);
    w.int4(2);
    w.int4Array([]);
    w.int8(1001);
    await c.copyIn("series", ["id", "label_ids", "created_ms"], w.finish());
    const rows = await c.query<{ id: number; label_ids: number[] }>("select id, label_ids from series order by id");
    expect(rows).toEqual([
      { id: 1, label_ids: [3, 1, 2] },
      { id: 2, label_ids: [] },
    ]);
    await expect(
      c.transaction(async (tx) => {
        await tx.query("insert into labels (id, name, value) values (1, 'a', 'b')");
        await tx.query("insert into labels (id, name, value) values (1, 'a', 'c')");
      }),
    ).rejects.toThrow();
    expect(await c.query("select * from labels")).toEqual([]);
  });
});
