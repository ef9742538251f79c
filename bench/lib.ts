import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";

interface ProcInfo {
  ppid: number;
  comm: string;
  /** user + system CPU seconds */
  cpu: number;
  /** resident bytes */
  rss: number;
}

/** Every process on the machine, from /proc. */
function readProcs(): Map<number, ProcInfo> {
  const ticks = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  const out = new Map<number, ProcInfo>();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const status = fs.readFileSync(`/proc/${d}/status`, "utf8");
      out.set(Number(d), {
        ppid: Number(rest[1]),
        comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
        cpu: (Number(rest[11]) + Number(rest[12])) / ticks,
        rss: Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024,
      });
    } catch {
      // the process went away
    }
  }
  return out;
}

/** Sums a field over a process and all its descendants. */
function sumTree(rootPid: number, field: "cpu" | "rss"): number {
  const procs = readProcs();
  const children = new Map<number, number[]>();
  for (const [pid, p] of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
  let total = 0;
  const stack = [rootPid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    total += procs.get(p)?.[field] ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

/** CPU seconds (user + system) of a process and all its descendants. */
export function processTreeCpuSeconds(rootPid: number): number {
  return sumTree(rootPid, "cpu");
}

/** Resident set size in bytes of a process and its descendants. */
export function processTreeRssBytes(rootPid: number): number {
  return sumTree(rootPid, "rss");
}

/** CPU seconds of every process whose command name starts with `name` (e.g. all PostgreSQL backends). */
export function commandCpuSeconds(name: string): number {
  let total = 0;
  for (const p of readProcs().values()) if (p.comm.startsWith(name)) total += p.cpu;
  return total;
}

export function machineDescription(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${os.release()}, Node ${process.version}`;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Prints aligned rows of label/value pairs. */
export function table(rows: [string, string][]): void {
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${v}`);
}
