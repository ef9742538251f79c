// Light and dark themes. The theme is `data-theme` on <html>; the user's
// explicit choice is kept in localStorage, otherwise the system preference
// applies. THEME_SCRIPT runs inline in <head> before the first paint, so a
// dark-mode user never sees a white flash.

export type Theme = "light" | "dark";

export const THEME_STORAGE_KEY = "vigil.theme";

/** Inline script for <head>; kept tiny and dependency-free because it blocks the first paint. */
export const THEME_SCRIPT = `(function(){try{var t=localStorage.getItem(${JSON.stringify(THEME_STORAGE_KEY)});if(t!=="light"&&t!=="dark")t=matchMedia("(prefers-color-scheme: dark)").matches?"dark":"light";document.documentElement.dataset.theme=t}catch(e){}})()`;

export function storedTheme(): Theme | null {
  try {
    const t = localStorage.getItem(THEME_STORAGE_KEY);
    return t === "light" || t === "dark" ? t : null;
  } catch {
    return null;
  }
}

export function systemTheme(): Theme {
  return typeof matchMedia === "function" && matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export function applyTheme(t: Theme): void {
  document.documentElement.dataset.theme = t;
}
