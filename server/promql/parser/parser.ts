// The PromQL parser: hand-written recursive descent with Pratt-style operator
// precedence, producing the AST in ast.ts.
//
// It follows Prometheus's yacc grammar (`promql/parser/generated_parser.y`)
// closely enough to accept the same language and to report the same errors:
//
// - Binary precedence, lowest first: `or`; `and` `unless`; comparisons;
//   `+ -`; `* / % atan2`; `^` (right-associative). Unary `+`/`-` binds like
//   `*`, so `-2 ^ 2` is `-(2 ^ 2)` and `-a * b` is `(-a) * b`. Postfix
//   modifiers (`[...]`, `offset`, `@`, `anchored`, `smoothed`) bind tightest.
// - Semantic problems found while building nodes (unknown function, bad
//   number, ranges on non-selectors, ...) are collected and parsing goes on,
//   as the grammar actions do. A syntax error stops parsing; its message names
//   the innermost construct that Prometheus's error productions would report
//   ("in aggregation", "in grouping opts", "in label matching", ...).
// - Type checking is a separate pass (check.ts), run only when parsing found
//   no problem, as Go's `checkAST`.

import {
  type AggregateExpr,
  type AggregateOp,
  type BinaryExpr,
  type BinaryOp,
  type Call,
  type DurationExpr,
  type DurationNode,
  type DurationOp,
  type Expr,
  type Matcher,
  type MatchType,
  type MatrixSelector,
  type NumberLiteral,
  type PosRange,
  type SubqueryExpr,
  type VectorMatching,
  type VectorSelector,
} from "./ast";
import { AGGREGATORS, FUNCTIONS, getFunction, type FunctionSignature } from "./functions";
import { describeToken, LexError, Lexer, unquoteString, type Token, type TokenKind } from "./lexer";
import { formatFixed, goQuote, isValidUTF8, parseGoNumber } from "./go-format";
import { msToSeconds, parseDuration, roundHalfAwayFromZero, secondsToMs } from "./duration";
import { PromQLParseError, type ParseErrorDetail } from "./errors";
import { checkAST, validateRegexMatcher } from "./check";

/** Feature flags for experimental syntax; all default to off, as in Prometheus. */
export interface ParserOptions {
  /** Experimental functions (`info`, `sort_by_label`, `mad_over_time`, ...) and `limitk`/`limit_ratio`. */
  enableExperimentalFunctions?: boolean;
  /** Duration arithmetic in ranges, steps and offsets (`x[5m * 2]`, `offset (1h + 5m)`). */
  experimentalDurationExpr?: boolean;
  /** The `anchored` and `smoothed` range modifiers. */
  enableExtendedRangeSelectors?: boolean;
  /** The `fill()`, `fill_left()`, `fill_right()` binary-operator modifiers. */
  enableBinopFillModifiers?: boolean;
  /** Function signatures to accept (defaults to all known functions). */
  functions?: Readonly<Record<string, FunctionSignature>>;
}

/** Every experimental feature switched on (what the conformance tests use). */
export const ALL_EXPERIMENTAL: Readonly<ParserOptions> = Object.freeze({
  enableExperimentalFunctions: true,
  experimentalDurationExpr: true,
  enableExtendedRangeSelectors: true,
  enableBinopFillModifiers: true,
});

/** Thrown internally to stop at the first syntax error (already recorded). */
class Abort {}

interface OpInfo {
  op: BinaryOp;
  prec: number;
}

const BINARY_OPS: Partial<Record<TokenKind, OpInfo>> = {
  LOR: { op: "or", prec: 1 },
  LAND: { op: "and", prec: 2 },
  LUNLESS: { op: "unless", prec: 2 },
  EQLC: { op: "==", prec: 3 },
  NEQ: { op: "!=", prec: 3 },
  LTE: { op: "<=", prec: 3 },
  LSS: { op: "<", prec: 3 },
  GTE: { op: ">=", prec: 3 },
  GTR: { op: ">", prec: 3 },
  // The trim operators share the comparison operators' precedence.
  TRIM_UPPER: { op: "</", prec: 3 },
  TRIM_LOWER: { op: ">/", prec: 3 },
  ADD: { op: "+", prec: 4 },
  SUB: { op: "-", prec: 4 },
  MUL: { op: "*", prec: 5 },
  DIV: { op: "/", prec: 5 },
  MOD: { op: "%", prec: 5 },
  ATAN2: { op: "atan2", prec: 5 },
  POW: { op: "^", prec: 6 },
};

/** Unary +/- have the precedence of `*`; only `^` binds tighter. */
const UNARY_OPERAND_PREC = 6;

const DURATION_OPS: Partial<Record<TokenKind, { op: DurationOp; prec: number }>> = {
  ADD: { op: "+", prec: 4 },
  SUB: { op: "-", prec: 4 },
  MUL: { op: "*", prec: 5 },
  DIV: { op: "/", prec: 5 },
  MOD: { op: "%", prec: 5 },
  POW: { op: "^", prec: 6 },
};

