"use client";

// The Explain tab: the expression's syntax tree from /api/v1/parse_query.
// Every node shows what it is and its own PromQL text, and can be evaluated
// alone (an instant query of that text at the panel's time), which shows how
// many series each step of a query produces and a few of them: the quickest
// way to find the selector or join that drops everything.

import { useState } from "react";
import { useApiQuery } from "@/components/api/use-api-query";
import type { QueryData } from "@/components/api/types/query";
import { Skeleton } from "@/components/ui/skeleton";
import { childrenOf, describeNode, serializeNode, type AstNode } from "./ast";
import { QueryError } from "./query-error";
import { ResultTable } from "./table-view";
import styles from "./query.module.css";

const PREVIEW_ROWS = 5;

interface Props {
  expr: string;
  /** Evaluation time of sub-expressions, Unix ms. */
  timeMs: number;
  utc: boolean;
}

export function ExplainView({ expr, timeMs, utc }: Props) {
  const q = useApiQuery<AstNode>("/api/v1/parse_query", { query: expr }, { enabled: expr.trim() !== "", retry: false, staleTime: Infinity });
  if (expr.trim() === "") return <p className={styles.empty}>Enter an expression and press Execute (or Enter) to see its tree.</p>;
  if (q.isPending) return <Skeleton lines={5} />;
  if (q.isError) return <QueryError error={q.error} expr={expr} />;
  return (
    <div data-testid="explain-view">
      <p className={styles.label} style={{ margin: "0 0 8px" }}>
        Each node is a sub-expression; evaluate one to see how many series it returns at {utc ? "the panel's time (UTC)" : "the panel's time"}.
      </p>
      <ul className={styles.tree}>
        <TreeNode node={q.data.data} timeMs={timeMs} utc={utc} />
      </ul>
    </div>
  );
}

function TreeNode({ node, timeMs, utc }: { node: AstNode; timeMs: number; utc: boolean }) {
  const [evaluate, setEvaluate] = useState(false);
  const text = serializeNode(node);
  const children = childrenOf(node);
  return (
    <li className={styles.treeNode} data-testid="tree-node" data-node-type={node.type}>
      <div className={styles.treeRow}>
        <code className={styles.treeExpr}>{text}</code>
        <span className={styles.treeKind}>{describeNode(node)}</span>
        <button type="button" className={styles.linkButton} onClick={() => setEvaluate((v) => !v)} data-testid="tree-evaluate">
          {evaluate ? "hide result" : "evaluate"}
        </button>
      </div>
      {evaluate && <NodeResult expr={text} timeMs={timeMs} utc={utc} />}
      {children.length > 0 && (
        <ul className={styles.tree}>
          {children.map((c, i) => (
            <TreeNode key={i} node={c} timeMs={timeMs} utc={utc} />
          ))}
        </ul>
      )}
    </li>
  );
}

function NodeResult({ expr, timeMs, utc }: { expr: string; timeMs: number; utc: boolean }) {
  const q = useApiQuery<QueryData>("/api/v1/query", { query: expr, time: timeMs / 1000 }, { retry: false, staleTime: Infinity });
  return (
    <div className={styles.treeResult} data-testid="tree-result">
      {q.isPending ? (
        <Skeleton lines={2} />
      ) : q.isError ? (
        <QueryError error={q.error} expr={expr} />
      ) : (
        <>
          <div className={styles.stats}>
            <span data-testid="tree-result-count">
              {q.data.data.resultType === "vector" || q.data.data.resultType === "matrix"
                ? `${q.data.data.result.length.toLocaleString("en-US")} series (${q.data.data.resultType})`
                : q.data.data.resultType}
            </span>
            {(q.data.data.resultType === "vector" || q.data.data.resultType === "matrix") && q.data.data.result.length > PREVIEW_ROWS && <span>first {PREVIEW_ROWS} shown</span>}
          </div>
          <ResultTable data={q.data.data} utc={utc} limit={PREVIEW_ROWS} />
        </>
      )}
    </div>
  );
}
