/**
 * `npm run bench`: every benchmark, printing figures and ratios.
 * BENCH=name1,name2 selects some (xor-chunk, exposition-parser, remote-write, promql, scrape, ui-targets, ui-graph).
 */
import { benchExpositionParser } from "../server/scrape/exposition-parser.bench";
import { benchScrape } from "../server/scrape/scrape.bench";
import { benchPromQL } from "./promql";
import { benchRemoteWrite } from "./remote-write";
import { benchUiGraph } from "./ui-graph";
import { benchUiTargets } from "./ui-targets";
import { benchXorChunk } from "./xor-chunk";

const all: Record<string, () => Promise<void> | void> = {
  "xor-chunk": benchXorChunk,
  "exposition-parser": benchExpositionParser,
  "remote-write": benchRemoteWrite,
  promql: benchPromQL,
  scrape: benchScrape,
  "ui-targets": benchUiTargets,
  "ui-graph": benchUiGraph,
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
