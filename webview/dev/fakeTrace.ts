/**
 * Deterministic fake agent traces for the dev harness: an agent whose turns are a model call
 * followed by tools, some of which are sub-agents (retrieval, embedding, chains) down to depth
 * 5. Generating N+k rows extends N rows the way a live run does (same prefix, parents grow).
 */
import type { RowData, StepKind, TraceHeader } from '../../src/shared/protocol';

const TOOLS = ['search_web', 'read_file', 'run_sql', 'send_email', 'calculator'];
const MODELS = ['gpt-4o-mini', 'gpt-4o', 'claude-sonnet-4'];

/** A seeded PRNG (mulberry32) so every run shows the same trace. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The span id of row `i`. */
export function spanIdOf(i: number): string {
  return i.toString(16).padStart(16, '0');
}

/** `n` rows of a fake agent trace in pre-order. */
export function generateRows(n: number, seed = 7): RowData[] {
  if (n <= 0) return [];
  const rnd = prng(seed);
  const rows: RowData[] = [];
  const end: number[] = [];
  let clock = 0;
  let toolCount = 0;
  let llmCount = 0;
  const full = () => rows.length >= n;
  const between = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo));

  function push(name: string, kind: StepKind, parent: number, depth: number, fields: Partial<RowData> = {}): number {
    const index = rows.length;
    rows.push({
      index,
      spanId: spanIdOf(index),
      parent,
      depth,
      descendants: 0,
      name,
      kind,
      status: 'ok',
      offsetMs: clock,
      durationMs: 0,
      model: null,
      inputTokens: null,
      outputTokens: null,
      costUsd: null,
      error: null,
      hasCode: true,
      failedScores: [],
      ...fields,
    });
    end.push(clock);
    return index;
  }
  function leaf(name: string, kind: StepKind, parent: number, depth: number, ms: number, fields: Partial<RowData> = {}) {
    if (full()) return;
    const i = push(name, kind, parent, depth, fields);
    clock += ms;
    end[i] = clock;
  }
  function llm(parent: number, depth: number) {
    const model = MODELS[llmCount % MODELS.length];
    const inputTokens = between(200, 4000);
    const outputTokens = between(20, 600);
    const failedScores = llmCount % 7 === 3 ? ['faithfulness'] : [];
    llmCount++;
    leaf(`chat ${model}`, 'llm', parent, depth, between(300, 2500), {
      model,
      inputTokens,
      outputTokens,
      costUsd: inputTokens * 2.5e-6 + outputTokens * 1e-5,
      failedScores,
    });
  }
  function tool(parent: number, depth: number) {
    const name = TOOLS[toolCount % TOOLS.length];
    const failing = toolCount === 0 || rnd() < 0.03;
    toolCount++;
    const error = failing ? `TimeoutError: ${name} did not answer within 30 s` : null;
    leaf(`tool ${name}`, 'tool', parent, depth, between(20, 900), { status: failing ? 'error' : 'ok', error });
  }
  function subAgent(parent: number, depth: number) {
    if (full()) return;
    const me = push('agent researcher', 'agent', parent, depth);
    leaf('guardrail pii_guard', 'guardrail', me, depth + 1, between(2, 30));
    leaf('embed query', 'embedding', me, depth + 1, between(10, 80), { model: 'text-embedding-3-small', inputTokens: between(5, 60) });
    leaf('retrieve docs', 'retrieval', me, depth + 1, between(20, 200));
    if (depth + 2 <= 5 && rnd() < 0.5) subAgent(me, depth + 1);
    else if (!full()) chain(me, depth + 1);
    llm(me, depth + 1);
    leaf('evaluate answer', 'evaluator', me, depth + 1, between(5, 50));
    end[me] = clock;
  }
  function chain(parent: number, depth: number) {
    const me = push('chain plan', 'chain', parent, depth);
    llm(me, depth + 1);
    tool(me, depth + 1);
    end[me] = clock;
  }

  const root = push('agent support-agent', 'agent', -1, 0);
  while (!full()) {
    llm(root, 1);
    const calls = between(1, 4);
    for (let c = 0; c < calls && !full(); c++) (rnd() < 0.3 ? subAgent : tool)(root, 1);
  }
  finish(rows, end);
  return rows;
}

/** Fills descendants and durations bottom-up (children come after their parent in pre-order). */
function finish(rows: RowData[], end: number[]) {
  for (let i = rows.length - 1; i > 0; i--) {
    const p = rows[i].parent;
    rows[p].descendants += rows[i].descendants + 1;
    end[p] = Math.max(end[p], end[i]);
  }
  for (const r of rows) r.durationMs = end[r.index] - r.offsetMs;
}

/** The header of a trace made of `rows`. */
export function headerOf(rows: RowData[]): TraceHeader {
  let errorCount = 0,
    inputTokens = 0,
    outputTokens = 0,
    costUsd = 0;
  for (const r of rows) {
    if (r.status === 'error') errorCount++;
    inputTokens += r.inputTokens ?? 0;
    outputTokens += r.outputTokens ?? 0;
    costUsd += r.costUsd ?? 0;
  }
  const durationMs = rows.length ? rows[0].durationMs : 0;
  return {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    name: 'support-agent: refund request',
    startTime: '2025-06-01T10:00:00.000Z',
    durationMs,
    rowCount: rows.length,
    errorCount,
    inputTokens,
    outputTokens,
    costUsd,
  };
}
