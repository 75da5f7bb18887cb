/**
 * The Runs view: traces newest first, grouped by session or conversation when the agent names
 * one, failing runs marked; filter by status, model and text.
 */
import * as vscode from 'vscode';
import { Disposable } from './dispose';
import type { ReceiverHost } from './receiverHost';
import type { TraceSummary } from '../core/store/queries';

/** The current filter of the Runs view. */
export interface RunFilter {
  status?: 'error' | 'ok';
  /** Only runs where this evaluator failed on some step. */
  evaluator?: string;
  model?: string;
  text?: string;
}

/** A node of the Runs view. */
export type RunsNode = { kind: 'session'; id: string; runs: TraceSummary[] } | { kind: 'run'; run: TraceSummary } | { kind: 'more'; hidden: number };

/**
 * Without a filter the view lists the most recent runs only: listing and rendering thousands of
 * rows on every change kept the extension host busy while an agent streamed runs in.
 */
export const MAX_LISTED = 500;
/**
 * A redraw for verdicts waits this long for a refresh's draw to carry it: while runs stream in one
 * always comes, and a draw of its own would hold the next new run back (DRAW_GAP_MS).
 */
const REDRAW_DELAY_MS = 400;
/** Changes that come this close together are read with one refresh. */
const REFRESH_COALESCE_MS = 0;
/** How long before the next draw may go out a refresh starts, so that its list is in by then. */
const QUERY_LEAD_MS = 40;
/**
 * Shortest time between two draws. VS Code's extension host passes a tree's change to the window
 * at once when none came in the 200 ms before it, and otherwise 200 ms after the latest (a
 * debounce that starts again with each change): a draw that waits for the end of that gap is shown
 * sooner than one that restarts it.
 */
const DRAW_GAP_MS = 210;

