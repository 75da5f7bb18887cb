/**
 * The parts of `bench:peers` beyond ingest: live latency (the real exporter sending one span at a
 * time, until the system shows it), opening a big trace in a peer's UI in headless Chromium, and the
 * chart of the figures (an SVG written by the script, so it is regenerated with them).
 */
import * as fs from 'node:fs';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';

/** The q-quantile of numbers (nearest rank), or null when there are none. */
export function percentile(values: number[], q: number): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

/**
 * `n` one-span traces exported one at a time (SimpleSpanProcessor: each span is sent as it ends,
 * as a live agent's steps are); for each, ms from the span's end until `seen(traceId)` says the
 * system shows it (polled every 5 ms), or null when it did not within `timeoutMs`.
 */
export async function liveToApi(endpoint: string, seen: (traceId: string) => Promise<boolean>, n = 20, timeoutMs = 30_000): Promise<Array<number | null>> {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench-live' }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }))],
  });
  const tracer = provider.getTracer('live');
  const out: Array<number | null> = [];
  try {
    for (let i = 0; i < n; i++) {
      const span = tracer.startSpan(`chat live ${i}`, { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini' } }, ROOT_CONTEXT);
      const traceId = span.spanContext().traceId;
      span.end();
      const t0 = performance.now();
      let ms: number | null = null;
      while (performance.now() - t0 < timeoutMs) {
        if (await seen(traceId).catch(() => false)) {
          ms = performance.now() - t0;
          break;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      out.push(ms);
    }
  } finally {
    await provider.shutdown();
  }
  return out;
}

/** What opening a trace in a UI took: navigation → its root's row painted, then scrolling its tree to the last step. */
export interface UiOpen {
  spans: number;
  firstMs: number | null;
  endMs: number | null;
  note?: string;
}

/** A Playwright page, as much of it as this uses. */
interface Page {
  goto(url: string, o?: { timeout?: number }): Promise<unknown>;
  evaluate<R>(expression: string): Promise<R>;
}

/**
 * Run in the page, as text (a function compiled here would carry the compiler's helpers into the
 * page): resolves true once an element whose text is `text` is painted in view, false after `ms`;
 * with `scroll`, scrolls every scrollable box to its end meanwhile.
 */
const IN_PAGE = `async ({ text, scroll, ms }) => {
  const end = performance.now() + ms;
  const find = () => {
    const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if ((n.textContent || '').trim() !== text) continue;
      const r = n.parentElement && n.parentElement.getBoundingClientRect();
      if (r && r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight) return true;
    }
    return false;
  };
  for (;;) {
    if (find()) return await new Promise((r) => requestAnimationFrame(() => r(true)));
    if (performance.now() > end) return false;
    if (scroll)
      for (const el of document.querySelectorAll('*'))
        if (el.scrollHeight > el.clientHeight + 4 && /(auto|scroll)/.test(getComputedStyle(el).overflowY)) el.scrollTop = el.scrollHeight;
    await new Promise((r) => setTimeout(r, scroll ? 50 : 10));
  }
}`;

/**
 * Opens `url` in the page and times it: navigation → an element whose text is `rootName` is painted;
 * then scrolls every scrollable box under it to its end until an element whose text is `lastName`
 * is shown. Null where that did not happen within `timeoutMs` (then `note` says which).
 */
export async function openInUi(page: Page, url: string, spans: number, rootName: string, lastName: string, timeoutMs = 120_000): Promise<UiOpen> {
  const t0 = Date.now();
  await page.goto(url, { timeout: timeoutMs }).catch(() => undefined);
  const shown = (text: string, scroll: boolean, ms: number) => page.evaluate<boolean>(`(${IN_PAGE})(${JSON.stringify({ text, scroll, ms })})`);
  if (!(await shown(rootName, false, timeoutMs).catch(() => false)))
    return { spans, firstMs: null, endMs: null, note: `its root row was not shown within ${timeoutMs / 1000} s` };
  const firstMs = Date.now() - t0;
  const t1 = Date.now();
  if (!(await shown(lastName, true, timeoutMs).catch(() => false)))
    return { spans, firstMs, endMs: null, note: `its last step was not shown within ${timeoutMs / 1000} s of scrolling` };
  return { spans, firstMs, endMs: Date.now() - t1 };
}

/** One panel of the chart: a bar per system, on a log scale. */
export interface ChartPanel {
  title: string;
  unit: string;
  bars: Array<{ label: string; value: number | null; note?: string; ours?: boolean }>;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Writes the panels as one SVG (horizontal bars, log scale, Tracefork's bars in blue). */
export function writeChart(file: string, title: string, panels: ChartPanel[]): void {
  const W = 960,
    LABEL = 300,
    BAR = 500,
    ROW = 22;
  let y = 40;
  const out: string[] = [];
  out.push(`<text x="16" y="26" font-size="16" font-weight="bold">${esc(title)}</text>`);
  for (const p of panels) {
    y += 18;
    out.push(`<text x="16" y="${y}" font-size="13" font-weight="bold">${esc(p.title)}</text>`);
    y += 8;
    const vals = p.bars.map((b) => b.value).filter((v): v is number => v !== null && v > 0);
    const hi = Math.ceil(Math.log10(Math.max(10, ...vals)));
    const lo = Math.min(0, Math.floor(Math.log10(Math.min(...vals, 1))));
    const x = (v: number) => LABEL + ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * BAR;
    for (let e = lo; e <= hi; e++) {
      out.push(`<line x1="${x(10 ** e)}" y1="${y}" x2="${x(10 ** e)}" y2="${y + ROW * p.bars.length}" stroke="#d0d0d0" stroke-width="1"/>`);
      out.push(
        `<text x="${x(10 ** e)}" y="${y + ROW * p.bars.length + 12}" font-size="10" text-anchor="middle" fill="#666">${(10 ** e).toLocaleString('en-US')}</text>`,
      );
    }
    for (const b of p.bars) {
      out.push(`<text x="${LABEL - 8}" y="${y + 15}" font-size="12" text-anchor="end">${esc(b.label)}</text>`);
      if (b.value === null || b.value <= 0) out.push(`<text x="${LABEL + 4}" y="${y + 15}" font-size="12" fill="#b00">${esc(b.note ?? 'not measured')}</text>`);
      else {
        const w = Math.max(2, x(b.value) - LABEL);
        out.push(`<rect x="${LABEL}" y="${y + 4}" width="${w.toFixed(1)}" height="${ROW - 8}" fill="${b.ours ? '#2f6fde' : '#9aa3ad'}"/>`);
        out.push(
          `<text x="${LABEL + w + 6}" y="${y + 15}" font-size="12">${Math.round(b.value).toLocaleString('en-US')} ${esc(p.unit)}${b.note ? ` (${esc(b.note)})` : ''}</text>`,
        );
      }
      y += ROW;
    }
    y += 22;
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}" font-family="sans-serif"><rect width="100%" height="100%" fill="#fff"/>${out.join('')}</svg>\n`;
  fs.writeFileSync(file, svg);
}
