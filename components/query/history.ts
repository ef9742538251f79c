"use client";

// The history of executed queries, a personal preference kept in localStorage
// (STYLE.md convention 10): most recent first, without duplicates, bounded.

const KEY = "vigil.queryHistory";
export const HISTORY_LIMIT = 100;

export function loadHistory(): string[] {
  try {
    const raw = window.localStorage.getItem(KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? parsed.filter((q): q is string => typeof q === "string").slice(0, HISTORY_LIMIT) : [];
  } catch {
    // Private mode or a corrupt value: no history rather than a broken page.
    return [];
  }
}

/** Puts `expr` first and returns the new list. */
export function addToHistory(expr: string): string[] {
  const q = expr.trim();
  const next = q === "" ? loadHistory() : [q, ...loadHistory().filter((h) => h !== q)].slice(0, HISTORY_LIMIT);
  try {
    window.localStorage.setItem(KEY, JSON.stringify(next));
  } catch {
    // Quota exceeded: keep the page working.
  }
  return next;
}