const AGGREGATOR_TOKENS: Partial<Record<TokenKind, AggregateOp>> = {
  SUM: "sum",
  AVG: "avg",
  COUNT: "count",
  MIN: "min",
  MAX: "max",
  GROUP: "group",
  STDDEV: "stddev",
  STDVAR: "stdvar",
  TOPK: "topk",
  BOTTOMK: "bottomk",
  COUNT_VALUES: "count_values",
  QUANTILE: "quantile",
  LIMITK: "limitk",
  LIMIT_RATIO: "limit_ratio",
};

/** Tokens that can name a metric (Prometheus's `metric_identifier`). */
const METRIC_IDENTIFIER_TOKENS = new Set<TokenKind>([
  "IDENTIFIER",
  "METRIC_IDENTIFIER",
  ...(Object.keys(AGGREGATOR_TOKENS) as TokenKind[]),
  "BY",
  "WITHOUT",
  "LAND",
  "LOR",
  "LUNLESS",
  "OFFSET",
  "START",
  "END",
  "STEP",
  "RANGE",
  "ANCHORED",
  "SMOOTHED",
  "FILL",
  "FILL_LEFT",
  "FILL_RIGHT",
]);

/** Tokens accepted as a label name in grouping lists (Prometheus's `maybe_label`). */
const LABEL_TOKENS = new Set<TokenKind>([
  ...METRIC_IDENTIFIER_TOKENS,
  "BOOL",
  "GROUP_LEFT",
  "GROUP_RIGHT",
  "IGNORING",
  "ON",
  "ATAN2",
]);

/** Functions that double as parser keywords (`start()`, `end()`, `step()`, `range()`). */
const KEYWORD_FUNCTIONS = new Set<TokenKind>(["START", "END", "STEP", "RANGE"]);

const MATCH_OPS: Partial<Record<TokenKind, MatchType>> = {
  EQL: "=",
  NEQ: "!=",
  EQL_REGEX: "=~",
  NEQ_REGEX: "!~",
};

const CLOSING_TOKENS = new Set<TokenKind>(["RIGHT_BRACE", "RIGHT_PAREN", "RIGHT_BRACKET", "DURATION", "NUMBER"]);

/** `1<<63 / 1e9`: the largest duration in seconds a `time.Duration` can hold. */
const MAX_DURATION_SECONDS = 2 ** 63 / 1e9;

const OFFSET_EXPECTED = "number, duration, step(), or range()";

interface ErrorContext {
  context: string;
  expected: string;
}

const tokenEnd = (t: Token) => t.pos + t.val.length;
const tokenRange = (t: Token): PosRange => ({ start: t.pos, end: tokenEnd(t) });

function emptyMatching(): VectorMatching {
  return { card: "one-to-one", matchingLabels: [], on: false, include: [], fillValues: { lhs: null, rhs: null } };
}

function placeholder(pos: number): NumberLiteral {
  return { type: "numberLiteral", val: 0, duration: false, posRange: { start: pos, end: pos } };
}

/**
 * One parse of one query. Use the `parseExpr`/`parseMetricSelector` functions
 * rather than this class directly.
 */
export class Parser {
  readonly errors: ParseErrorDetail[] = [];
  private readonly lexer: Lexer;
  private readonly lookahead: Token[] = [];
  private readonly contexts: ErrorContext[] = [];
  /** End of the last consumed closing token (`)`, `]`, `}`, number, duration), as Go's `lastClosing`. */
  private lastClosing = 0;
  private readonly opts: ParserOptions;
  private readonly functions: Readonly<Record<string, FunctionSignature>>;

  constructor(
    readonly input: string,
    opts: ParserOptions = {},
  ) {
    this.lexer = new Lexer(input);
    this.opts = opts;
    this.functions = opts.functions ?? FUNCTIONS;
  }

  // ---------------------------------------------------------------- plumbing

  /** Runs a parse function, turning the first syntax error into a recorded error. */
  run<T>(fn: () => T): T | null {
    try {
      return fn();
    } catch (e) {
      if (e instanceof Abort) return null;
      throw e;
    }
  }

  private addError(reason: string, posRange: PosRange): void {
    this.errors.push({ reason, posRange: { start: posRange.start, end: posRange.end } });
  }

  private peek(n = 0): Token {
    while (this.lookahead.length <= n) {
      try {
        this.lookahead.push(this.lexer.next());
      } catch (e) {
        if (e instanceof LexError) {
          this.addError(e.message, { start: e.pos, end: this.input.length });
          throw new Abort();
        }
        throw e;
      }
    }
    return this.lookahead[n];
  }

  private consume(): Token {
    const t = this.peek();
    this.lookahead.shift();
    if (CLOSING_TOKENS.has(t.kind)) this.lastClosing = tokenEnd(t);
    return t;
  }

  private at(kind: TokenKind): boolean {
    return this.peek().kind === kind;
  }

  /**
   * Reports `unexpected <token>` and stops. Without an explicit context the
   * innermost enclosing one is used (as yacc unwinds to the nearest error rule).
   */
  private unexpected(t: Token, context?: string, expected?: string): never {
    if (context === undefined) {
      const top = this.contexts[this.contexts.length - 1];
      context = top?.context ?? "";
      expected = top?.expected ?? "";
    }
    let reason = "unexpected " + describeToken(t);
    if (context) reason += " in " + context;
    if (expected) reason += ", expected " + expected;
    this.addError(reason, tokenRange(t));
    throw new Abort();
  }

