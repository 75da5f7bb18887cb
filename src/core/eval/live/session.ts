/**
 * The evaluation worker's state and work: a read-only handle on the store's journal, a small cache
 * of decoded request bodies, and the rolling baseline. Plain code, so tests and the in-process
 * fallback run it without a worker.
 */
import { Journal } from '../../store/journal';
import { assembleTrace, RecordCache } from '../../store/queries';
import { buildSteps } from '../../model/steps';
import type { Step } from '../../model/step';
import { Baseline } from '../baseline';
import { runEvaluators } from '../engine';
import { DriftDetector } from '../drift';
import type { EvalScore } from '../types';
import type { EvaluateReply, EvaluateRequest, LocatedStep, TraceResult, VerdictReply, VerdictRequest } from './protocol';
import type { ScoreEntries, VerdictFiles } from './verdictFile';

/**
 * The verdicts of the traces evaluated last, bounded by their total steps: the one source of the
 * scores the views show (the trace panel reads them from here instead of scoring again).
 */
export class VerdictCache {
  private readonly map = new Map<string, { scores: ScoreEntries; steps: number }>();
  private steps = 0;
  constructor(private readonly maxSteps = 200_000) {}

  get(traceId: string): ScoreEntries | undefined {
    const v = this.map.get(traceId);
    if (!v) return undefined;
    this.map.delete(traceId); // most recently used last
    this.map.set(traceId, v);
    return v.scores;
  }

  set(traceId: string, scores: ScoreEntries, steps: number): void {
    this.delete(traceId);
    this.map.set(traceId, { scores, steps });
    this.steps += steps;
    for (const [id, v] of this.map) {
      if (this.steps <= this.maxSteps || id === traceId) break;
      this.map.delete(id);
      this.steps -= v.steps;
    }
  }

  delete(traceId: string): void {
    const v = this.map.get(traceId);
    if (!v) return;
    this.map.delete(traceId);
    this.steps -= v.steps;
  }

  clear(): void {
    this.map.clear();
    this.steps = 0;
  }
}

/**
 * The biggest run evaluated on demand: its full steps, messages included, are built at once (a
 * 100,000-step run took seconds and left the worker ~500 MB bigger). Bigger runs are shown with
 * the agent's own scores only.
 */
export const MAX_ON_DEMAND_SPANS = 50_000;

/** Evaluates batches of traces read straight from the journal file. */
export class EvalSession {
  readonly verdicts = new VerdictCache();
  private baseline = new Baseline();
  private drift = new DriftDetector();
  private journal: Journal | null = null;
  private readonly cache = new RecordCache(8);

  /**
   * `files`: where the verdicts of big runs are saved, to be read instead of judged again (after a
   * reload, or once the memory let them go); `notice`: told what could not be saved.
   */
  constructor(
    private readonly files: VerdictFiles | null = null,
    private readonly notice: (message: string) => void = () => {},
  ) {}

  /** Evaluates every trace of the request, oldest first, feeding the baseline after each. */
  evaluate(req: EvaluateRequest): EvaluateReply {
    const reply: EvaluateReply = { type: 'evaluated', id: req.id, results: [], stale: [], errors: [] };
    if (req.resetBaseline) [this.baseline, this.drift] = [new Baseline(), new DriftDetector()];
    if (req.resetBaseline) this.verdicts.clear();
    const journal = this.open(req.journal);
    if (!journal) return { ...reply, stale: req.traces.map((t) => t.traceId) };
    const withSteps = new Set(req.stepsFor);
    for (const t of req.traces) {
      try {
        const steps = buildSteps(assembleTrace(t.traceId, t.offsets, journal, this.cache), req.prices);
        const { scores, scorecard } = runEvaluators(steps, { baseline: this.baseline, options: req.options });
        this.baseline.observe(steps);
        // A run too big for the live loop comes without records: its verdict is made on demand.
        if (t.offsets.length) this.verdicts.set(t.traceId, [...scores], steps.length);
        else this.verdicts.delete(t.traceId);
        const findings = this.drift.observe(t.traceId, steps, scores);
        reply.results.push({
          ...summarize(t.traceId, steps, scores),
          scorecard,
          ...(findings.length ? { findings } : {}),
          ...(withSteps.has(t.traceId) ? { steps, scores: [...scores] } : {}),
        });
      } catch (e) {
        reply.errors.push({ traceId: t.traceId, message: (e as Error).message });
      }
    }
    return reply;
  }

