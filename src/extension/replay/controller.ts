/**
 * Fork & replay in the editor, the orchestration: trust gate, the fork editor, the plan, the
 * launch with progress and cancel (started by AgentLauncher), waiting for the replayed run on the
 * store's change events, and the comparison; regression cases, A/B and *Run Agent* on the same
 * path. The single-call playground is PlaygroundController's.
 */
import * as os from 'node:os';
import * as vscode from 'vscode';
import { Disposable } from '../dispose';
import { AgentLauncher } from './launcher';
import { PlaygroundController } from './playgroundController';
import { waitForEvent, waitForStoreRun } from './storeWait';
import { locate } from '../sourceLinks';
import { ForkEditorPanel, type ForkEditorHandler } from './forkEditor';
import { configuredLaunch, describeLaunch, resolveLaunch, type AgentLaunch } from './launch';
import type { CompareView } from './compareView';
import { buildPlan, forkCall, PlanError, toolsBefore } from '../../core/replay/plan';
import { findReplayRun, writePlan } from '../../core/replay/run';
import { buildSteps } from '../../core/model/steps';
import { maskDeep, maskSecrets, unmaskLike } from '../../core/view/maskSecrets';
import { PLAN_ENV, type ReplayPlan } from '../../../sdk/src/contract';
import type { ForkModel, ToolChoice } from '../../shared/protocol';
import type { ReceiverHost } from '../receiverHost';
import type { StoredTrace, TraceSummary } from '../../core/store/queries';
import { isProxyRecorded, recordedCommand } from '../../core/replay/recorded';
import { remoteRuns, shellCommand, shellJoin } from '../../core/proxy/client';
import { proxyEnv } from '../../core/proxy/env';
import type { RegressionCase } from '../../core/eval/cases';
import { caseId, casePlan, judgeCase, type CaseResult } from '../../core/eval/caseRun';
import { baselineFromStore, evaluateTrace } from '../../core/eval/trace';
import { mergeScores } from '../../core/eval/engine';
import { abCompared, abPlan, abReport, aggregate, type AbChange, type AbRun } from '../../core/replay/ab';
import type { EvalScore } from '../../core/eval/types';
import { launchConfigurations, readReplayConfig } from '../config';

/** Options of a fork started without the editor (tests, other extensions). */
export interface DirectFork {
  input?: unknown;
  tools?: Record<string, ToolChoice>;
  debug?: boolean;
}

/** The outcome of one replay. */
export interface ReplayOutcome {
  plan: ReplayPlan;
  run: TraceSummary | null;
  exitCode: number | null;
  divergences: string[];
  cancelled: boolean;
}

/** The scheme of the read-only report documents (A/B). */
export const REPORT_SCHEME = 'tracefork-report';
const reports = new Map<string, string>();

/** Serves the report documents; registered once at activation. */
export const reportProvider: vscode.TextDocumentContentProvider = {
  provideTextDocumentContent: (uri) => reports.get(uri.toString()) ?? 'This report is no longer available; run the A/B again.',
};

/** Says why replay is off in Restricted Mode and offers to manage trust; true when trusted. */
export function requireTrust(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window
    .showWarningMessage(
      `Tracefork: ${what} runs your workspace's code, so it is off in Restricted Mode. Trust this workspace to use it.`,
      'Manage Workspace Trust',
    )
    .then((a) => a && vscode.commands.executeCommand('workbench.trust.manage'));
  return false;
}

function messagesField(input: unknown): string | null {
  if (!input || typeof input !== 'object') return null;
  const o = input as Record<string, unknown>;
  return Array.isArray(o.prompt) ? 'prompt' : Array.isArray(o.messages) ? 'messages' : null;
}

/** Runs forks and the playground. */
export class ReplayController extends Disposable implements ForkEditorHandler {
  private running = new Map<ForkEditorPanel | string, { cancel(): void }>();
  /** The last replay's outcome (tests). */
  last: ReplayOutcome | null = null;