const ago = (iso: string) => {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  return s < 60
    ? `${Math.round(s)}s ago`
    : s < 3600
      ? `${Math.round(s / 60)}m ago`
      : s < 86400
        ? `${Math.round(s / 3600)}h ago`
        : new Date(iso).toLocaleDateString();
};
const dur = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms)}ms`);

/** Does a run pass the filter? `failing` tells which evaluators failed in a run. */
export function matchesFilter(r: TraceSummary, f: RunFilter, failing: (traceId: string) => ReadonlySet<string> | undefined = () => undefined): boolean {
  if (f.evaluator && !failing(r.traceId)?.has(f.evaluator)) return false;
  if (f.status === 'error' && r.status !== 'error') return false;
  if (f.status === 'ok' && r.status === 'error') return false;
  if (f.model && !(r.model ?? '').toLowerCase().includes(f.model.toLowerCase())) return false;
  const t = f.text?.toLowerCase();
  return !t || [r.name, r.traceId, r.sessionId ?? '', r.model ?? ''].some((v) => v.toLowerCase().includes(t));
}

/** Tree data for the Runs view. */
export class RunsProvider extends Disposable implements vscode.TreeDataProvider<RunsNode> {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;
  private filter: RunFilter = {};
  private debounce: NodeJS.Timeout | undefined;
  /** The runs listed (all of them when filtered, else the MAX_LISTED most recent). */
  runs: TraceSummary[] = [];
  /** Every run in the store, and those with a failing step (for the badge and the status bar). */
  totals = { total: 0, failing: 0 };

  constructor(
    private readonly host: ReceiverHost,
    private readonly failing: (traceId: string) => ReadonlySet<string> | undefined = () => undefined,
  ) {
    super();
    this._register(host.onDidChangeTraces(() => this.scheduleRefresh()));
    this._register(host.onDidChangeState(() => void this.refresh()));
  }

  /** The filter in force. */
  get currentFilter(): RunFilter {
    return this.filter;
  }

  /** Sets the filter and refreshes. */
  setFilter(f: RunFilter): void {
    this.filter = f;
    void this.refresh();
  }

  private refreshes = 0;

  private lastDraw = 0;
  private drawTimer: NodeJS.Timeout | undefined;

  private redrawTimer: NodeJS.Timeout | undefined;

  /**
   * Draws the listed runs again (their verdicts changed; the list itself did not), unless a draw
   * comes first: while runs stream in, verdicts land every half second and each draw sends every
   * listed row to the window, so a verdict waits REDRAW_DELAY_MS for the next refresh's draw.
   */
  redraw(): void {
    if (this.redrawTimer) return;
    this.redrawTimer = setTimeout(() => {
      this.redrawTimer = undefined;
      if (!this.isDisposed) this.drawSoon();
    }, REDRAW_DELAY_MS);
  }

  private draw(): void {
    this.lastDraw = Date.now();
    if (this.drawTimer) clearTimeout(this.drawTimer);
    if (this.redrawTimer) clearTimeout(this.redrawTimer);
    this.drawTimer = this.redrawTimer = undefined;
    this.changed.fire();
  }

  /**
   * Re-reads the run list now. From the receiver worker's store asynchronously (this thread goes on
   * with the UI's work meanwhile); only the latest of overlapping refreshes is shown.
   */
  async refresh(): Promise<void> {
    const n = ++this.refreshes;
    const store = this.host.current;
    const limit = Object.values(this.filter).some(Boolean) ? undefined : MAX_LISTED;
    let runs: TraceSummary[] = [];
    let totals = { total: 0, failing: 0 };
    try {
      if (store?.listAsync && store.countsAsync) [runs, totals] = await Promise.all([store.listAsync(limit), store.countsAsync()]);
      else if (store) [runs, totals] = [store.list(limit), store.counts()];
    } catch {
      return; // the store closed meanwhile (a restart): the next change refreshes again
    }
    if (n !== this.refreshes || this.isDisposed) return;
    this.runs = runs;
    this.totals = totals;
    this.drawSoon();
  }

  /** Draws now, or at the end of the gap since the last draw (DRAW_GAP_MS). */
  private drawSoon(): void {
    const wait = this.lastDraw + DRAW_GAP_MS - Date.now();
    if (wait <= 0) return this.draw();
    if (this.drawTimer) clearTimeout(this.drawTimer);
    this.drawTimer = setTimeout(() => {
      this.drawTimer = undefined;
      if (!this.isDisposed) this.draw();
    }, wait);
  }

  private scheduleRefresh(): void {
    if (this.debounce) return;
    // Timed to the next draw: a refresh sooner than that would only wait for it (drawSoon).
    const wait = Math.max(REFRESH_COALESCE_MS, this.lastDraw + DRAW_GAP_MS - QUERY_LEAD_MS - Date.now());
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      if (!this.isDisposed) void this.refresh();
    }, wait);
  }

  /** Forks of each shown run (replays whose original is in the list), newest first. */
  private forks = new Map<string, TraceSummary[]>();

  getChildren(node?: RunsNode): RunsNode[] {
    if (node?.kind === 'session') return node.runs.map((run) => ({ kind: 'run', run }));
    if (node?.kind === 'more') return [];
    if (node) return (this.forks.get(node.run.traceId) ?? []).map((run) => ({ kind: 'run', run }));
    const all = this.runs.filter((r) => matchesFilter(r, this.filter, this.failing));
    // A fork sits under its original (when the original is shown), not at the top.
    const ids = new Set(all.map((r) => r.traceId));
    this.forks = new Map();
    for (const r of all) if (r.replayOf && ids.has(r.replayOf)) this.forks.set(r.replayOf, [...(this.forks.get(r.replayOf) ?? []), r]);
    const shown = all.filter((r) => !(r.replayOf && ids.has(r.replayOf)));
    const out: RunsNode[] = [];
    const sessions = new Map<string, TraceSummary[]>();
    for (const r of shown) {
      if (!r.sessionId) {
        out.push({ kind: 'run', run: r });
        continue;
      }
      let list = sessions.get(r.sessionId);
      if (!list) {
        sessions.set(r.sessionId, (list = []));
        out.push({ kind: 'session', id: r.sessionId, runs: list });
      }
      list.push(r);
    }
    const hidden = this.totals.total - this.runs.length;
    if (hidden > 0 && this.runs.length === MAX_LISTED) out.push({ kind: 'more', hidden });
    return out;
  }

  /**
   * A run's tooltip, made when it is hovered: made for every listed row on every refresh, its
   * markdown was parsed (by VS Code, for its links) hundreds of times a second while runs streamed in.
   */
  resolveTreeItem(item: vscode.TreeItem, node: RunsNode): vscode.TreeItem {
    if (node.kind !== 'run') return item;
    const r = node.run;
    item.tooltip = new vscode.MarkdownString(
      `**${escapeMd(r.name)}**\n\n${r.status === 'error' ? `$(error) ${r.errorCount} failing step(s)` : '$(pass) no failing step'}\n\n` +
        `- started ${new Date(r.startTime).toLocaleString()}\n- ${r.spanCount} steps, ${dur(r.durationMs)}\n` +
        `${r.model ? `- model \`${escapeMd(r.model)}\`\n` : ''}${r.sessionId ? `- session \`${escapeMd(r.sessionId)}\`\n` : ''}- trace \`${r.traceId}\``,
      true,
    );
    return item;
  }

  /** The markdown of a listed run's tooltip, resolved as on hover; null when the run is not listed. */
  tooltipOf(traceId: string): string | null {
    const run = this.runs.find((r) => r.traceId === traceId);
    if (!run) return null;
    const node: RunsNode = { kind: 'run', run };
    const tip = this.resolveTreeItem(this.getTreeItem(node), node).tooltip;
    return typeof tip === 'string' ? tip : (tip?.value ?? null);
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    if (node.kind === 'more') {
      const item = new vscode.TreeItem(`${node.hidden} older run${node.hidden === 1 ? '' : 's'} not listed`, vscode.TreeItemCollapsibleState.None);
      item.description = 'filter the runs to search them all';
      item.iconPath = new vscode.ThemeIcon('ellipsis');
      item.tooltip = `The view lists the ${MAX_LISTED} most recent runs. A filter (status, evaluator, model or text) searches every run in the store; \`tracefork list\` prints them all.`;
      item.command = { command: 'tracefork.filterRuns', title: 'Filter Runs…' };
      item.contextValue = 'more';
      return item;
    }
    if (node.kind === 'session') {
      const failing = node.runs.filter((r) => r.status === 'error').length;
      const item = new vscode.TreeItem(`session ${node.id}`, vscode.TreeItemCollapsibleState.Expanded);
      item.description = `${node.runs.length} run${node.runs.length === 1 ? '' : 's'}${failing ? `, ${failing} failing` : ''}`;
      item.iconPath = new vscode.ThemeIcon('comment-discussion', failing ? new vscode.ThemeColor('testing.iconFailed') : undefined);
      item.contextValue = 'session';
      return item;
    }
    const r = node.run;
    const forks = this.forks.get(r.traceId)?.length ?? 0;
    const item = new vscode.TreeItem(r.name || '(unnamed run)', forks ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    // A new fork changes the id, so VS Code shows the original expanded with the fork under it.
    item.id = forks ? `${r.traceId}+${forks}` : r.traceId;
    item.description = `${r.spanCount} step${r.spanCount === 1 ? '' : 's'} · ${dur(r.durationMs)} · ${ago(r.startTime)}${r.errorCount ? ` · ${r.errorCount} failed` : ''}`;
    const failedEvaluators = [...(this.failing(r.traceId) ?? [])];
    if (failedEvaluators.length) item.description += ` · ${failedEvaluators.join(', ')}`;
    if (r.replayOf) item.description = `fork of ${r.replayOf.slice(0, 8)} · ${item.description}`;
    item.iconPath =
      r.status === 'error'
        ? new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'))
        : failedEvaluators.length
          ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
          : new vscode.ThemeIcon(r.status === 'ok' ? 'pass' : 'circle-outline', r.status === 'ok' ? new vscode.ThemeColor('testing.iconPassed') : undefined);
    item.contextValue = (r.status === 'error' || failedEvaluators.length ? 'run.failing' : 'run') + (r.replayOf ? '.fork' : '');
    if (r.replayOf && r.status !== 'error' && !failedEvaluators.length)
      item.iconPath = new vscode.ThemeIcon('repo-forked', new vscode.ThemeColor('testing.iconPassed'));
    item.command = { command: 'tracefork.openRun', title: 'Open Run', arguments: [r.traceId] };
    item.accessibilityInformation = { label: `${r.name}, ${r.status === 'error' ? 'failing' : 'passing'}, ${r.spanCount} steps` };
    return item;
  }
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>$]/g, '\\$&');
}