  /**
   * The scores of one trace: the live verdict when kept, else the saved one when it still holds,
   * else evaluated now against the current baseline (which it does not join: the rolling baseline
   * stays that of the live runs). A request made `ahead` of time is answered without its scores.
   */
  verdict(req: VerdictRequest): VerdictReply {
    const reply: VerdictReply = { type: 'verdict', id: req.id, traceId: req.traceId, scores: null, source: null };
    if (!req.trace) return reply; // not in the store (deleted, evicted)
    const answer = (scores: ScoreEntries, source: 'live' | 'saved' | 'now'): VerdictReply => ({ ...reply, scores: req.ahead ? null : scores, source });
    const kept = this.verdicts.get(req.traceId);
    if (kept) return answer(kept, 'live');
    // Evaluating means holding every step at once: a run bigger than this is shown without scores.
    if (req.trace.spanCount > MAX_ON_DEMAND_SPANS) return reply;
    const key = { journal: req.journal, trace: req.trace, options: req.options, prices: req.prices };
    const files = this.files?.wants(req.trace.spanCount) ? this.files : null;
    const saved = files?.load(key);
    if (saved) {
      this.verdicts.set(req.traceId, saved, req.trace.spanCount);
      return answer(saved, 'saved');
    }
    const journal = this.open(req.journal);
    if (!journal) return { ...reply, error: 'the journal was compacted meanwhile; ask again' };
    try {
      const steps = buildSteps(assembleTrace(req.traceId, req.trace.offsets, journal, this.cache), req.prices);
      const { scores } = runEvaluators(steps, { baseline: this.baseline, options: req.options });
      const entries: ScoreEntries = [...scores];
      this.verdicts.set(req.traceId, entries, steps.length);
      try {
        files?.save(key, entries);
      } catch (e) {
        this.notice(`the verdict of run ${req.traceId} was not saved (it is judged again next time): ${(e as Error).message}`);
      }
      return answer(entries, 'now');
    } catch (e) {
      return { ...reply, error: (e as Error).message };
    }
  }

  /** Closes the journal handle. */
  close(): void {
    this.journal?.close();
    this.journal = null;
  }

  /**
   * The journal of the asked generation, or null when the file now holds another one. A handle
   * opened before a compaction keeps reading the old file, which is what its offsets refer to.
   */
  private open(want: EvaluateRequest['journal']): Journal | null {
    if (this.journal?.path === want.path && this.journal.generation === want.generation) return this.journal;
    this.close();
    const j = Journal.open(want.path, true);
    if (j.generation !== want.generation) {
      j.close();
      return null;
    }
    return (this.journal = j);
  }
}

/** What the views need from a trace's scores: failing evaluator names and the steps with a source line. */
function summarize(traceId: string, steps: Step[], scores: Map<string, EvalScore[]>): Omit<TraceResult, 'scorecard'> {
  const failing = new Set<string>();
  for (const list of scores.values()) for (const sc of list) if (sc.passed === false) failing.add(sc.name);
  const located: LocatedStep[] = [];
  for (const s of steps) {
    if (!s.code?.line) continue;
    const findings = (scores.get(s.spanId) ?? []).filter((x) => x.passed === false).map((x) => ({ name: x.name, explanation: x.explanation }));
    located.push({
      spanId: s.spanId,
      name: s.name,
      code: s.code,
      status: s.status,
      error: s.error,
      durationMs: s.durationMs,
      costUsd: s.costUsd,
      startTime: s.startTime,
      findings,
    });
  }
  return { traceId, stepCount: steps.length, failing: [...failing], located };
}
