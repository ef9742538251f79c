import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";

/** CPU seconds (user + system) of a process and all its descendants, from /proc. */
export function processTreeCpuSeconds(rootPid: number): number {
  const ticks = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  const children = new Map<number, number[]>();
  const cpu = new Map<number, number>();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ppid = Number(rest[1]);
      const utime = Number(rest[11]);
      const stime = Number(rest[12]);
      cpu.set(Number(d), (utime + stime) / ticks);
      const l = children.get(ppid) ?? [];
      l.push(Number(d));
      children.set(ppid, l);
    } catch {
      // process went away
    }
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    total += cpu.get(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

/** CPU seconds of every process whose command name is `name` (e.g. all PostgreSQL backends). */
export function commandCpuSeconds(name: string): number {
  const ticks = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  let total = 0;
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (comm !== name && !comm.startsWith(name)) continue;
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += (Number(rest[11]) + Number(rest[12])) / ticks;
    } catch {
      // gone
    }
  }
  return total;
}

/** Resident set size in bytes of a process and its descendants. */
export function processTreeRssBytes(rootPid: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const status = fs.readFileSync(`/proc/${d}/status`, "utf8");
      const ppid = Number(/PPid:\s+(\d+)/.exec(status)?.[1]);
      const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
      rss.set(Number(d), kb * 1024);
      const l = children.get(ppid) ?? [];
      l.push(Number(d));
      children.set(ppid, l);
    } catch {
      // gone
    }
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    total += rss.get(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
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
