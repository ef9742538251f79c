// YAML reading for the configuration file: plain values for validation, and
// the node tree kept beside them so errors can point at a line and column.
//
// Prometheus reads its configuration with gopkg.in/yaml.v2, which speaks
// YAML 1.1: `yes`/`no`/`on`/`off` are booleans, `0777` is octal, `<<` merge
// keys work, and a key given twice is an error. We parse with the same
// version, minus the 1.1 types yaml.v2 does not resolve: sexagesimal numbers
// (`1234:9090` must stay a host:port string) and timestamps.

import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface ParsedYaml {
  /** The document as plain JavaScript values (null for an empty file). */
  value: unknown;
  /** Where the node at `path` starts: its key for a map entry, the item for a list entry. */
  locate(path: readonly (string | number)[]): Position;
}

export class YamlSyntaxError extends Error {
  override name = "YamlSyntaxError";
  constructor(
    message: string,
    readonly position: Position,
  ) {
    super(message);
  }
}

export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    version: "1.1",
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    customTags: (tags) =>
      tags
        .filter((t) => {
          const tag = typeof t === "string" ? t : t.tag;
          const format = typeof t === "string" ? undefined : t.format;
          return format !== "TIME" && !tag.endsWith(":timestamp");
        })
        .map((t) => {
          if (typeof t === "string" || !t.tag.endsWith(":float") || !t.test) return t;
          // The library's 1.1 float patterns make every digit optional, so
          // `e500` or `.` would read as NaN; yaml.v2 wants a digit before or
          // after the point.
          if (t.format === "EXP") return { ...t, test: /^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)[eE][-+]?[0-9]+$/ };
          if (t.test.source.includes("inf")) return t;
          return { ...t, test: /^[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)$/ };
        }),
  });
  const pos = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new YamlSyntaxError(e.message, pos(e.pos[0]));
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw new YamlSyntaxError(e instanceof Error ? e.message : String(e), { line: 1, column: 1 });
  }
  return { value, locate: (path) => pos(locateOffset(doc, path)) };
}

function locateOffset(doc: Document, path: readonly (string | number)[]): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

function rangeStart(n: unknown): number | undefined {
  const r = (n as Node | null | undefined)?.range;
  return r ? r[0] : undefined;
}
