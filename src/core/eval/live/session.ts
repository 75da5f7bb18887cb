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
import type { EvaluateReply, EvaluateRequest, LocatedStep, TraceResult } from './protocol';

/** Evaluates batches of traces read straight from the journal file. */
export class EvalSession {
  private baseline = new Baseline();
  private drift = new DriftDetector();
  private journal: Journal | null = null;
  private readonly cache = new RecordCache(8);

  /** Evaluates every trace of the request, oldest first, feeding the baseline after each. */
  evaluate(req: EvaluateRequest): EvaluateReply {
    const reply: EvaluateReply = { type: 'evaluated', id: req.id, results: [], stale: [], errors: [] };
    if (req.resetBaseline) [this.baseline, this.drift] = [new Baseline(), new DriftDetector()];
    const journal = this.open(req.journal);
    if (!journal) return { ...reply, stale: req.traces.map((t) => t.traceId) };
    const withSteps = new Set(req.stepsFor);
    for (const t of req.traces) {
      try {
        const steps = buildSteps(assembleTrace(t.traceId, t.offsets, journal, this.cache), req.prices);
        const { scores, scorecard } = runEvaluators(steps, { baseline: this.baseline, options: req.options });
        this.baseline.observe(steps);
        const findings = this.drift.observe(t.traceId, steps, scores);
        reply.results.push({ ...summarize(t.traceId, steps, scores), scorecard, ...(findings.length ? { findings } : {}), ...(withSteps.has(t.traceId) ? { steps, scores: [...scores] } : {}) });
      } catch (e) {
        reply.errors.push({ traceId: t.traceId, message: (e as Error).message });
      }
    }
    return reply;
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
    located.push({ spanId: s.spanId, name: s.name, code: s.code, status: s.status, error: s.error, durationMs: s.durationMs, costUsd: s.costUsd, startTime: s.startTime, findings });
  }
  return { traceId, stepCount: steps.length, failing: [...failing], located };
}
