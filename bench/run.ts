/**
 * `npm run bench`: every benchmark, printing figures and ratios.
 * BENCH=name1,name2 selects some (xor-chunk, remote-write).
 */
import { benchRemoteWrite } from "./remote-write";
import { benchXorChunk } from "./xor-chunk";

const all: Record<string, () => Promise<void>> = {
  "xor-chunk": benchXorChunk,
  "remote-write": benchRemoteWrite,
};

const wanted = process.env.BENCH?.split(",") ?? Object.keys(all);
for (const name of wanted) {
  const fn = all[name];
  if (!fn) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(all).join(", ")}`);
    process.exit(2);
  }
  await fn();
}
