import { describe, expect, it, vi } from "vitest";
import { QueryExecutionError, QueryTimeoutError, QueryCanceledError, StorageError, TooManySamplesError } from "../promql";
import { ApiError } from "./errors";
import { RawJSON, toJSON } from "./json";
import { apiRoute } from "./respond";

const req = new Request("http://vigil/api/v1/query");
const run = async (fn: () => Promise<unknown>) => {
  const res = await apiRoute(fn as never)(req);
  return { status: res.status, text: await res.text() };
};

describe("apiRoute", () => {
  it("wraps data in the success envelope, annotations capped at 10", async () => {
    expect(await run(async () => ({ data: ["a"] }))).toEqual({ status: 200, text: '{"status":"success","data":["a"]}' });
    const warnings = Array.from({ length: 12 }, (_, i) => `w${i}`);
    const r = JSON.parse((await run(async () => ({ data: [], warnings, infos: ["i"] }))).text);
    expect(r.warnings).toEqual([...warnings.slice(0, 10), "2 more warning annotations omitted"]);
    expect(r.infos).toEqual(["i"]);
  });

  it("answers 204 without data, as Prometheus does for nil data", async () => {
    expect(await run(async () => undefined)).toEqual({ status: 204, text: "" });
  });

  it.each([
    [new ApiError("bad_data", "bad"), 400, "bad_data"],
    [new ApiError("not_found", "nf"), 404, "not_found"],
    [new QueryExecutionError("exec"), 422, "execution"],
    [new TooManySamplesError(), 422, "execution"],
    [new QueryTimeoutError(), 503, "timeout"],
    [new QueryCanceledError(), 499, "canceled"],
    [new StorageError("db down"), 500, "internal"],
  ])("maps %o to %d %s", async (err, status, type) => {
    const r = await run(async () => {
      throw err;
    });
    expect(r.status).toBe(status);
    expect(JSON.parse(r.text)).toEqual({ status: "error", errorType: type, error: err.message });
  });

  it("recognises the engine's errors by name, as thrown from another module graph", async () => {
    class QueryExecutionError extends Error {
      override name = "QueryExecutionError";
    }
    const r = await run(async () => {
      throw new QueryExecutionError("vector cannot contain metrics with the same labelset");
    });
    expect(r.status).toBe(422);
  });

  it("hides unexpected errors behind a generic internal error", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const r = await run(async () => {
      throw new Error("password=secret");
    });
    expect(r).toEqual({ status: 500, text: '{"status":"error","errorType":"internal","error":"internal server error"}' });
    expect(log).toHaveBeenCalled();
    log.mockRestore();
  });
});

describe("toJSON", () => {
  it("splices raw fragments and escapes as Go", () => {
    expect(toJSON({ a: new RawJSON("1.500"), b: undefined, c: "<&>", d: [true, null] })).toBe('{"a":1.500,"c":"\\u003c\\u0026\\u003e","d":[true,null]}');
  });
});

describe("CORS", () => {
  it("sets Prometheus's CORS headers when the request has an Origin, and answers OPTIONS with 204", async () => {
    const { corsPreflight } = await import("./respond");
    const withOrigin = new Request("http://vigil/api/v1/query", { headers: { origin: "http://grafana:3000" } });
    const res = await apiRoute(async () => ({ data: 1 }))(withOrigin);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-methods")).toBe("GET, POST, OPTIONS");
    expect((await apiRoute(async () => ({ data: 1 }))(req)).headers.get("access-control-allow-origin")).toBeNull();
    const pre = await corsPreflight(withOrigin);
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-headers")).toBe("Accept, Authorization, Content-Type, Origin");
  });
});
