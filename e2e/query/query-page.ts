import { expect, type APIRequestContext, type Page } from "@playwright/test";

/** Polls the API until the self-scrape has produced `metric` (the server scrapes itself every 15 s). */
export async function waitForData(request: APIRequestContext, metric: string): Promise<void> {
  await expect
    .poll(
      async () => {
        const res = await request.get(`/api/v1/query?query=${encodeURIComponent(metric)}`);
        if (!res.ok()) return 0;
        const body = (await res.json()) as { data?: { result?: unknown[] } };
        return body.data?.result?.length ?? 0;
      },
      { timeout: 45_000, intervals: [500, 1000, 2000] },
    )
    .toBeGreaterThan(0);
}

/** Page object for /query. */
export class QueryPageObject {
  constructor(readonly page: Page) {}

  panel(i = 0) {
    return this.page.getByTestId("query-panel").nth(i);
  }

  /** CodeMirror's editable content of panel `i`, once the editor has loaded. */
  editor(i = 0) {
    return this.panel(i).locator('[data-loaded="true"] .cm-content');
  }

  async typeExpression(text: string, i = 0) {
    const ed = this.editor(i);
    await ed.click();
    await this.page.keyboard.press("ControlOrMeta+a");
    await this.page.keyboard.press("Backspace");
    await ed.pressSequentially(text);
  }

  async execute(i = 0) {
    await this.panel(i).getByTestId("execute-button").click();
  }

  /** The URL's panel parameters. */
  params() {
    return new URL(this.page.url()).searchParams;
  }
}
