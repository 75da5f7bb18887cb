/**
 * One dev-harness page per test, with the watchers the security checks need: CSP violations
 * (recorded before any page script runs), dialogs, page errors, and what the webview posted.
 */
import type { Browser, Page } from 'playwright-core';
import type { FromWebview } from '../../src/shared/protocol';

/** A harness page and what was observed on it. */
export interface HarnessPage {
  page: Page;
  dialogs: string[];
  errors: string[];
  /** Messages the webview posted to the (fake) host so far. */
  posted(): Promise<FromWebview[]>;
  cspViolations(): Promise<string[]>;
  /** Waits until row `index` is the selected one. */
  selectedIs(index: number): Promise<void>;
  close(): Promise<void>;
}

const WATCH_CSP = `window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`;

/** Opens `base` + `query` and waits for the first loaded row. */
export async function openHarness(browser: Browser, base: string, query: string): Promise<HarnessPage> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.addInitScript(WATCH_CSP);
  await page.goto(base + query);
  await page.locator('[role=treeitem][data-loaded]').first().waitFor();
  return {
    page,
    dialogs,
    errors,
    posted: () => page.evaluate<FromWebview[]>('window.__posted'),
    cspViolations: () => page.evaluate<string[]>('window.__csp'),
    selectedIs: (index) => page.locator(`[role=treeitem][data-index="${index}"][aria-selected=true]`).waitFor({ timeout: 5000 }),
    close: () => page.close(),
  };
}

/**
 * Polls `check` from Node until it holds. (Playwright's waitForFunction with a string predicate
 * evaluates it with eval inside the page, which the webview's CSP rightly refuses.)
 */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
