"use client";

// The PromQL editor: CodeMirror 6 with @prometheus-io/codemirror-promql pointed
// at Vigil's own /api/v1 (metric names, labels, values, metadata), its linter,
// highlighting for both themes, and the history of executed queries offered
// as completions. Enter runs the query, Shift+Enter inserts a newline.
// CodeMirror touches the DOM at import time, so it is loaded in the browser
// only, from an effect; the server renders a plain box of the same size.

import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from "react";
import type { EditorView } from "@codemirror/view";
import type { CompletionContext, CompletionResult } from "@codemirror/autocomplete";
import styles from "./query.module.css";

export interface PromqlEditorHandle {
  /** Replaces the selection (or inserts at the cursor) and focuses the editor. */
  insert(text: string): void;
  focus(): void;
}

interface Props {
  value: string;
  onChange: (value: string) => void;
  onExecute: () => void;
  /** Executed queries, most recent first (offered as completions). */
  history: string[];
  placeholder?: string;
  "data-testid"?: string;
}

const HISTORY_SECTION = { name: "Query history", rank: 100 };

/** History entries containing the whole text typed so far, offered when the cursor is at the end. */
function historySource(getHistory: () => string[]) {
  return (ctx: CompletionContext): CompletionResult | null => {
    const text = ctx.state.doc.toString();
    if (ctx.pos !== text.length) return null;
    if (!ctx.explicit && text.trim().length < 2) return null;
    const needle = text.trim().toLowerCase();
    const matches = getHistory().filter((h) => h !== text && h.toLowerCase().includes(needle)).slice(0, 20);
    if (matches.length === 0) return null;
    return {
      from: 0,
      to: text.length,
      // CodeMirror's own matching (not `filter: false`, which would rank these above everything):
      // a named section sorts after the unsectioned metric, label and function completions.
      options: matches.map((h, i) => ({ label: h, type: "text", section: HISTORY_SECTION, boost: -i })),
    };
  };
}

export const PromqlEditor = forwardRef<PromqlEditorHandle, Props>(function PromqlEditor(props, ref) {
  const { value, placeholder } = props;
  const hostRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  const [loaded, setLoaded] = useState(false);
  // Callbacks and history through a ref: the editor is created once.
  const latest = useRef(props);
  useEffect(() => {
    latest.current = props;
  });

  useImperativeHandle(ref, () => ({
    insert(text: string) {
      const view = viewRef.current;
      if (!view) {
        latest.current.onChange(latest.current.value + text);
        return;
      }
      view.dispatch(view.state.replaceSelection(text));
      view.focus();
    },
    focus() {
      viewRef.current?.focus();
    },
  }));

  useEffect(() => {
    let cancelled = false;
    let view: EditorView | undefined;
    (async () => {
      const [{ EditorView, keymap, placeholder: placeholderExt, drawSelection, highlightSpecialChars }, { EditorState, Prec }, cmds, auto, lang, { lintKeymap }, { PromQLExtension }, { tags }] =
        await Promise.all([
          import("@codemirror/view"),
          import("@codemirror/state"),
          import("@codemirror/commands"),
          import("@codemirror/autocomplete"),
          import("@codemirror/language"),
          import("@codemirror/lint"),
          import("@prometheus-io/codemirror-promql"),
          import("@lezer/highlight"),
        ]);
      if (cancelled || !hostRef.current) return;
      const promql = new PromQLExtension().setComplete({
        remote: { url: window.location.origin, httpMethod: "POST", cache: { maxAge: 60_000 } },
        maxMetricsMetadata: 10_000,
      });
      // Colors come from CSS variables set in query.module.css for light and dark.
      const highlight = lang.HighlightStyle.define([
        { tag: tags.variableName, color: "var(--pq-metric)" },
        { tag: tags.function(tags.variableName), color: "var(--pq-function)" },
        { tag: tags.labelName, color: "var(--pq-label)" },
        { tag: tags.string, color: "var(--pq-string)" },
        { tag: tags.number, color: "var(--pq-number)" },
        { tag: [tags.operatorKeyword, tags.modifier, tags.logicOperator], color: "var(--pq-keyword)", fontWeight: "600" },
        { tag: [tags.operator, tags.arithmeticOperator], color: "var(--pq-operator)" },
        { tag: tags.comment, color: "var(--muted)", fontStyle: "italic" },
        { tag: tags.invalid, color: "#d1242f" },
      ]);
      const historyData = [{ autocomplete: historySource(() => latest.current.history) }];
      const runKeys = keymap.of([
        {
          key: "Enter",
          run: () => {
            latest.current.onExecute();
            return true;
          },
        },
        { key: "Shift-Enter", run: cmds.insertNewlineAndIndent },
      ]);
      const state = EditorState.create({
        doc: latest.current.value,
        extensions: [
          highlightSpecialChars(),
          cmds.history(),
          drawSelection(),
          lang.bracketMatching(),
          auto.closeBrackets(),
          auto.autocompletion({ icons: true, activateOnTypingDelay: 50 }),
          lang.syntaxHighlighting(highlight),
          EditorView.lineWrapping,
          placeholderExt(placeholder ?? "Expression (press Shift+Enter for newlines)"),
          promql.asExtension(),
          // The same source object every time: CodeMirror tracks sources by identity.
          EditorState.languageData.of(() => historyData),
          // Completion's own Enter (accept) has the highest precedence; ours runs when no popup is open,
          // and before the default keymap's newline.
          Prec.high(runKeys),
          keymap.of([...auto.closeBracketsKeymap, ...cmds.defaultKeymap, ...cmds.historyKeymap, ...auto.completionKeymap, ...lintKeymap]),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) latest.current.onChange(u.state.doc.toString());
          }),
          EditorView.contentAttributes.of({ "aria-label": "PromQL expression", "data-testid": "expression-input" }),
        ],
      });
      view = new EditorView({ state, parent: hostRef.current });
      viewRef.current = view;
      setLoaded(true);
    })().catch((err) => console.error("could not load the PromQL editor", err));
    return () => {
      cancelled = true;
      view?.destroy();
      viewRef.current = null;
    };
    // The editor is created once; later values arrive through the effect below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Outside changes (format, history, metrics explorer) replace the document.
  useEffect(() => {
    const view = viewRef.current;
    if (!view) return;
    const current = view.state.doc.toString();
    if (current !== value) view.dispatch({ changes: { from: 0, to: current.length, insert: value } });
  }, [value, loaded]);

  return (
    <div className={styles.editor} data-testid={props["data-testid"] ?? "promql-editor"} data-loaded={loaded ? "true" : "false"}>
      <div ref={hostRef} className={styles.editorHost} />
      {!loaded && <div className={styles.editorFallback}>{value || placeholder || "Expression"}</div>}
    </div>
  );
});
