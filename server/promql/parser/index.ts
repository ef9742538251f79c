// Public surface of the PromQL parser. The engine imports the AST types and
// these functions; nothing here depends on the engine.

export { parseExpr, parseMetricSelector, ALL_EXPERIMENTAL, type ParserOptions } from "./parser";
export { checkAST } from "./check";
export { PromQLParseError, positionToLineCol, type ParseErrorDetail } from "./errors";
export { exprToString, prettify, matcherToString } from "./printer";
export { astToJSON, type JSONValue } from "./ast-json";
export { parseDuration, formatDuration } from "./duration";
export { FUNCTIONS, AGGREGATORS, getFunction, type FunctionSignature, type AggregatorSignature } from "./functions";
export { exprType, documentedType, children, walk } from "./ast";
export type * from "./ast";
// Go-compatible formatting, for engine messages that must match Prometheus's text.
export { goQuote, formatFloatF, formatFloatG, isValidUTF8 } from "./go-format";
