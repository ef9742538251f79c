// Public surface of Vigil's PromQL implementation: the parser entry point,
// the engine, and the AST and value types. Everything else is internal.

/** Parses and type-checks a PromQL expression; throws `PromQLParseError`. */
export { parseExpr, PromQLParseError, type ParserOptions } from "./parser";
export type * from "./parser/ast";
/** The query engine; reads data only through a `Querier`. */
export { Engine, ALL_FEATURES, type EngineOptions, type QueryResult, type QueryStats, type QueryOpts } from "./engine/engine";
export type { Querier, SelectedSeries } from "./engine/querier";
export type { FPoint, Sample, Vector, Series, Matrix, Scalar, StringValue, QueryValue } from "./engine/value";
/** A range-vector series' points as FPoint objects. */
export { seriesPoints } from "./engine/value";
/** Typed evaluation errors, mapped to Prometheus's errorType by the HTTP layer. */
export {
  QueryExecutionError,
  QueryTimeoutError,
  QueryCanceledError,
  TooManySamplesError,
  StorageError,
  BadQueryError,
} from "./engine/errors";