  constructor(
    private readonly ctx: {
      extensionUri: vscode.Uri;
      host: ReceiverHost;
      log: vscode.OutputChannel;
      secrets: vscode.SecretStorage;
      openRun(traceId: string, spanId?: string): void;
      planDir?: string;
      workspaceState?: vscode.Memento;
      extraScores?: (traceId: string) => Map<string, EvalScore[]> | undefined;
      /** Fired when custom evaluators or the judge add scores (what extraScores reads). */
      onDidScore?: ReadonlyArray<vscode.Event<unknown>>;
    },
    private readonly compare: CompareView,
  ) {
    super();
    this.launcher = new AgentLauncher(ctx.log);
    this.playgroundCtl = new PlaygroundController(ctx, this, (id) => this.trace(id));
  }

  private readonly launcher: AgentLauncher;
  private readonly playgroundCtl: PlaygroundController;

  /** "Playground…": one LLM call, edited, re-sent to the configured endpoint. */
  playground(traceId: string, spanId: string): Promise<void> {
    return this.playgroundCtl.playground(traceId, spanId);
  }

  /** Where plan files are written (a private folder per plan, removed after the run). */
  private get planDir(): string {
    return this.ctx.planDir ?? os.tmpdir();
  }

  private trace(traceId: string): StoredTrace {
    const t = this.ctx.host.current?.get(traceId);
    if (!t) throw new Error(`Run ${traceId} is not in the store.`);
    return t;
  }

  /** "Fork & Replay from here": the editor, or a direct launch when `direct` is given. */
  async fork(traceId: string, spanId: string, direct?: DirectFork): Promise<ReplayOutcome | undefined> {
    if (!requireTrust('Fork & Replay')) return undefined;
    const trace = this.trace(traceId);
    let call;
    try {
      call = forkCall(trace, spanId);
    } catch (e) {
      if (!(e instanceof PlanError)) throw e;
      const step = buildSteps(trace).find((s) => s.spanId === spanId);
      const actions = step?.kind === 'llm' ? ['Open Playground'] : [];
      void vscode.window.showWarningMessage(`Tracefork: ${e.message}`, ...actions).then((a) => {
        if (a) void this.playground(traceId, spanId);
      });
      return undefined;
    }
    const plan = buildPlan(trace, { forkSpanId: call.spanId });
    const defaults = readReplayConfig().tools;
    // Forks started without the editor take `ask` as `replay` (nobody to ask).
    const settingTools = Object.fromEntries(toolsBefore(plan).map((name) => [name, defaults[name] === 'live' ? 'live' : 'replay'] as const));
    if (direct) return this.run(trace, call.spanId, direct.input, direct.tools ?? settingTools, !!direct.debug, 'direct');
    const model: ForkModel = {
      mode: 'fork',
      traceId,
      spanId: call.spanId,
      stepName: call.spanName === call.name ? call.name : `${call.spanName} (${call.name})`,
      op: call.op,
      input: maskDeep(call.input),
      messagesField: messagesField(call.input),
      tools: toolsBefore(plan).map((name) => ({ name, policy: defaults[name] ?? 'replay' })),
      hasCode: !!buildSteps(trace).find((s) => s.spanId === call.spanId)?.code,
      launch: describeLaunch(this.proxyLaunch(trace) ?? configuredLaunch()),
    };
    ForkEditorPanel.show(model, this.ctx.extensionUri, this, this.ctx.log);
    return undefined;
  }

  /** Replays the whole recording (no fork, no edit): does the current code still behave as recorded? */
  async replayRun(traceId: string, tools?: Record<string, ToolChoice>): Promise<ReplayOutcome | undefined> {
    if (!requireTrust('Replay')) return undefined;
    return this.run(this.trace(traceId), null, undefined, tools ?? {}, false, 'direct');
  }

  /** From the editor. */
  async launch(editor: ForkEditorPanel, input: unknown, tools: Record<string, ToolChoice>, debug: boolean): Promise<void> {
    const m = editor.model;
    if (m.mode === 'playground') return this.playgroundCtl.send(editor, input);
    if (!requireTrust('Fork & Replay')) return;
    const out = await this.run(this.trace(m.traceId), m.spanId, input, tools, debug, editor);
    if (!out) return editor.status(false, '');
    if (out.cancelled) return editor.status(false, 'Cancelled.');
    if (!out.run)
      return editor.status(false, '', [
        `The agent exited with code ${out.exitCode} and sent no run to Tracefork. Is it using the Tracefork SDK and exporting to ${this.ctx.host.state.url}? See the "Tracefork" output.`,
      ]);
    editor.status(
      false,
      `Replayed as run ${out.run.traceId.slice(0, 8)}; the comparison is in the Comparison view.${out.divergences.length ? ` ${out.divergences[0]}` : ''}`,
    );
  }

