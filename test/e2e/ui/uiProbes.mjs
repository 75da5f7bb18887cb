// Latency probes for the real VS Code, timed inside the page from the input event's own
// timestamp to the first animation frame that shows the result (not by the test process, which
// shares the CPU with the load). Each `install*` runs in the page (or the webview) and leaves a
// promise that `result` collects; one probe at a time. Not a test module (no .test.mjs).

/** In the trace panel's webview: a key on the tree → the selection moved, then → the new step's detail shown (a host round trip). */
export function installKeyProbe() {
  const tree = document.querySelector('[role="tree"]');
  if (!document.hasFocus() || document.activeElement !== tree) return false; // the caller focuses the tree first
  const before = tree?.querySelector('[aria-selected="true"]')?.id;
  window.__tfProbe = new Promise((resolve) => {
    let t0 = -1;
    let selectedAt = -1;
    tree?.addEventListener('keydown', (e) => (t0 = e.timeStamp), { once: true, capture: true });
    const tick = () => {
      if (t0 >= 0) {
        const sel = tree.querySelector('[aria-selected="true"]');
        if (selectedAt < 0 && sel && sel.id !== before) selectedAt = performance.now();
        const pane = document.querySelector('.detail-pane');
        const want = sel?.querySelector('.name')?.textContent;
        if (selectedAt >= 0 && want && pane?.getAttribute('aria-busy') !== 'true' && pane?.querySelector('.detail-name')?.textContent === want) {
          return resolve({ select: selectedAt - t0, detail: performance.now() - t0, index: Number(/** @type {HTMLElement} */ (sel).dataset.index) });
        }
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  return true;
}

/** In the workbench: the next key press (Enter on a palette entry) → a quick-pick row containing `label` shown. */
export function installCommandProbe(label) {
  window.__tfProbe = new Promise((resolve) => {
    let t0 = -1;
    window.addEventListener('keydown', (e) => (t0 = e.timeStamp), { once: true, capture: true });
    const tick = () => {
      if (t0 >= 0 && [...document.querySelectorAll('.quick-input-list .monaco-list-row')].some((r) => r.textContent.includes(label))) {
        return resolve(performance.now() - t0);
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/**
 * In the workbench: the next key press (F1) → the command palette's input shown and focused. VS Code's
 * own answer, with no extension in it: the baseline for the others.
 */
export function installPaletteProbe() {
  window.__tfProbe = new Promise((resolve) => {
    let t0 = -1;
    window.addEventListener('keydown', (e) => (t0 = e.timeStamp), { once: true, capture: true });
    const tick = () => {
      const input = document.querySelector('.quick-input-widget .quick-input-box input');
      if (t0 >= 0 && input && input === document.activeElement && input.getBoundingClientRect().height > 0) return resolve(performance.now() - t0);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/**
 * In the workbench: the wall-clock time (Date.now()) at which a row of a view (the Runs view, the
 * Explorer) containing `name` is shown. Collect with `result(page, ms, key)`; one probe per key, so
 * probes of different keys may run beside each other and beside `__tfProbe`.
 * @param {[string, '__tfRow' | '__tfFolder']} args
 */
export function installRowProbe([name, key]) {
  window[key] = new Promise((resolve) => {
    const tick = () => {
      if ([...document.querySelectorAll('.pane-body .monaco-list-row')].some((r) => r.textContent.includes(name))) return resolve(Date.now());
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/** The installed probe's result from `target` (a Page or Frame), or null when nothing answered within `ms`. */
export function result(target, ms = 30_000, name = '__tfProbe') {
  return target.evaluate(([ms, name]) => Promise.race([window[name], new Promise((r) => setTimeout(() => r(null), ms))]), [ms, name]);
}

/** The q-quantile (nearest rank) of the numbers among `values` (nulls left out), or null when there are none. */
export function quantile(values, q) {
  const s = values.filter((v) => v !== null).sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] : null;
}

/** "p50 x ms, p95 y ms, max z ms (n samples)" for a list of milliseconds. */
export function summary(values) {
  if (!values.length) return 'no samples';
  const s = [...values].sort((a, b) => a - b);
  const at = (q) => quantile(s, q);
  const f = (v) => `${Math.round(v)} ms`;
  return `p50 ${f(at(0.5))}, p95 ${f(at(0.95))}, max ${f(s[s.length - 1])} (n=${s.length})`;
}
