// /api/v1/series, /api/v1/labels and /api/v1/label/<name>/values
// (Prometheus's `series`, `labelNames`, `labelValues`): match[] selectors,
// optional start/end, limit with the "results truncated due to limit" warning.

import { goQuote, isValidUTF8, parseMetricSelector } from "../promql/parser";
import { compareLabels, compareStrings, labelsKey, type Labels } from "../storage/labels/labels";
import { newMatcher, type Matcher } from "../storage/labels/matcher";
import { badData, invalidParamError } from "../http/errors";
import { RawJSON } from "../http/json";
import { parseLimitParam, parseTimeParam, type Params } from "../http/params";
import type { ApiResult } from "../http/respond";
import type { ApiContext } from "./context";
import { labelsJSON } from "./serialize";

const TRUNCATED = "results truncated due to limit";

export interface SeriesQueryParams {
  /** One matcher set per match[]; empty when none was given. */
  matcherSets: Matcher[][];
  /** Unix ms; undefined when not given (Prometheus's MinTime/MaxTime). */
  startMs?: number;
  endMs?: number;
  /** 0 means no limit. */
  limit: number;
}

/**
 * Prometheus's `parseMatchersParam`: each selector parsed, and each set must
 * have a matcher that does not match the empty string.
 */
export function parseMatchersParam(selectors: string[]): Matcher[][] {
  const sets: Matcher[][] = [];
  for (const s of selectors) {
    try {
      sets.push(parseMetricSelector(s).map((m) => newMatcher(m.type, m.name, m.value)));
    } catch (err) {
      throw invalidParamError(err, "match[]");
    }
  }
  for (const ms of sets) {
    if (!ms.some((m) => !m.matches(""))) throw invalidParamError(new Error("match[] must contain at least one non-empty matcher"), "match[]");
  }
  return sets;
}

function parseCommon(p: Params): SeriesQueryParams {
  const limit = parseLimitParam(p);
  const startMs = parseTimeParam(p, "start", undefined);
  const endMs = parseTimeParam(p, "end", undefined);
  const matcherSets = parseMatchersParam(p.getAll("match[]"));
  return { matcherSets, startMs, endMs, limit };
}

/** Parses /api/v1/series parameters; match[] is required. */
export function parseSeriesParams(p: Params): SeriesQueryParams {
  if (p.getAll("match[]").length === 0) throw badData("no match[] parameter provided");
  return parseCommon(p);
}

/** Parses /api/v1/labels parameters. */
export function parseLabelNamesParams(p: Params): SeriesQueryParams {
  return parseCommon(p);
}

export interface LabelValuesParams extends SeriesQueryParams {
  name: string;
}

/**
 * Prometheus 3's `model.UnescapeName(name, ValueEncodingEscaping)`: a name
 * starting with `U__` has `__` for "_" and `_<hex>_` for a code point; any
 * malformed escape leaves the name as it was.
 */
export function unescapeLabelName(name: string): string {
  if (!name.startsWith("U__")) return name;
  const esc = name.slice(3);
  let out = "";
  let i = 0;
  while (i < esc.length) {
    const c = esc[i]!;
    if (c !== "_") {
      out += c;
      i++;
      continue;
    }
    i++;
    if (i >= esc.length) return name;
    if (esc[i] === "_") {
      out += "_";
      i++;
      continue;
    }
    let cp = 0;
    let closed = false;
    for (let j = 0; i < esc.length; j++) {
      if (j >= 6) return name;
      const h = esc[i]!;
      if (h === "_") {
        // utf8.ValidRune: not a surrogate, at most U+10FFFF.
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return name;
        out += String.fromCodePoint(cp);
        i++;
        closed = true;
        break;
      }
      const d = parseInt(h, 16);
      if (!/^[0-9a-fA-F]$/.test(h)) return name;
      cp = cp * 16 + d;
      i++;
    }
    if (!closed) return name;
  }
  return out;
}

/** Parses /api/v1/label/<name>/values parameters; `rawName` is the path segment, already URL-decoded. */
export function parseLabelValuesParams(rawName: string, p: Params): LabelValuesParams {
  const name = unescapeLabelName(rawName);
  // Prometheus 3 validates with the UTF-8 scheme: any non-empty valid UTF-8 name.
  if (name === "" || !isValidUTF8(name)) throw badData(`invalid label name: ${goQuote(name)}`);
  return { name, ...parseCommon(p) };
}

/** /api/v1/series: the union of the series of every match[] set, sorted by labels. */
export function findSeries(ctx: ApiContext, q: SeriesQueryParams): ApiResult<RawJSON> {
  const seen = new Map<string, Labels>();
  for (const ms of q.matcherSets) {
    for (const ls of ctx.store.series(ms, q.startMs, q.endMs)) {
      const k = labelsKey(ls);
      if (!seen.has(k)) seen.set(k, ls);
    }
  }
  let list = [...seen.values()].sort(compareLabels);
  const warnings: string[] = [];
  if (q.limit > 0 && list.length > q.limit) {
    list = list.slice(0, q.limit);
    warnings.push(TRUNCATED);
  }
  return { data: new RawJSON("[" + list.map(labelsJSON).join(",") + "]"), warnings };
}

function mergeSorted(lists: string[][]): string[] {
  if (lists.length === 1) return lists[0]!;
  return [...new Set(lists.flat())].sort(compareStrings);
}

function truncate(values: string[], limit: number): ApiResult<string[]> {
  if (limit > 0 && values.length > limit) return { data: values.slice(0, limit), warnings: [TRUNCATED] };
  return { data: values };
}

/** /api/v1/labels: sorted label names. */
export function labelNames(ctx: ApiContext, q: SeriesQueryParams): ApiResult<string[]> {
  const lists =
    q.matcherSets.length === 0
      ? [ctx.store.labelNames([], q.startMs, q.endMs)]
      : q.matcherSets.map((ms) => ctx.store.labelNames(ms, q.startMs, q.endMs));
  return truncate(mergeSorted(lists), q.limit);
}

/** /api/v1/label/<name>/values: sorted values of one label. */
export function labelValues(ctx: ApiContext, q: LabelValuesParams): ApiResult<string[]> {
  const lists =
    q.matcherSets.length === 0
      ? [ctx.store.labelValues(q.name, [], q.startMs, q.endMs)]
      : q.matcherSets.map((ms) => ctx.store.labelValues(q.name, ms, q.startMs, q.endMs));
  return truncate([...mergeSorted(lists)].sort(compareStrings), q.limit);
}
