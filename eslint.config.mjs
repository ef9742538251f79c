import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([".next/**", ".tmp/**", "node_modules/**", "data/**", "migrations/**", "test-results/**", "playwright-report/**", "next-env.d.ts"]),
  {
    // Browser code may see server types, never server code (STYLE.md convention 3).
    files: ["components/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["@/server/*", "../server/*", "../../server/*"], allowTypeImports: true, message: "components/ may import from server/ only with `import type`" }] },
      ],
    },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
]);