  cancel(editor: ForkEditorPanel): void {
    const r = this.running.get(editor);
    if (r) r.cancel();
    else editor.dispose();
  }

  private async run(
    trace: StoredTrace,
    spanId: string | null,
    input: unknown,
    tools: Record<string, ToolChoice>,
    debug: boolean,
    owner: ForkEditorPanel | string,
    prepared?: { plan: ReplayPlan; quiet: boolean; token?: vscode.CancellationToken },
  ): Promise<ReplayOutcome | undefined> {
    if (this.running.has(owner)) throw new Error('A replay from this editor is already running.');
    const steps = buildSteps(trace);
    const proxied = isProxyRecorded(trace);
    const launch = (await this.proxyLaunchUnmasked(trace)) ?? (await resolveLaunch(steps[0]?.code?.file ?? null, this.ctx.log));
    if (!launch || !this.launcher.canDebug(launch, debug)) return undefined;
    const call = spanId ? forkCall(trace, spanId) : null;
    // The editor showed masked credentials; what the user left as it was goes back unmasked.
    const plan =
      prepared?.plan ?? buildPlan(trace, { forkSpanId: spanId, input: input === undefined || !call ? undefined : unmaskLike(input, call.input), tools });
    const written = writePlan(this.planDir, plan);
    const file = written.file;
    const fork = steps.find((s) => s.spanId === spanId);
    const editor = typeof owner === 'string' ? null : owner;
    const outcome: ReplayOutcome = { plan, run: null, exitCode: null, divergences: [], cancelled: false };
    const log = this.ctx.log;
    log.appendLine(`replay: plan ${plan.planId} (${plan.steps.length} recorded calls before the fork at ${plan.fork?.key}) → ${file}`);
    await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: spanId ? `Tracefork: replaying from ${fork?.name ?? 'the fork'}` : 'Tracefork: replaying the run',
        cancellable: true,
      },
      async (progress, token) => {
        const cancel = new vscode.CancellationTokenSource();
        this.running.set(owner, { cancel: () => cancel.cancel() });
        token.onCancellationRequested(() => cancel.cancel());
        prepared?.token?.onCancellationRequested(() => cancel.cancel());
        try {
          editor?.status(true, 'Running the agent…');
          progress.report({ message: 'running the agent…' });
          const url = this.ctx.host.state.url ?? 'http://127.0.0.1:4318';
          // A run recorded by the proxies replays through them: the receiver holds the plan, the agent's base URLs name the run.
          const proxyRun = proxied
            ? await remoteRuns(url).create({
                name: describeLaunch(launch) ?? 'replay',
                command: launch.kind === 'command' ? shellCommand(launch.commandLine) : undefined,
                cwd: launch.kind === 'command' ? (launch.cwd ?? launch.folder.uri.fsPath) : undefined,
                plan,
              })
            : null;
          const env = { OTEL_EXPORTER_OTLP_ENDPOINT: url, [PLAN_ENV]: file, ...(proxyRun ? proxyEnv(url, proxyRun.token) : {}) };
          try {
            outcome.exitCode =
              debug || launch.kind === 'debug'
                ? await this.launcher.runDebug(launch, env, debug, fork?.code ? locate(fork.code) : null, fork?.code?.line ?? null, cancel.token)
                : await this.launcher.runCommand(launch, env, outcome.divergences, cancel.token);
          } finally {
            if (proxyRun) {
              const ended = await remoteRuns(url).end(proxyRun.token, outcome.exitCode);
              outcome.divergences.push(...ended.divergences);
              for (const d of ended.divergences) log.appendLine(`replay: ${d}`);
            }
          }
          if (cancel.token.isCancellationRequested) {
            outcome.cancelled = true;
            return;
          }
          editor?.status(true, 'Waiting for the replayed run…');
          progress.report({ message: 'waiting for the replayed run…' });
          outcome.run = await waitForStoreRun(this.ctx.host, (store) => findReplayRun(store, plan), cancel.token);
        } finally {
          this.running.delete(owner);
          cancel.dispose();
          written.remove();
        }
      },
    );
    this.last = outcome;
    if (outcome.run && !prepared?.quiet) {
      const c = await this.compare.show(trace.traceId, outcome.run.traceId);
      const first = c.pairs[c.firstDivergence];
      const where = first ? `first divergence at ${(first.right ?? first.left)!.name}` : 'the runs match step for step';
      void vscode.window
        .showInformationMessage(
          `Tracefork: replayed run ${outcome.run.traceId.slice(0, 8)}: ${where}.${outcome.divergences.length ? ` ${outcome.divergences.length} call(s) no longer matched the recording (see the Tracefork output).` : ''}`,
          'Open Run',
        )
        .then((a) => a && this.ctx.openRun(outcome.run!.traceId));
    }
    return outcome;
  }

  /**
   * A regression case run again against the current code (as `tracefork test`): the calls before
   * its step from the recording, the step and the rest live, the new run judged with the same
   * evaluators (built-ins here, custom and judge scores as the live evaluators give them).
   */
  async runCase(c: RegressionCase, opts: { debug: boolean; token?: vscode.CancellationToken }): Promise<CaseResult> {
    const none = {
      id: caseId(c),
      name: c.step.name,
      evaluators: c.failedEvaluators.map((e) => ({ name: e.name, passed: null, explanation: null })),
      newFailures: [],
      traceId: null,
      output: null,
    };
    if (!requireTrust('Running regression cases'))
      return { ...none, outcome: 'skipped', reason: 'running a case runs your agent, which is off in Restricted Mode' };
    const original = this.ctx.host.current?.get(c.traceId);
    if (!original) return { ...none, outcome: 'skipped', reason: `its run ${c.traceId} is not in the store (kept runs: tracefork.retention.*)` };
    const made = casePlan(original, c);
    if ('skip' in made) return { ...none, outcome: 'skipped', reason: made.skip };
    const out = await this.run(original, c.spanId, undefined, {}, opts.debug, `case:${caseId(c)}`, { plan: made.plan, quiet: true, token: opts.token });
    if (!out) return { ...none, outcome: 'skipped', reason: 'the agent was not started (no command chosen)' };
    if (out.cancelled) return { ...none, outcome: 'skipped', reason: 'cancelled' };
    const replayed = out.run ? this.ctx.host.current?.get(out.run.traceId) : null;
    if (!replayed)
      return {
        ...none,
        outcome: 'error',
        reason: `the agent exited with code ${out.exitCode} and its run never reached Tracefork: is it recorded with the Tracefork SDK, or started through the proxy?`,
      };
    const store = this.ctx.host.current!;
    const judged = async (trace: StoredTrace) => {
      const { steps, scores } = evaluateTrace(trace, { baseline: baselineFromStore(store, { beforeTraceId: c.traceId, maxTraces: 50 }) });
      // Custom evaluators and the judge score a new run in the background: wait a little for them when the case needs them.
      const needs = c.failedEvaluators.some((e) => e.source === 'custom' || e.source === 'judge');
      const extra = needs
        ? await waitForEvent(this.ctx.onDidScore ?? [], () => this.ctx.extraScores?.(trace.traceId), 5000)
        : this.ctx.extraScores?.(trace.traceId);
      if (extra) mergeScores(scores, extra);
      return { steps, scores, trace };
    };
    return judgeCase(c, made.key, await judged(original), await judged(replayed), { untimed: opts.debug });
  }

  /**
   * *A/B a Change over Recorded Runs…*: each run re-run with the change (sequentially, cancellable),
   * before vs after as `tracefork ab` reports it; the report opens as a Markdown document.
   */
  async abRuns(
    traceIds: string[],
    change: AbChange,
  ): Promise<{ runs: AbRun[]; worse: boolean; evaluators: ReturnType<typeof aggregate>['evaluators'] } | undefined> {
    if (!requireTrust('A/B over recorded runs')) return undefined;
    const store = this.ctx.host.current;
    if (!store) return undefined;
    const runs: AbRun[] = [];
    const source = new vscode.CancellationTokenSource();
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Tracefork: A/B over ${traceIds.length} run(s)`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => source.cancel());
        for (const [i, traceId] of traceIds.entries()) {
          if (source.token.isCancellationRequested) break;
          progress.report({ message: `${i + 1} of ${traceIds.length}: ${traceId.slice(0, 8)}`, increment: 100 / traceIds.length });
          const original = store.get(traceId);
          const base: AbRun = {
            traceId,
            name: original ? (store.list().find((t) => t.traceId === traceId)?.name ?? traceId) : traceId,
            replayTraceId: null,
            before: null,
            after: null,
            firstDivergence: null,
            skipped: null,
          };
          if (!original) {
            runs.push({ ...base, skipped: 'no longer in the store' });
            continue;
          }
          let plan: ReplayPlan;
          try {
            plan = abPlan(original, change);
          } catch (e) {
            if (!(e instanceof PlanError)) throw e;
            runs.push({ ...base, skipped: e.message });
            continue;
          }
          const out = await this.run(original, plan.original.forkSpanId, undefined, {}, false, `ab:${traceId}`, { plan, quiet: true, token: source.token });
          const replayed = out?.run ? this.ctx.host.current?.get(out.run.traceId) : null;
          if (!replayed) {
            runs.push({
              ...base,
              skipped: out?.cancelled ? 'cancelled' : `the agent exited with code ${out?.exitCode ?? '?'} and its run never reached Tracefork`,
            });
            continue;
          }
          const baseline = baselineFromStore(store, { beforeTraceId: traceId, maxTraces: 50 });
          const measure = (t: StoredTrace) => ({ ...evaluateTrace(t, { baseline }), traceId: t.traceId });
          runs.push(abCompared(base, measure(original), measure(replayed)));
        }
      },
    );
    source.dispose();
    const agg = aggregate(runs);
    // A read-only document (nothing to save): the report, as Markdown.
    const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/A-B ${new Date().toISOString().replace(/[:.]/g, '-')}.md` });
    reports.set(uri.toString(), abReport(change, runs, agg));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false });
    const worse = agg.evaluators.filter((e) => e.worse).map((e) => e.name);
    const why = [...new Set(runs.map((r) => r.skipped).filter(Boolean))].join('; ');
    void vscode.window[worse.length || !agg.compared ? 'showWarningMessage' : 'showInformationMessage'](
      agg.compared
        ? `Tracefork A/B: ${agg.compared} of ${runs.length} run(s) compared; ${worse.length ? `worse on ${worse.join(', ')}` : 'no evaluator is worse'}.`
        : `Tracefork A/B compared no run, so it says nothing about the change: ${why || 'cancelled'}.`,
    );
    return { runs, worse: agg.worse, evaluators: agg.evaluators };
  }

  /** For a run `tracefork run` or *Run Agent with Tracefork…* recorded: its own command, in its own folder. */
  private proxyLaunch(trace: StoredTrace): AgentLaunch | null {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const rec = isProxyRecorded(trace) ? recordedCommand(trace) : null;
    if (!rec || !folder) return null;
    const [first, flag, line] = rec.command;
    const commandLine = rec.command.length === 3 && (flag === '-c' || flag === '/c') && /(^|\/)(sh|bash|zsh)$/.test(first!) ? line! : shellJoin(rec.command);
    return { kind: 'command', commandLine, folder, cwd: rec.cwd ?? undefined };
  }

  private static readonly COMMANDS_KEY = 'tracefork.runAgent.commands';

  /**
   * The recorded command, with a secret the store masked put back from what this workspace ran
   * (kept in its workspace state, never in the store), or asked for when it is not known.
   */
  private async proxyLaunchUnmasked(trace: StoredTrace): Promise<AgentLaunch | null> {
    const launch = this.proxyLaunch(trace);
    if (launch?.kind !== 'command' || !launch.commandLine.includes('[masked]')) return launch;
    const known = this.ctx.workspaceState?.get<Record<string, string>>(ReplayController.COMMANDS_KEY)?.[launch.commandLine];
    if (known) return { ...launch, commandLine: known };
    const typed = await vscode.window.showInputBox({
      title: 'Tracefork: the command that starts your agent',
      prompt: 'The command this run was recorded with held a secret, which Tracefork masked. Enter the command as it should run.',
      value: launch.commandLine,
      validateInput: (v) => (!v.trim() ? 'Enter a command' : v.includes('[masked]') ? 'Replace the masked part' : null),
    });
    return typed ? { ...launch, commandLine: typed } : null;
  }

  /**
   * *Run Agent with Tracefork…*: runs the agent's command with its model clients (OPENAI_BASE_URL,
   * ANTHROPIC_BASE_URL), MCP proxy and traces pointed at this window's receiver, as one new run
   * recorded with no SDK; opens the run when the agent exits.
   */
  async runAgent(commandLine?: string): Promise<{ traceId: string; exitCode: number | null; calls: number } | undefined> {
    if (!requireTrust('Run Agent with Tracefork')) return undefined;
    const folder = vscode.workspace.workspaceFolders?.[0];
    const url = this.ctx.host.state.url;
    if (!folder) {
      void vscode.window.showErrorMessage('Tracefork: open the folder of your agent to run it.');
      return undefined;
    }
    if (!url) {
      void vscode.window
        .showErrorMessage(`Tracefork: the receiver is not running (${this.ctx.host.state.detail}), so the agent's calls would go nowhere.`, 'Show Log')
        .then((a) => a && this.ctx.log.show());
      return undefined;
    }
    const key = 'tracefork.runAgent.command';
    const state = this.ctx.workspaceState;
    let config: vscode.DebugConfiguration | null = null;
    if (commandLine === undefined) {
      const configs = launchConfigurations(folder.uri);
      if (configs.length) {
        const pick = await vscode.window.showQuickPick(
          [
            { label: '$(terminal) Enter a command…', description: state?.get<string>(key) ?? '', config: null as vscode.DebugConfiguration | null },
            ...configs.map((c) => ({ label: c.name, description: `launch configuration (${c.type})`, config: c })),
          ],
          { title: 'Tracefork: Run Agent — how is your agent started?' },
        );
        if (!pick) return undefined;
        config = pick.config;
      }
    }
    if (!config) {
      commandLine ??= await vscode.window.showInputBox({
        title: 'Tracefork: Run Agent',
        prompt:
          'Run in the workspace folder with OPENAI_BASE_URL, ANTHROPIC_BASE_URL and OTEL_EXPORTER_OTLP_ENDPOINT pointed at Tracefork: its model calls are recorded (no SDK needed) and can be forked and replayed.',
        value: state?.get<string>(key) ?? readReplayConfig(folder.uri).command,
        validateInput: (v) => (v.trim() ? null : 'Enter a command, e.g. python agent.py'),
      });
      if (!commandLine) return undefined;
      await state?.update(key, commandLine);
    }
    const shown = config ? `launch configuration "${config.name}"` : maskSecrets(commandLine!);
    if (commandLine && shown !== commandLine) {
      // The store keeps the masked form; this workspace remembers the real one, to replay it.
      const known = { ...(state?.get<Record<string, string>>(ReplayController.COMMANDS_KEY) ?? {}), [shown]: commandLine };
      await state?.update(ReplayController.COMMANDS_KEY, Object.fromEntries(Object.entries(known).slice(-20)));
    }
    const api = remoteRuns(url);
    const run = await api.create(config ? { name: config.name } : { name: commandLine, command: shellCommand(commandLine!), cwd: folder.uri.fsPath });
    const log = this.ctx.log;
    log.appendLine(`run agent: ${config ? shown : `$ ${shown}`}  (run ${run.traceId}, in ${folder.uri.fsPath})`);
    log.show(true);
    let exitCode: number | null = null;
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Tracefork: running ${shown}`, cancellable: true },
      async (progress, token) => {
        progress.report({ message: 'its calls are recorded as they happen (output in the Tracefork log)' });
        const env = proxyEnv(url, run.token);
        exitCode = config
          ? await this.launcher.runDebug({ kind: 'debug', config, folder }, env, false, null, null, token)
          : await this.launcher.runCommand({ kind: 'command', commandLine: commandLine!, folder }, env, [], token, 'run agent');
      },
    );
    const summary = await api.end(run.token, exitCode);
    log.appendLine(`run agent: exited with code ${exitCode}; ${summary.calls} call(s) recorded in run ${summary.traceId}`);
    // A window that follows another's receiver reads the store every second: wait for the run there.
    await waitForStoreRun(this.ctx.host, (store) => (store.get(summary.traceId) ? { traceId: summary.traceId } : null), undefined, 5000, 0);
    this.ctx.openRun(summary.traceId);
    void vscode.window.showInformationMessage(
      `Tracefork: the agent exited with code ${exitCode}; ${summary.calls} model and tool call(s) recorded. Select a call and use Fork & Replay… to re-run from it.`,
    );
    return { traceId: summary.traceId, exitCode, calls: summary.calls };
  }
}