  private expect(kind: TokenKind, context?: string, expected?: string): Token {
    const t = this.peek();
    if (t.kind !== kind) this.unexpected(t, context, expected);
    return this.consume();
  }

  private withContext<T>(context: string, expected: string, fn: () => T): T {
    this.contexts.push({ context, expected });
    const result = fn();
    this.contexts.pop();
    return result;
  }

  // ------------------------------------------------------------ entry points

  /** `START_EXPRESSION expr EOF`. */
  parseQuery(): Expr | null {
    return this.run(() => {
      if (this.at("EOF")) {
        this.addError("no expression found in input", { start: 0, end: 0 });
        throw new Abort();
      }
      const e = this.parseExpr(0);
      const t = this.peek();
      if (t.kind !== "EOF") this.unexpected(t);
      return e;
    });
  }

  /** `START_METRIC_SELECTOR vector_selector EOF` (for `match[]` parameters). */
  parseSelector(): VectorSelector | null {
    return this.run(() => {
      const t = this.peek();
      let vs: VectorSelector;
      if (t.kind === "LEFT_BRACE") vs = this.parseVectorSelector(null);
      else if (METRIC_IDENTIFIER_TOKENS.has(t.kind)) vs = this.parseVectorSelector(this.consume());
      else this.unexpected(t);
      const end = this.peek();
      if (end.kind !== "EOF") this.unexpected(end);
      return vs;
    });
  }

  // ------------------------------------------------------------ expressions

