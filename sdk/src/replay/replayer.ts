/**
 * Decides, call by call, what a replay does: serve the recording (before the fork), run the fork
 * step with the edited input, or run live (after the fork, for tools whose policy is `live`, and
 * from the first call that no longer matches the recording, which is reported, never hidden).
 */
import * as fs from 'node:fs';
import { decode, firstDifference, inputHash } from '../contract';
import type { PlannedStep, ReplayPlan } from '../contract';

/** What to do with one call. */
export type Decision =
  { kind: 'record' } | { kind: 'recording'; step: PlannedStep } | { kind: 'fork'; input: unknown } | { kind: 'live' } | { kind: 'diverged'; report: string };

/** Reads and checks a plan file; throws with the reason when it cannot be used. */
export function readPlan(file: string): ReplayPlan {
  const plan = JSON.parse(fs.readFileSync(file, 'utf8')) as ReplayPlan;
  if (plan?.version !== 1) throw new Error(`replay plan ${file}: unsupported version ${String(plan?.version)} (this SDK reads version 1)`);
  if (!Array.isArray(plan.steps) || !plan.original?.traceId) throw new Error(`replay plan ${file}: missing steps or original trace`);
  return plan;
}

/** The replay state of one run. */
export class Replayer {
  private readonly byKey = new Map<string, PlannedStep>();
  private goneLive = false;
  private forkReached = false;
  /** Every divergence reported so far. */
  readonly divergences: string[] = [];
  /** How many calls were served from the recording, ran as the fork, or ran live. */
  readonly counts = { recording: 0, fork: 0, live: 0 };

  constructor(
    readonly plan: ReplayPlan,
    private readonly report: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  ) {
    for (const s of plan.steps) this.byKey.set(s.key, s);
  }

  /** The decision for a call with this key and (unedited) input. */
  decide(op: string, name: string, key: string, input: unknown): Decision {
    const d = this.choose(op, name, key, input);
    if (d.kind === 'recording') this.counts.recording++;
    else if (d.kind === 'fork') this.counts.fork++;
    else this.counts.live++;
    return d;
  }

  private choose(op: string, name: string, key: string, input: unknown): Decision {
    // The fork is checked first: an earlier divergence makes the run live, but the user's edit
    // still applies when its step comes.
    const fork = this.plan.fork;
    if (fork && fork.key === key && !this.forkReached) {
      this.goneLive = true;
      this.forkReached = true;
      return { kind: 'fork', input: fork.input === undefined ? input : decode(fork.input) };
    }
    if (this.goneLive) return { kind: 'live' };
    if (op === 'tool' && this.plan.tools?.[name] === 'live') return { kind: 'live' };
    const step = this.byKey.get(key);
    if (!step) return this.diverge(`call ${key} was not in the recording before the fork`);
    const hash = inputHash(input, op);
    if (step.inputHash !== hash) {
      const d = step.input === undefined ? null : firstDifference(decode(step.input), input);
      const what = d ? `at ${d.path}: recorded ${short(d.recorded)}, now ${short(d.actual)}` : `input hash ${hash} ≠ recorded ${step.inputHash}`;
      return this.diverge(`call ${key} differs from the recording ${what}`);
    }
    return step.through ? { kind: 'live' } : { kind: 'recording', step };
  }

  /** Reports a fork step that the run never reached (call at exit). */
  reportUnreached(): void {
    const fork = this.plan.fork;
    if (fork && !this.forkReached) {
      const report = `the fork step ${fork.key} was never reached, so the edit was not applied${this.divergences.length ? ' (the run had diverged before it; see above)' : ''}`;
      this.divergences.push(report);
      this.report(`[tracefork] replay: ${report}`);
    }
  }

  private diverge(what: string): Decision {
    this.goneLive = true;
    const report = `${what}; the replay runs live from this call on`;
    this.divergences.push(report);
    this.report(`[tracefork] replay: ${report}`);
    return { kind: 'diverged', report };
  }
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
