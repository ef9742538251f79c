import { describe, expect, it } from "vitest";
import { readEnv as readProcessEnv } from "./env";

// Next.js types NODE_ENV as always set; these tests pass only the variables they set.
const readEnv = (vars: Record<string, string>) => readProcessEnv(vars as NodeJS.ProcessEnv);

describe("readEnv", () => {
  it("reads QUERY_CACHE_BYTES as a size, 0 disabling the cache", () => {
    expect(readEnv({}).queryCacheBytes).toBe(256 * 2 ** 20);
    expect(readEnv({ QUERY_CACHE_BYTES: "64MiB" }).queryCacheBytes).toBe(64 * 2 ** 20);
    expect(readEnv({ QUERY_CACHE_BYTES: "0" }).queryCacheBytes).toBe(0);
  });

  it("rejects a malformed size or duration with the variable's name", () => {
    expect(() => readEnv({ QUERY_CACHE_BYTES: "lots" })).toThrow('QUERY_CACHE_BYTES: invalid size "lots" (expected e.g. 32MiB)');
    expect(() => readEnv({ QUERY_CACHE_BYTES: "-1MiB" })).toThrow(/QUERY_CACHE_BYTES: invalid size/);
    expect(() => readEnv({ RETENTION: "0s" })).toThrow(/RETENTION: duration must be greater than zero/);
    expect(() => readEnv({ QUERY_TIMEOUT: "2 minutes" })).toThrow(/^QUERY_TIMEOUT: /);
  });
});
