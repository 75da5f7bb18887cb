/**
 * The Comparison view: an original run and its fork (or any two runs) step by step, nested as
 * the steps are, the first divergence marked and revealed; a step opens VS Code's diff editor on
 * its input or output (virtual `tracefork-step:` documents, credentials masked).
 */
import * as vscode from 'vscode';
import { Disposable } from '../dispose';
import { buildSteps } from '../../core/model/steps';
import { compareRuns, sideText, type Comparison, type StepPair } from '../../core/replay/compare';
import { maskDeep } from '../../core/view/maskSecrets';
import type { Step } from '../../core/model/step';
import type { ReceiverHost } from '../receiverHost';

/** One node: a pair and its nested pairs. */
export interface PairNode {
  index: number;
  pair: StepPair;
  parent: PairNode | null;
  children: PairNode[];
}

export const STEP_SCHEME = 'tracefork-step';

const STATUS_TEXT = { same: 'same', changed: 'changed', added: 'only in the fork', removed: 'only in the original' } as const;
const STATUS_ICON = { same: 'pass', changed: 'diff-modified', added: 'diff-added', removed: 'diff-removed' } as const;

/** Builds the nested nodes of a comparison (pairs are in pre-order with depths). */
export function nestPairs(c: Comparison): PairNode[] {
  const roots: PairNode[] = [];
  const stack: Array<{ node: PairNode; depth: number }> = [];
  c.pairs.forEach((pair, index) => {
    const depth = (pair.right ?? pair.left)!.depth;
    while (stack.length && stack[stack.length - 1]!.depth >= depth) stack.pop();
    const parent = stack[stack.length - 1]?.node ?? null;
    const node: PairNode = { index, pair, parent, children: [] };
    (parent ? parent.children : roots).push(node);
    stack.push({ node, depth });
  });
  return roots;
}

/** Tree data and diff documents for the current comparison. */
export class CompareView extends Disposable implements vscode.TreeDataProvider<PairNode>, vscode.TextDocumentContentProvider {
  private readonly changed = this._register(new vscode.EventEmitter<PairNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private roots: PairNode[] = [];
  private nodes: PairNode[] = [];
  private readonly view: vscode.TreeView<PairNode>;
  /** The comparison shown, for commands and tests. */
  current: { left: string; right: string; comparison: Comparison } | null = null;
  private steps = new Map<string, Step>();

  constructor(private readonly host: ReceiverHost) {
    super();
    this.view = this._register(vscode.window.createTreeView('tracefork.compare', { treeDataProvider: this, showCollapseAll: true }));
    this._register(vscode.workspace.registerTextDocumentContentProvider(STEP_SCHEME, this));
  }

  /** Compares two stored runs and shows the result, revealing the first divergence. */
  async show(left: string, right: string): Promise<Comparison> {
    const store = this.host.current;
    const a = store?.get(left),
      b = store?.get(right);
    if (!a || !b) throw new Error(`Run ${a ? right : left} is not in the store.`);
    const la = buildSteps(a),
      lb = buildSteps(b);
    this.steps = new Map([...la, ...lb].map((s) => [`${s.traceId}/${s.spanId}`, s]));
    const comparison = compareRuns(la, lb);
    this.current = { left, right, comparison };
    this.roots = nestPairs(comparison);
    this.nodes = [];
    const walk = (n: PairNode) => (this.nodes.push(n), n.children.forEach(walk));
    this.roots.forEach(walk);
    this.nodes.sort((x, y) => x.index - y.index);
    this.view.title = `Comparison: ${left.slice(0, 8)} ↔ ${right.slice(0, 8)}`;
    this.view.message =
      comparison.firstDivergence < 0
        ? 'The runs match step for step.'
        : `${comparison.counts.changed} changed, ${comparison.counts.added} only in the fork, ${comparison.counts.removed} only in the original.`;
    await vscode.commands.executeCommand('setContext', 'tracefork.hasComparison', true);
    this.changed.fire(undefined);
    await vscode.commands.executeCommand('tracefork.compare.focus');
    const first = this.nodes[comparison.firstDivergence];
    if (first) await this.view.reveal(first, { select: true, focus: false, expand: true });
    return comparison;
  }

  getChildren(node?: PairNode): PairNode[] {
    return node ? node.children : this.roots;
  }

  getParent(node: PairNode): PairNode | null {
    return node.parent;
  }

  getTreeItem(node: PairNode): vscode.TreeItem {
    const { pair } = node;
    const s = (pair.right ?? pair.left)!;
    const first = this.current?.comparison.firstDivergence === node.index;
    const item = new vscode.TreeItem(s.name, node.children.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.id = `pair-${node.index}`;
    const what = pair.status === 'changed' ? `${STATUS_TEXT.changed}: ${pair.differs.join(', ')}` : STATUS_TEXT[pair.status];
    item.description = [first ? 'first divergence' : '', what, pair.source ? `(${pair.source})` : ''].filter(Boolean).join(' · ');
    item.iconPath = first
      ? new vscode.ThemeIcon('debug-stackframe-focused', new vscode.ThemeColor('testing.iconFailed'))
      : new vscode.ThemeIcon(STATUS_ICON[pair.status], pair.status === 'same' ? new vscode.ThemeColor('testing.iconPassed') : undefined);
    item.tooltip = `${s.kind} ${s.name}\n${what}${pair.source ? `\nin the fork: ${pair.source === 'recording' ? 'served from the recording' : pair.source === 'fork' ? 'the fork step, run with the edit' : 'run live'}` : ''}`;
    item.contextValue = pair.left && pair.right ? 'pair.both' : 'pair.one';
    item.command = { command: 'tracefork.openStepDiff', title: 'Compare', arguments: [node.index] };
    item.accessibilityInformation = { label: `${s.name}, ${what}${first ? ', first divergence' : ''}` };
    return item;
  }

  /** Opens the diff editor on a pair's input or output (default: what differs, output first). */
  async openDiff(index: number, side?: 'input' | 'output'): Promise<void> {
    const pair = this.current?.comparison.pairs[index];
    if (!pair) return;
    const which = side ?? (pair.differs.includes('output') || !pair.differs.includes('input') ? 'output' : 'input');
    const uri = (s: Step | null, label: string) =>
      vscode.Uri.from({ scheme: STEP_SCHEME, path: s ? `/${s.traceId}/${s.spanId}/${which}.json` : `/none/${label}/${which}.json` });
    const name = (pair.right ?? pair.left)!.name;
    await vscode.commands.executeCommand('vscode.diff', uri(pair.left, 'original'), uri(pair.right, 'fork'), `${name} — ${which}: original ↔ fork`, {
      preview: true,
    });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const [, traceId, spanId, file] = uri.path.split('/');
    if (traceId === 'none') return `(no such step in the ${spanId})\n`;
    const step = this.steps.get(`${traceId}/${spanId}`);
    if (!step) return '(this step is no longer in the store)\n';
    const text = sideText(step, file!.startsWith('input') ? 'input' : 'output');
    try {
      return JSON.stringify(maskDeep(JSON.parse(text || 'null')), null, 2) + '\n';
    } catch {
      return text;
    }
  }
}
