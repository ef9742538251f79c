// /api/v1/format_query, /api/v1/parse_query and /api/v1/query_exemplars: the
// endpoints that only parse the query.

import { astToJSON, parseExpr, prettify, walk, type JSONValue } from "../promql/parser";
import { badData, invalidParamError } from "../http/errors";
import { parseTimeParam, type Params } from "../http/params";
import type { ApiResult } from "../http/respond";
import type { ApiContext } from "./context";

function parse(ctx: ApiContext, query: string) {
  try {
    return parseExpr(query, ctx.engine.parserOptions());
  } catch (err) {
    throw invalidParamError(err, "query");
  }
}

/** /api/v1/format_query: the query pretty-printed as Prometheus's `expr.Pretty(0)`. */
export function formatQuery(ctx: ApiContext, p: Params): ApiResult<string> {
  return { data: prettify(parse(ctx, p.get("query"))) };
}

/** /api/v1/parse_query: the AST as JSON (Prometheus's `translateAST`). */
export function parseQuery(ctx: ApiContext, p: Params): ApiResult<JSONValue> {
  return { data: astToJSON(parse(ctx, p.get("query"))) };
}

/**
 * /api/v1/query_exemplars. Vigil stores no exemplars yet, so every valid
 * request gets an empty list; a query without selectors gets Prometheus's
 * nil data (204), and errors keep Prometheus's texts.
 */
export function queryExemplars(ctx: ApiContext, p: Params): ApiResult<unknown[]> | undefined {
  const start = parseTimeParam(p, "start", Number.NEGATIVE_INFINITY);
  const end = parseTimeParam(p, "end", Number.POSITIVE_INFINITY);
  if (end < start) throw badData("end timestamp must not be before start timestamp");
  let expr;
  try {
    expr = parseExpr(p.get("query"), ctx.engine.parserOptions());
  } catch (err) {
    // Prometheus returns the parse error here without the `invalid parameter` prefix.
    throw badData((err as Error).message);
  }
  let selectors = 0;
  walk(expr, (n) => {
    if (n.type === "vectorSelector") selectors++;
  });
  if (selectors === 0) return undefined;
  return { data: [] };
}
