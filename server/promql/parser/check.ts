// The type-check pass, modelled on Prometheus's `checkAST`.
//
// It runs after a successful parse and reports problems with Prometheus's
// wording and positions: argument types and arity of calls, aggregation
// parameter types, `bool` on non-comparisons, set operators and vector
// matching only between instant vectors, grouping rules, empty-matching
// selectors, and so on.
//
// Like Go's checkAST it also normalizes the tree in place: vector matching is
// dropped (null) unless both operands are instant vectors, set operators become
// many-to-many, and the second argument of `info()` is marked as allowed to
// match the empty string. The evaluator relies on that normalized form.

import { RE2JS } from "re2js";
import {
  documentedType,
  exprType,
  isComparisonOp,
  isSetOp,
  type BinaryExpr,
  type Call,
  type Expr,
  type Matcher,
  type PosRange,
  type ValueType,
  type VectorSelector,
} from "./ast";
import type { ParseErrorDetail } from "./errors";
import { goQuote } from "./go-format";

const regexCache = new Map<string, RE2JS | string>();

/**
 * Compiles a label-matcher regex as Prometheus does (RE2 syntax, `.` matches
 * newlines, fully anchored). Returns the compiled matcher or Go's error text.
 */
export function compileMatcherRegex(value: string): RE2JS | string {
  let re = regexCache.get(value);
  if (re === undefined) {
    try {
      // Compile without flags first: re2js would otherwise show the flag
      // prefix in its error message, which Go does not.
      RE2JS.compile(value);
      re = RE2JS.compile(value, RE2JS.DOTALL);
    } catch (e) {
      re = (e as Error).message;
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(value, re);
  }
  return re;
}

/** The error Prometheus gives for an invalid `=~`/`!~` value (e.g. "error parsing regexp: missing closing ): `(.*`"), or null. */
export function validateRegexMatcher(value: string): string | null {
  const re = compileMatcherRegex(value);
  return typeof re === "string" ? re : null;
}

/** Whether a matcher accepts the given label value (regexes fully anchored, as Prometheus). */
export function matcherMatches(m: Matcher, v: string): boolean {
  switch (m.type) {
    case "=":
      return m.value === v;
    case "!=":
      return m.value !== v;
    case "=~":
    case "!~": {
      const re = compileMatcherRegex(m.value);
      const ok = typeof re !== "string" && re.matches(v);
      return m.type === "=~" ? ok : !ok;
    }
  }
}

const isSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\r";

/**
 * Type-checks an expression tree. Returns the problems found (empty when the
 * expression is valid); `query` is the source text, used for error positions.
 */
export function checkAST(expr: Expr, query: string): ParseErrorDetail[] {
  const c = new Checker(query);
  c.check(expr);
  return c.errors;
}

class Checker {
  readonly errors: ParseErrorDetail[] = [];

  constructor(private readonly query: string) {}

  private add(reason: string, posRange: PosRange): void {
    this.errors.push({ reason, posRange: { start: posRange.start, end: posRange.end } });
  }

  private expectType(node: Expr, want: ValueType, context: string): void {
    const t = this.check(node);
    if (t !== want) this.add(`expected type ${documentedType(want)} in ${context}, got ${documentedType(t)}`, node.posRange);
  }

  /**
   * The range of a binary operator token(s), whitespace trimmed. Go's End is
   * the index of the last operator character (inclusive), which we keep.
   */
  private opRange(node: BinaryExpr): PosRange {
    const q = this.query;
    let start = node.lhs.posRange.end;
    while (isSpace(q[start])) start++;
    let end = node.rhs.posRange.start - 1;
    while (end > start && isSpace(q[end])) end--;
    return { start, end };
  }

  /** Checks a node and its subtree; returns the node's type. */
  check(node: Expr): ValueType {
    switch (node.type) {
      case "aggregation": {
        this.expectType(node.expr, "vector", "aggregation expression");
        const op = node.op;
        if (op === "topk" || op === "bottomk" || op === "quantile" || op === "limitk" || op === "limit_ratio") {
          if (node.param) this.expectType(node.param, "scalar", "aggregation parameter");
        }
        if (op === "count_values" && node.param) this.expectType(node.param, "string", "aggregation parameter");
        return "vector";
      }
      case "binaryExpr":
        return this.checkBinary(node);
      case "call":
        this.checkCall(node);
        return node.func.returnType;
      case "parenExpr":
        return this.check(node.expr);
      case "unaryExpr": {
        const t = this.check(node.expr);
        if (t !== "scalar" && t !== "vector") {
          this.add(
            `unary expression only allowed on expressions of type scalar or instant vector, got ${goQuote(documentedType(t))}`,
            node.posRange,
          );
        }
        return t;
      }
      case "subquery": {
        const t = this.check(node.expr);
        if (t !== "vector") this.add(`subquery is only allowed on instant vector, got ${t} instead`, node.posRange);
        return "matrix";
      }
      case "matrixSelector":
        this.check(node.vectorSelector);
        return "matrix";
      case "vectorSelector":
        this.checkVectorSelector(node);
        return "vector";
      case "numberLiteral":
        return "scalar";
      case "stringLiteral":
        return "string";
    }
  }

  private checkBinary(node: BinaryExpr): ValueType {
    const lt = this.check(node.lhs);
    const rt = this.check(node.rhs);
    if (node.returnBool && !isComparisonOp(node.op)) {
      this.add("bool modifier can only be used on comparison operators", this.opRange(node));
    }
    if (isComparisonOp(node.op) && !node.returnBool && lt === "scalar" && rt === "scalar") {
      this.add("comparisons between scalars must use BOOL modifier", this.opRange(node));
    }
    const vm = node.matching;
    if (vm && isSetOp(node.op) && vm.card === "one-to-one") vm.card = "many-to-many";
    if (vm && vm.on) {
      for (const l1 of vm.matchingLabels) {
        for (const l2 of vm.include) {
          if (l1 === l2) this.add(`label ${goQuote(l1)} must not occur in ON and GROUP clause at once`, this.opRange(node));
        }
      }
    }
    if (lt !== "scalar" && lt !== "vector") {
      this.add("binary expression must contain only scalar and instant vector types", node.lhs.posRange);
    }
    if (rt !== "scalar" && rt !== "vector") {
      this.add("binary expression must contain only scalar and instant vector types", node.rhs.posRange);
    }
    const hasFill = vm !== null && (vm.fillValues.lhs !== null || vm.fillValues.rhs !== null);
    if ((lt !== "vector" || rt !== "vector") && vm !== null) {
      if (vm.matchingLabels.length > 0) this.add("vector matching only allowed between instant vectors", node.posRange);
      if (hasFill) this.add("filling in missing series only allowed between instant vectors", node.posRange);
      node.matching = null;
    } else if (isSetOp(node.op) && vm !== null) {
      if (vm.card === "one-to-many" || vm.card === "many-to-one") {
        this.add(`no grouping allowed for ${goQuote(node.op)} operation`, node.posRange);
      }
      if (vm.card !== "many-to-many") this.add("set operations must always be many-to-many", node.posRange);
      if (hasFill) this.add("filling in missing series not allowed for set operators", node.posRange);
    }
    if ((lt === "scalar" || rt === "scalar") && isSetOp(node.op)) {
      this.add(`set operator ${goQuote(node.op)} not allowed in binary scalar expression`, node.posRange);
    }
    return lt === "scalar" && rt === "scalar" ? "scalar" : "vector";
  }

  private checkCall(node: Call): void {
    const f = node.func;
    const nargs = f.argTypes.length;
    const got = node.args.length;
    const name = goQuote(f.name);
    if (f.variadic === 0) {
      if (nargs !== got) this.add(`expected ${nargs} argument(s) in call to ${name}, got ${got}`, node.posRange);
    } else {
      const na = nargs - 1;
      if (na > got) {
        this.add(`expected at least ${na} argument(s) in call to ${name}, got ${got}`, node.posRange);
      } else if (f.variadic > 0 && na + f.variadic < got) {
        this.add(`expected at most ${na + f.variadic} argument(s) in call to ${name}, got ${got}`, node.posRange);
      }
    }
    if (f.name === "info" && got > 1) {
      const second = node.args[1];
      const st = exprType(second);
      if (st !== "vector") {
        this.add(`expected type ${documentedType("vector")} in call to function ${name}, got ${documentedType(st)}`, node.posRange);
      }
      if (second.type === "vectorSelector" && second.name !== "") {
        this.add("expected label selectors only, got vector selector instead", second.posRange);
      } else if (second.type === "vectorSelector") {
        second.bypassEmptyMatcherCheck = true;
      } else {
        this.add("expected label selectors only", second.posRange);
      }
    }
    for (let i = 0; i < got; i++) {
      let ti = i;
      if (ti >= nargs) {
        // Extra arguments of a non-variadic function are not type-checked.
        if (f.variadic === 0) break;
        ti = nargs - 1;
      }
      const want = f.argTypes[ti];
      const t = this.check(node.args[i]);
      if (t !== want) {
        this.add(
          `expected type ${documentedType(want)} in call to function ${name}, got ${documentedType(t)}`,
          node.args[i].posRange,
        );
      }
    }
  }

  private checkVectorSelector(n: VectorSelector): void {
    if (n.name !== "") {
      // The last matcher is the one for the name written outside the braces.
      for (let i = 0; i < n.matchers.length - 1; i++) {
        const m = n.matchers[i];
        if (m.name === "__name__") {
          this.add(`metric name must not be set twice: ${goQuote(n.name)} or ${goQuote(m.value)}`, n.posRange);
        }
      }
      return;
    }
    if (n.bypassEmptyMatcherCheck) return;
    // At least one matcher must reject the empty string, so that a typo cannot
    // select every series.
    if (!n.matchers.some((m) => !matcherMatches(m, ""))) {
      this.add("vector selector must contain at least one non-empty matcher", n.posRange);
    }
  }
}