  private parseExpr(minPrec: number): Expr {
    let lhs = this.parseUnary();
    for (;;) {
      const info = BINARY_OPS[this.peek().kind];
      if (!info || info.prec < minPrec) return lhs;
      this.consume();
      const mods = this.parseBinModifiers();
      const rhs = this.parseExpr(info.op === "^" ? info.prec : info.prec + 1);
      lhs = this.newBinaryExpr(lhs, info.op, mods, rhs);
    }
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t.kind !== "ADD" && t.kind !== "SUB") return this.parsePostfix(this.parsePrimary());
    this.consume();
    const operand = this.parseExpr(UNARY_OPERAND_PREC);
    const op = t.kind === "SUB" ? "-" : "+";
    if (operand.type === "numberLiteral") {
      if (op === "-") operand.val *= -1;
      operand.posRange.start = t.pos;
      return operand;
    }
    return { type: "unaryExpr", op, expr: operand, posRange: { start: t.pos, end: operand.posRange.end } };
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case "NUMBER":
        return this.numberLiteral(this.consume());
      case "DURATION":
        return this.durationLiteral(this.consume());
      case "STRING": {
        this.consume();
        return { type: "stringLiteral", val: unquoteString(t.val), posRange: tokenRange(t) };
      }
      case "LEFT_PAREN": {
        this.consume();
        const inner = this.parseExpr(0);
        const rp = this.expect("RIGHT_PAREN");
        return { type: "parenExpr", expr: inner, posRange: { start: t.pos, end: tokenEnd(rp) } };
      }
      case "LEFT_BRACE":
        return this.parseVectorSelector(null);
    }
    if (AGGREGATOR_TOKENS[t.kind]) {
      const next = this.peek(1).kind;
      if (next === "LEFT_PAREN" || next === "BY" || next === "WITHOUT") return this.parseAggregation();
    }
    if ((t.kind === "IDENTIFIER" || KEYWORD_FUNCTIONS.has(t.kind)) && this.peek(1).kind === "LEFT_PAREN") {
      return this.parseCall();
    }
    if (METRIC_IDENTIFIER_TOKENS.has(t.kind)) return this.parseVectorSelector(this.consume());
    this.unexpected(t);
  }

  private numberLiteral(t: Token): NumberLiteral {
    const parsed = parseGoNumber(t.val);
    let val = 0;
    if ("error" in parsed) this.addError(`error parsing number: ${parsed.error}`, tokenRange(t));
    else val = parsed.value;
    return { type: "numberLiteral", val, duration: false, posRange: tokenRange(t) };
  }

  private durationLiteral(t: Token): NumberLiteral {
    let ms = 0;
    try {
      ms = parseDuration(t.val);
    } catch (e) {
      this.addError((e as Error).message, tokenRange(t));
    }
    return { type: "numberLiteral", val: msToSeconds(ms), duration: true, posRange: tokenRange(t) };
  }

  /** Parses `offset`, `@`, `[...]`, `anchored` and `smoothed` after an operand. */
  private parsePostfix(expr: Expr): Expr {
    for (;;) {
      switch (this.peek().kind) {
        case "LEFT_BRACKET":
          expr = this.parseRangeOrSubquery(expr);
          break;
        case "OFFSET":
          expr = this.parseOffset(expr);
          break;
        case "AT":
          expr = this.parseAt(expr);
          break;
        case "ANCHORED":
          this.consume();
          this.setExtendedRange(expr, "anchored");
          break;
        case "SMOOTHED":
          this.consume();
          this.setExtendedRange(expr, "smoothed");
          break;
        default:
          return expr;
      }
    }
  }

  // ------------------------------------------------------- binary operators

  private parseBinModifiers(): { returnBool: boolean; matching: VectorMatching } {
    const matching = emptyMatching();
    let returnBool = false;
    if (this.at("BOOL")) {
      this.consume();
      returnBool = true;
    }
    const t = this.peek();
    if (t.kind === "ON" || t.kind === "IGNORING") {
      this.consume();
      matching.on = t.kind === "ON";
      matching.matchingLabels = this.parseGroupingLabels();
      const g = this.peek();
      if (g.kind === "GROUP_LEFT" || g.kind === "GROUP_RIGHT") {
        this.consume();
        matching.card = g.kind === "GROUP_LEFT" ? "many-to-one" : "one-to-many";
        // A "(" right after group_x always starts its label list (as yacc shifts).
        if (this.at("LEFT_PAREN")) matching.include = this.parseGroupingLabels();
      }
    }
    const f = this.peek();
    if (f.kind === "FILL") {
      this.consume();
      const v = this.parseFillValue();
      matching.fillValues = { lhs: v, rhs: v };
    } else if (f.kind === "FILL_LEFT" || f.kind === "FILL_RIGHT") {
      this.consume();
      const v = this.parseFillValue();
      const other = f.kind === "FILL_LEFT" ? "FILL_RIGHT" : "FILL_LEFT";
      let w: number | null = null;
      if (this.at(other)) {
        this.consume();
        w = this.parseFillValue();
      }
      matching.fillValues = f.kind === "FILL_LEFT" ? { lhs: v, rhs: w } : { lhs: w, rhs: v };
    }
    return { returnBool, matching };
  }

  /** `( [+|-] number_or_duration )`. */
  private parseFillValue(): number {
    this.expect("LEFT_PAREN");
    let sign = 1;
    const s = this.peek();
    if (s.kind === "ADD" || s.kind === "SUB") {
      this.consume();
      if (s.kind === "SUB") sign = -1;
    }
    const t = this.peek();
    let lit: NumberLiteral;
    if (t.kind === "NUMBER") lit = this.numberLiteral(this.consume());
    else if (t.kind === "DURATION") lit = this.durationLiteral(this.consume());
    else this.unexpected(t);
    this.expect("RIGHT_PAREN");
    return sign * lit.val;
  }

  private newBinaryExpr(
    lhs: Expr,
    op: BinaryOp,
    mods: { returnBool: boolean; matching: VectorMatching },
    rhs: Expr,
  ): BinaryExpr {
    const e: BinaryExpr = {
      type: "binaryExpr",
      op,
      lhs,
      rhs,
      matching: mods.matching,
      returnBool: mods.returnBool,
      posRange: { start: lhs.posRange.start, end: rhs.posRange.end },
    };
    const fill = mods.matching.fillValues;
    if (!this.opts.enableBinopFillModifiers && (fill.lhs !== null || fill.rhs !== null)) {
      this.addError("binop fill modifiers are experimental and not enabled", e.posRange);
    }
    return e;
  }

  /** `( label, ... )` after by/without/on/ignoring/group_x. */
  private parseGroupingLabels(): string[] {
    const open = this.peek();
    if (open.kind !== "LEFT_PAREN") this.unexpected(open, "grouping opts", '"("');
    this.consume();
    const labels: string[] = [];
    if (this.at("RIGHT_PAREN")) {
      this.consume();
      return labels;
    }
    for (;;) {
      const t = this.peek();
      if (LABEL_TOKENS.has(t.kind)) {
        this.consume();
        labels.push(t.val);
      } else if (t.kind === "STRING") {
        this.consume();
        const name = unquoteString(t.val);
        if (name === "" || !isValidUTF8(name)) {
          this.addError(`invalid label name for grouping: ${goQuote(name)}`, tokenRange(t));
        }
        labels.push(name);
      } else {
        this.unexpected(t, "grouping opts", "label");
      }
      const sep = this.peek();
      if (sep.kind === "RIGHT_PAREN") {
        this.consume();
        return labels;
      }
      if (sep.kind !== "COMMA") this.unexpected(sep, "grouping opts", '"," or ")"');
      this.consume();
      if (this.at("RIGHT_PAREN")) {
        this.consume();
        return labels;
      }
    }
  }

  // ------------------------------------------------ calls and aggregations

  /** `( expr, ... )`; returns the arguments and the end of the closing parenthesis. */
  private parseCallBody(): { args: Expr[]; end: number } {
    this.expect("LEFT_PAREN");
    const args: Expr[] = [];
    if (this.at("RIGHT_PAREN")) return { args, end: tokenEnd(this.consume()) };
    for (;;) {
      args.push(this.parseExpr(0));
      for (;;) {
        const t = this.peek();
        if (t.kind === "RIGHT_PAREN") return { args, end: tokenEnd(this.consume()) };
        if (t.kind !== "COMMA") this.unexpected(t);
        const comma = this.consume();
        const n = this.peek().kind;
        if (n === "RIGHT_PAREN" || n === "COMMA") {
          this.addError("trailing commas not allowed in function call args", tokenRange(comma));
          continue;
        }
        break;
      }
    }
  }

  private parseCall(): Call {
    const name = this.consume();
    const { args, end } = this.parseCallBody();
    let func = getFunction(name.val, this.functions);
    if (!func) {
      this.addError(`unknown function with name ${goQuote(name.val)}`, tokenRange(name));
      func = { name: name.val, argTypes: [], variadic: 0, returnType: "none", experimental: false };
    } else if (func.experimental && !this.opts.enableExperimentalFunctions) {
      this.addError(`function ${goQuote(name.val)} is not enabled`, tokenRange(name));
    }
    return { type: "call", func, args, posRange: { start: name.pos, end } };
  }

  private parseAggregation(): AggregateExpr {
    const opTok = this.consume();
    const op = AGGREGATOR_TOKENS[opTok.kind]!;
    // Errors anywhere inside the aggregation read "... in aggregation" (yacc's `aggregate_op error`).
    this.contexts.push({ context: "aggregation", expected: "" });
    let modifier: { grouping: string[]; without: boolean } | null = null;
    if (this.at("BY") || this.at("WITHOUT")) modifier = this.parseAggregateModifier();
    const body = this.parseCallBody();
    const args = body.args;
    let end = body.end;
    if (modifier === null && (this.at("BY") || this.at("WITHOUT"))) {
      modifier = this.parseAggregateModifier();
      end = this.lastClosing;
    }
    this.contexts.pop();
    const grouping = modifier?.grouping ?? [];
    const without = modifier?.without ?? false;
    const posRange = { start: opTok.pos, end };
    const agg: AggregateExpr = {
      type: "aggregation",
      op,
      expr: placeholder(posRange.start),
      param: null,
      grouping,
      without,
      posRange,
    };
    if (args.length === 0) {
      this.addError("no arguments for aggregate expression provided", posRange);
      return agg;
    }
    let desired = 1;
    const sig = AGGREGATORS[op];
    if (sig.paramType !== null) {
      if (sig.experimental && !this.opts.enableExperimentalFunctions) {
        this.addError(
          `${op}() is experimental and must be enabled with --enable-feature=promql-experimental-functions`,
          posRange,
        );
        return agg;
      }
      desired = 2;
      agg.param = args[0];
    }
    if (args.length !== desired) {
      this.addError(
        `wrong number of arguments for aggregate expression provided, expected ${desired}, got ${args.length}`,
        posRange,
      );
      return agg;
    }
    agg.expr = args[desired - 1];
    return agg;
  }

  /** `by (...)` or `without (...)`. */
  private parseAggregateModifier(): { grouping: string[]; without: boolean } {
    const kw = this.consume();
    return { without: kw.kind === "WITHOUT", grouping: this.parseGroupingLabels() };
  }

  // -------------------------------------------------------------- selectors

  /** `name`, `name{...}` or `{...}`; nameTok has already been consumed. */
  private parseVectorSelector(nameTok: Token | null): VectorSelector {
    let matchers: Matcher[] = [];
    let range: PosRange = nameTok ? tokenRange(nameTok) : { start: 0, end: 0 };
    if (this.at("LEFT_BRACE") || !nameTok) {
      const braces = this.parseLabelMatchers();
      matchers = braces.matchers;
      range = { start: nameTok ? nameTok.pos : braces.start, end: braces.end };
    }
    const name = nameTok ? nameTok.val : "";
    if (name !== "") matchers.push({ type: "=", name: "__name__", value: name });
    return {
      type: "vectorSelector",
      name,
      matchers,
      offset: 0,
      offsetExpr: null,
      timestamp: null,
      startOrEnd: null,
      anchored: false,
      smoothed: false,
      posRange: range,
    };
  }

  private parseLabelMatchers(): { matchers: Matcher[]; start: number; end: number } {
    const open = this.expect("LEFT_BRACE");
    const matchers: Matcher[] = [];
    const ctx = "label matching";
    if (this.at("RIGHT_BRACE")) return { matchers, start: open.pos, end: tokenEnd(this.consume()) };
    for (;;) {
      const t = this.peek();
      if (t.kind === "IDENTIFIER") {
        this.consume();
        const opTok = this.peek();
        const op = MATCH_OPS[opTok.kind];
        if (!op) this.unexpected(opTok, ctx, "label matching operator");
        this.consume();
        const value = this.expect("STRING", ctx, "string");
        matchers.push(this.newLabelMatcher(t, t.val, op, value));
      } else if (t.kind === "STRING") {
        this.consume();
        const name = unquoteString(t.val);
        const op = MATCH_OPS[this.peek().kind];
        if (op) {
          this.consume();
          const value = this.expect("STRING", ctx, "string");
          matchers.push(this.newLabelMatcher(t, name, op, value));
        } else {
          // A quoted name alone is the metric name: {"my.metric"}.
          matchers.push({ type: "=", name: "__name__", value: name });
        }
      } else {
        this.unexpected(t, ctx, 'identifier or "}"');
      }
      const sep = this.peek();
      if (sep.kind === "RIGHT_BRACE") return { matchers, start: open.pos, end: tokenEnd(this.consume()) };
      if (sep.kind !== "COMMA") this.unexpected(sep, ctx, '"," or "}"');
      this.consume();
      if (this.at("RIGHT_BRACE")) return { matchers, start: open.pos, end: tokenEnd(this.consume()) };
    }
  }

  private newLabelMatcher(nameTok: Token, name: string, type: MatchType, valueTok: Token): Matcher {
    const value = unquoteString(valueTok.val);
    if (type === "=~" || type === "!~") {
      const err = validateRegexMatcher(value);
      if (err) this.addError(err, { start: nameTok.pos, end: tokenEnd(valueTok) });
    }
    return { type, name, value };
  }

  /** `expr [ range ]` or `expr [ range : step? ]`. */
  private parseRangeOrSubquery(expr: Expr): Expr {
    const lb = this.consume();
    const first = this.withContext("subquery or range selector", OFFSET_EXPECTED, () =>
      this.positiveDuration(this.parseDurationExpr(0)),
    );
    const t = this.peek();
    if (t.kind === "RIGHT_BRACKET") {
      const rb = this.consume();
      return this.newMatrixSelector(expr, first, lb, rb);
    }
    if (t.kind !== "COLON") this.unexpected(t, "subquery or range", '":" or "]"');
    this.consume();
    let step: DurationNode | null = null;
    if (!this.at("RIGHT_BRACKET")) {
      step = this.withContext("subquery selector", 'number, duration, step(), range(), or "]"', () =>
        this.positiveDuration(this.parseDurationExpr(0)),
      );
    }
    const rb = this.expect("RIGHT_BRACKET", "subquery selector", '"]"');
    const sq: SubqueryExpr = {
      type: "subquery",
      expr,
      range: first.type === "numberLiteral" ? secondsToMs(first.val) : 0,
      rangeExpr: first.type === "durationExpr" ? first : null,
      step: step?.type === "numberLiteral" ? secondsToMs(step.val) : 0,
      stepExpr: step?.type === "durationExpr" ? step : null,
      offset: 0,
      offsetExpr: null,
      timestamp: null,
      startOrEnd: null,
      posRange: { start: expr.posRange.start, end: rb.pos + 1 },
    };
    return sq;
  }

  private newMatrixSelector(expr: Expr, range: DurationNode, lb: Token, rb: Token): Expr {
    let err = "";
    if (expr.type !== "vectorSelector") err = "ranges only allowed for vector selectors";
    else if (expr.offset !== 0) err = "no offset modifiers allowed before range";
    else if (expr.timestamp !== null) err = "no @ modifiers allowed before range";
    if (err) {
      this.addError(err, { start: lb.pos, end: tokenEnd(rb) });
      return expr;
    }
    const ms: MatrixSelector = {
      type: "matrixSelector",
      vectorSelector: expr as VectorSelector,
      range: range.type === "numberLiteral" ? secondsToMs(range.val) : 0,
      rangeExpr: range.type === "durationExpr" ? range : null,
      posRange: { start: expr.posRange.start, end: this.lastClosing },
    };
    return ms;
  }

  private positiveDuration(d: DurationNode): DurationNode {
    if (d.type === "numberLiteral" && d.val <= 0) {
      this.addError("duration must be greater than 0", d.posRange);
      return placeholder(0);
    }
    return d;
  }

  // --------------------------------------------------------------- modifiers

  private parseOffset(expr: Expr): Expr {
    this.consume();
    const d = this.withContext("offset", OFFSET_EXPECTED, () => this.parseOffsetDuration());
    if (d.type === "numberLiteral") {
      this.addOffset(expr, secondsToMs(d.val), null);
    } else {
      this.addOffset(expr, 0, d);
    }
    return expr;
  }

  /**
   * The offset operand (Prometheus's `offset_duration_expr`): a literal, a
   * signed literal, `step()`, `range()`, `min(a, b)`/`max(a, b)` (also spelled
   * `min_of`/`max_of`), optionally negated, or a parenthesized duration
   * expression. Operators after it belong to the enclosing expression:
   * `foo offset 5m + 1` adds 1 to the selector, as in Prometheus, where yacc
   * resolves these forms in favour of the offset. (For `offset (1m) * 2` yacc's
   * default shift would make the offset 2m, but Prometheus then prints it as
   * `offset 1m * 2`, which parses differently; we end the offset at the
   * parenthesis so that printing round-trips.)
   */
  private parseOffsetDuration(): DurationNode {
    const t = this.peek();
    if (t.kind === "ADD" || t.kind === "SUB") {
      this.consume();
      const n = this.peek();
      if (n.kind === "NUMBER" || n.kind === "DURATION") {
        const lit = this.consumeDurationLiteral(false);
        if (t.kind === "SUB") lit.val *= -1;
        if (lit.val > MAX_DURATION_SECONDS || lit.val < -MAX_DURATION_SECONDS) {
          this.addError("duration out of range", tokenRange(t));
          return placeholder(0);
        }
        lit.posRange.start = t.pos;
        return lit;
      }
      if (n.kind === "LEFT_PAREN") {
        const inner = this.parseDurationParen();
        if (inner.type === "numberLiteral") {
          // Prometheus panics here ("unexpected error"); negating is the evident intent.
          if (t.kind === "SUB") inner.val *= -1;
          inner.posRange.start = t.pos;
          return inner;
        }
        inner.wrapped = true;
        return t.kind === "SUB" ? this.unaryDuration(t, inner) : inner;
      }
      if (this.isDurationCallStart(n)) {
        const call = this.parseDurationCall();
        // Prometheus wraps `+step()` in a no-op unary plus that prints as
        // `step()`; we drop it so that printing and re-parsing give the same tree.
        return t.kind === "SUB" ? this.unaryDuration(t, call) : call;
      }
      this.unexpected(n);
    }
    if (t.kind === "NUMBER" || t.kind === "DURATION") return this.consumeDurationLiteral(true);
    if (this.isDurationCallStart(t)) return this.parseDurationCall();
    if (t.kind === "LEFT_PAREN") return this.parseDurationParen();
    this.unexpected(t);
  }

  private addOffset(expr: Expr, ms: number, offsetExpr: DurationExpr | null): void {
    let target: VectorSelector | SubqueryExpr;
    let endOwner: { posRange: PosRange };
    switch (expr.type) {
      case "vectorSelector":
        target = expr;
        endOwner = expr;
        break;
      case "matrixSelector":
        target = expr.vectorSelector;
        endOwner = expr;
        break;
      case "subquery":
        target = expr;
        endOwner = expr;
        break;
      default:
        this.addError(
          "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery",
          expr.posRange,
        );
        return;
    }
    if (target.offset !== 0 || target.offsetExpr !== null) {
      this.addError("offset may not be set multiple times", expr.posRange);
    } else {
      target.offset = ms;
      target.offsetExpr = offsetExpr;
    }
    endOwner.posRange.end = this.lastClosing;
  }

  private parseAt(expr: Expr): Expr {
    this.consume();
    this.withContext("@", "timestamp", () => {
      const t = this.peek();
      if (t.kind === "START" || t.kind === "END") {
        this.consume();
        this.expect("LEFT_PAREN");
        this.expect("RIGHT_PAREN");
        this.setAtModifier(expr, null, t.kind === "START" ? "start" : "end");
        return;
      }
      let sign = 1;
      let n = t;
      if (t.kind === "ADD" || t.kind === "SUB") {
        this.consume();
        sign = t.kind === "SUB" ? -1 : 1;
        n = this.peek();
      }
      let lit: NumberLiteral;
      if (n.kind === "NUMBER") lit = this.numberLiteral(this.consume());
      else if (n.kind === "DURATION") lit = this.durationLiteral(this.consume());
      else this.unexpected(n);
      this.setAtModifier(expr, sign * lit.val, null);
    });
    return expr;
  }

  private setAtModifier(expr: Expr, ts: number | null, startOrEnd: "start" | "end" | null): void {
    if (ts !== null && (!Number.isFinite(ts) || ts >= 2 ** 63 || ts <= -(2 ** 63))) {
      this.addError(`timestamp out of bounds for @ modifier: ${formatFixed(ts)}`, expr.posRange);
      ts = null;
      startOrEnd = null;
    }
    let target: VectorSelector | SubqueryExpr;
    let endOwner: { posRange: PosRange };
    switch (expr.type) {
      case "vectorSelector":
        target = expr;
        endOwner = expr;
        break;
      case "matrixSelector":
        target = expr.vectorSelector;
        endOwner = expr;
        break;
      case "subquery":
        target = expr;
        endOwner = expr;
        break;
      default:
        this.addError(
          "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery",
          expr.posRange,
        );
        return;
    }
    if (target.timestamp !== null || target.startOrEnd !== null) {
      this.addError("@ <timestamp> may not be set multiple times", expr.posRange);
      return;
    }
    if (ts !== null) target.timestamp = roundHalfAwayFromZero(ts * 1000);
    target.startOrEnd = startOrEnd;
    endOwner.posRange.end = this.lastClosing;
  }

  private setExtendedRange(expr: Expr, which: "anchored" | "smoothed"): void {
    if (!this.opts.enableExtendedRangeSelectors) {
      this.addError(`${which} modifier is experimental and not enabled`, expr.posRange);
      return;
    }
    const other = which === "anchored" ? "smoothed" : "anchored";
    let vs: VectorSelector;
    if (expr.type === "vectorSelector") vs = expr;
    else if (expr.type === "matrixSelector") vs = expr.vectorSelector;
    else if (expr.type === "subquery") {
      this.addError(`${which} modifier is not supported for subqueries`, expr.posRange);
      return;
    } else {
      this.addError(`${which} modifier not implemented`, expr.posRange);
      return;
    }
    vs[which] = true;
    if (vs[other]) this.addError("anchored and smoothed modifiers cannot be used together", expr.posRange);
  }

  // ----------------------------------------------------- duration expressions

  /** A duration expression (inside brackets, parentheses, min/max arguments). */
  private parseDurationExpr(minPrec: number): DurationNode {
    return this.continueDurationExpr(this.parseDurationUnary(), minPrec);
  }

  private continueDurationExpr(lhs: DurationNode, minPrec: number): DurationNode {
    for (;;) {
      const opTok = this.peek();
      const info = DURATION_OPS[opTok.kind];
      if (!info || info.prec < minPrec) return lhs;
      this.consume();
      const rhs = this.parseDurationExpr(info.op === "^" ? info.prec : info.prec + 1);
      lhs = this.newDurationBinary(lhs, info.op, opTok, rhs);
    }
  }

  private parseDurationUnary(): DurationNode {
    const t = this.peek();
    if (t.kind !== "ADD" && t.kind !== "SUB") return this.parseDurationAtom();
    this.consume();
    const operand = this.parseDurationExpr(UNARY_OPERAND_PREC);
    if (operand.type === "numberLiteral") {
      if (t.kind === "SUB") operand.val *= -1;
      if (operand.val > MAX_DURATION_SECONDS || operand.val < -MAX_DURATION_SECONDS) {
        this.addError("duration out of range", tokenRange(t));
        return placeholder(0);
      }
      operand.posRange.start = t.pos;
      return operand;
    }
    return t.kind === "SUB" ? this.unaryDuration(t, operand) : operand;
  }

  private parseDurationAtom(): DurationNode {
    const t = this.peek();
    if (t.kind === "NUMBER" || t.kind === "DURATION") return this.consumeDurationLiteral(true);
    if (this.isDurationCallStart(t)) return this.parseDurationCall();
    if (t.kind === "LEFT_PAREN") {
      const inner = this.parseDurationParen();
      if (inner.type === "durationExpr") inner.wrapped = true;
      return inner;
    }
    this.unexpected(t);
  }

  /** `( duration_expr )`; the caller decides whether to mark it wrapped. */
  private parseDurationParen(): DurationNode {
    this.consume();
    const inner = this.parseDurationExpr(0);
    this.expect("RIGHT_PAREN");
    this.requireDurationExprs(inner);
    if (inner.type === "durationExpr") inner.wrapped = true;
    return inner;
  }

  private isDurationCallStart(t: Token): boolean {
    if (t.kind === "STEP" || t.kind === "RANGE" || t.kind === "MIN" || t.kind === "MAX") return true;
    if (t.kind === "IDENTIFIER") {
      const w = t.val.toLowerCase();
      return w === "min_of" || w === "max_of";
    }
    return false;
  }

  /** `step()`, `range()`, `min(a, b)`, `max(a, b)`, `min_of(a, b)`, `max_of(a, b)`. */
  private parseDurationCall(): DurationExpr {
    const t = this.consume();
    const op = t.val.toLowerCase() as DurationOp;
    this.expect("LEFT_PAREN");
    if (op === "step" || op === "range") {
      const rp = this.expect("RIGHT_PAREN");
      return { type: "durationExpr", op, lhs: null, rhs: null, wrapped: false, posRange: { start: t.pos, end: tokenEnd(rp) } };
    }
    const lhs = this.parseDurationExpr(0);
    this.expect("COMMA");
    const rhs = this.parseDurationExpr(0);
    this.expect("RIGHT_PAREN");
    return {
      type: "durationExpr",
      op,
      lhs,
      rhs,
      wrapped: false,
      posRange: { start: lhs.posRange.start, end: rhs.posRange.end },
    };
  }

  private consumeDurationLiteral(checkRange: boolean): NumberLiteral {
    const t = this.consume();
    const lit = t.kind === "NUMBER" ? this.numberLiteral(t) : this.durationLiteral(t);
    if (checkRange && (lit.val > MAX_DURATION_SECONDS || lit.val < -MAX_DURATION_SECONDS)) {
      this.addError("duration out of range", lit.posRange);
      return placeholder(0);
    }
    return lit;
  }

  private unaryDuration(opTok: Token, operand: DurationNode): DurationExpr {
    return {
      type: "durationExpr",
      op: opTok.kind === "SUB" ? "-" : "+",
      lhs: null,
      rhs: operand,
      wrapped: false,
      posRange: { start: opTok.pos, end: operand.posRange.end },
    };
  }

  private newDurationBinary(lhs: DurationNode, op: DurationOp, opTok: Token, rhs: DurationNode): DurationNode {
    this.requireDurationExprs(lhs);
    if ((op === "/" || op === "%") && rhs.type === "numberLiteral" && rhs.val === 0) {
      this.addError(op === "/" ? "division by zero" : "modulo by zero", tokenRange(opTok));
      return placeholder(0);
    }
    return {
      type: "durationExpr",
      op,
      lhs,
      rhs,
      wrapped: false,
      posRange: { start: lhs.posRange.start, end: rhs.posRange.end },
    };
  }

  private requireDurationExprs(at: DurationNode): void {
    if (!this.opts.experimentalDurationExpr) {
      this.addError("experimental duration expression is not enabled", at.posRange);
    }
  }
}

/**
 * Parses and type-checks a PromQL expression.
 *
 * @throws PromQLParseError with Prometheus's message (e.g.
 *   `1:5: parse error: unexpected <op:+>`) and the error's range.
 */
export function parseExpr(input: string, opts: ParserOptions = {}): Expr {
  const p = new Parser(input, opts);
  const expr = p.parseQuery();
  if (p.errors.length > 0 || expr === null) throw new PromQLParseError(input, p.errors);
  const problems = checkAST(expr, input);
  if (problems.length > 0) throw new PromQLParseError(input, problems);
  return expr;
}

/**
 * Parses a series selector such as `up{job="api"}` or `{__name__=~"a.*"}` (the
 * `match[]` parameter of the series/labels APIs) into its matchers. As
 * Prometheus's `ParseMetricSelector`, no type check is done: `{}` is accepted
 * here and the caller decides whether empty selectors are allowed.
 *
 * @throws PromQLParseError
 */
export function parseMetricSelector(input: string): Matcher[] {
  const p = new Parser(input);
  const vs = p.parseSelector();
  if (p.errors.length > 0 || vs === null) throw new PromQLParseError(input, p.errors);
  return vs.matchers;
}
