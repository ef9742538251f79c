"use client";

// Canvas charts cannot read CSS variables, so the chart's colors are read from
// the page's (--fg, --muted, --border, --card) and re-read when the theme
// changes: the shell's `data-theme` attribute on <html>, or the system scheme.

import { useEffect, useState } from "react";

export interface ChartTheme {
  fg: string;
  muted: string;
  border: string;
  card: string;
  dark: boolean;
}

const FALLBACK: ChartTheme = { fg: "#1b1f24", muted: "#5b6470", border: "#dde1e6", card: "#ffffff", dark: false };

function readTheme(): ChartTheme {
  if (typeof window === "undefined") return FALLBACK;
  const style = getComputedStyle(document.documentElement);
  const get = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const card = get("--card", FALLBACK.card);
  return { fg: get("--fg", FALLBACK.fg), muted: get("--muted", FALLBACK.muted), border: get("--border", FALLBACK.border), card, dark: isDark(card) };
}

/** A background is dark when its luminance is low (works for #rgb, #rrggbb and rgb()). */
function isDark(color: string): boolean {
  let r = 255,
    g = 255,
    b = 255;
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color);
  if (hex) {
    const h = hex[1]!.length === 3 ? hex[1]!.replace(/./g, (c) => c + c) : hex[1]!;
    [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
  } else {
    const m = /rgba?\((\d+)[ ,]+(\d+)[ ,]+(\d+)/.exec(color);
    if (m) [r, g, b] = [Number(m[1]), Number(m[2]), Number(m[3])];
  }
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 128;
}

/**
 * The current chart theme, updated when the page's theme changes. Read at the
 * first render (charts render only in the browser, after their data arrived),
 * so the first draw already has the right colors instead of drawing twice.
 */
export function useChartTheme(): ChartTheme {
  const [theme, setTheme] = useState<ChartTheme>(readTheme);
  useEffect(() => {
    const update = () => setTheme((prev) => {
      const next = readTheme();
      return JSON.stringify(prev) === JSON.stringify(next) ? prev : next;
    });
    update();
    const mo = new MutationObserver(update);
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme", "class", "style"] });
    const mq = window.matchMedia("(prefers-color-scheme: dark)");
    mq.addEventListener("change", update);
    return () => {
      mo.disconnect();
      mq.removeEventListener("change", update);
    };
  }, []);
  return theme;
}

/** Series colors, readable on light and dark backgrounds alike. */
export const SERIES_PALETTE = [
  "#3b82f6", "#e6522c", "#16a34a", "#a855f7", "#eab308", "#06b6d4", "#ec4899", "#84cc16", "#f97316", "#6366f1",
  "#14b8a6", "#ef4444", "#8b5cf6", "#22c55e", "#0ea5e9", "#d946ef", "#f59e0b", "#10b981", "#64748b", "#b45309",
];
