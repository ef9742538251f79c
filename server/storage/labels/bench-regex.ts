// Matcher throughput: strings matched per second for common regex shapes,
// with our strategy and with re2js alone.
//
//   node --import tsx server/storage/labels/bench-regex.ts

import { compileRegexUncached } from "./regex";

const values: string[] = [];
for (let i = 0; i < 20_000; i++) {
  values.push(
    i % 4 === 0
      ? `host-${i}.example.com:${9000 + (i % 100)}`
      : i % 4 === 1
        ? `api-server-${(i * 7919) % 1000}-7d9f8b6c4-x${i % 97}`
        : i % 4 === 2
          ? `/api/v1/items/${i}/details`
          : `node_cpu_seconds_total_${i % 300}`,
  );
}

function rate(f: (s: string) => boolean): number {
  let n = 0;
  let hits = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 300) {
    for (const v of values) if (f(v)) hits++;
    n += values.length;
  }
  if (hits < 0) console.log(hits);
  return n / ((performance.now() - t0) / 1000) / 1e6;
}

const patterns = [
  "host-1.example.com:9001",
  "node_cpu_seconds_total_1|node_cpu_seconds_total_2|api",
  "(?i)NODE_CPU_SECONDS_TOTAL_1",
  "host-1.*",
  ".*example.*",
  ".*items/1.*/details",
  "api-server-.+",
  ".+",
  "host-[0-9]+\\.example\\.com:90[0-4][0-9]",
  "[a-z]+-[a-z]+-[0-9]+-.*",
  "/api/v1/items/\\d+/details",
  "\\pL+_.*",
  "(host|api)-(1|2)[0-9]*.*",
];

console.log(`${"pattern".padEnd(48)} ${"strategy".padEnd(22)} ${"M/s".padStart(7)}  ${"re2js M/s".padStart(9)}`);
for (const p of patterns) {
  const fast = compileRegexUncached(p);
  const slow = compileRegexUncached(p, { force: "re2" });
  const a = rate(fast.matches);
  const b = rate(slow.matches);
  console.log(`${p.padEnd(48)} ${fast.strategy.padEnd(22)} ${a.toFixed(1).padStart(7)}  ${b.toFixed(1).padStart(9)}`);
}
