import "server-only";
// file_sd_configs, as Prometheus's discovery/file: every file matching the
// patterns (a glob in the last path component only) is read as JSON or YAML
// (by extension), re-read when the directory changes (fs.watch) and every
// `refresh_interval`. Each group gets `__meta_filepath` and the source
// `<path>:<index>`. A file that disappears sends empty groups for its
// sources; a file that fails to parse keeps its previous groups (Prometheus
// logs the error and leaves the file's targets as they were).

import fs from "node:fs";
import path from "node:path";
import { parse as parseYAML } from "yaml";
import type { FileSDConfig } from "@/server/config";
import { sleep, type Discoverer } from "./provider";
import { parseTargetGroups, vanishedSources, type TargetGroup } from "./target-group";

export interface FileDiscovererOptions {
  /** Called when a file cannot be read or parsed. */
  onError?: (file: string, err: unknown) => void;
  /** Debounce for watch events, ms (default 100). */
  watchDebounceMs?: number;
}

/** Reads one target group file. */
export function readTargetGroupFile(file: string): TargetGroup[] {
  const text = fs.readFileSync(file, "utf8");
  const ext = path.extname(file).toLowerCase();
  const doc = ext === ".json" ? JSON.parse(text) : parseYAML(text);
  return parseTargetGroups(doc, file, { __meta_filepath: file });
}

/** Go's filepath.Match pattern (`*`, `?`, `[...]`, `[^...]`, `\\x`) as a RegExp for one path component. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "\\" && i + 1 < glob.length) re += glob[++i]!.replace(/[.*?+^${}()|[\]\\]/g, "\\$&");
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        let body = glob.slice(i + 1, end);
        if (body.startsWith("^") || body.startsWith("!")) body = "^" + body.slice(1);
        re += "[" + body.replace(/\\(?!\])/g, "\\\\") + "]";
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\]\\]/g, "\\$&");
  }
  return new RegExp("^" + re + "$");
}

/** The files currently matching the patterns, sorted. */
export function listFiles(patterns: readonly string[]): string[] {
  const out = new Set<string>();
  for (const p of patterns) {
    const dir = path.dirname(p);
    const base = path.basename(p);
    if (!/[*?[]/.test(base)) {
      if (fs.existsSync(p)) out.add(p);
      continue;
    }
    const re = globToRegExp(base);
    const isMatch = (n: string) => re.test(n);
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) if (isMatch(n)) out.add(path.join(dir, n));
  }
  return [...out].sort();
}

export class FileDiscoverer implements Discoverer {
  /** Groups last sent, per file. */
  private readonly byFile = new Map<string, TargetGroup[]>();

  constructor(
    private readonly cfg: FileSDConfig,
    private readonly opts: FileDiscovererOptions = {},
  ) {}

  /** Re-reads every matching file; returns the changed groups (including emptied sources). */
  refresh(): TargetGroup[] {
    const files = listFiles(this.cfg.files);
    const changed: TargetGroup[] = [];
    const seen = new Set(files);
    for (const f of files) {
      let groups: TargetGroup[];
      try {
        groups = readTargetGroupFile(f);
      } catch (e) {
        this.opts.onError?.(f, e);
        continue;
      }
      const before = this.byFile.get(f) ?? [];
      changed.push(...groups, ...vanishedSources(before, groups));
      this.byFile.set(f, groups);
    }
    for (const [f, before] of this.byFile) {
      if (seen.has(f)) continue;
      changed.push(...vanishedSources(before, []));
      this.byFile.delete(f);
    }
    return changed;
  }

  async run(signal: AbortSignal, up: (groups: TargetGroup[]) => void): Promise<void> {
    const send = () => {
      const g = this.refresh();
      if (g.length > 0) up(g);
    };
    send();
    const watchers: fs.FSWatcher[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    for (const dir of new Set(this.cfg.files.map((p) => path.dirname(p)))) {
      try {
        const w = fs.watch(dir, () => {
          if (timer || signal.aborted) return;
          timer = setTimeout(() => {
            timer = null;
            if (!signal.aborted) send();
          }, this.opts.watchDebounceMs ?? 100);
        });
        w.on("error", () => {});
        watchers.push(w);
      } catch {
        // A missing directory is not an error: the refresh interval picks it up once it exists.
      }
    }
    try {
      while (!signal.aborted) {
        await sleep(this.cfg.refreshInterval, signal);
        if (!signal.aborted) send();
      }
    } finally {
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
    }
  }
}
