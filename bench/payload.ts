/** Synthetic but realistic GenAI spans for benchmarks: chat steps with ~2 KB prompts, as OTLP/JSON. */
import { randomBytes } from 'node:crypto';
import type { Span, TracesData } from '../src/core/otlp/types';

const PROMPT = 'You are a careful travel agent. '.repeat(64).slice(0, 2000);

/** One chat span with a ~2 KB prompt in gen_ai.input.messages. */
export function chatSpan(traceId: string, parentSpanId: string | undefined, i: number): Span {
  const start = BigInt(Date.now()) * 1_000_000n + BigInt(i) * 1000n;
  const s: Span = {
    traceId,
    spanId: randomBytes(8).toString('hex'),
    name: 'chat gpt-4o-mini',
    kind: 3,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: (start + 1_500_000n).toString(),
    attributes: [
      { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
      { key: 'gen_ai.provider.name', value: { stringValue: 'openai' } },
      { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
      { key: 'gen_ai.usage.input_tokens', value: { intValue: '512' } },
      { key: 'gen_ai.usage.output_tokens', value: { intValue: '64' } },
      { key: 'gen_ai.input.messages', value: { stringValue: JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `${i} ${PROMPT}` }] }]) } },
      {
        key: 'gen_ai.output.messages',
        value: { stringValue: JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Paris in spring.' }], finish_reason: 'stop' }]) },
      },
    ],
    status: { code: 1 },
  };
  if (parentSpanId) s.parentSpanId = parentSpanId;
  return s;
}

/** A request of n spans spread over traces of `perTrace` spans. */
export function chatRequest(n: number, perTrace = 50): TracesData {
  const spans: Span[] = [];
  let traceId = '';
  for (let i = 0; i < n; i++) {
    if (i % perTrace === 0) traceId = randomBytes(16).toString('hex');
    spans.push(chatSpan(traceId, undefined, i));
  }
  return {
    resourceSpans: [
      { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench-agent' } }] }, scopeSpans: [{ scope: { name: 'bench' }, spans }] },
    ],
  };
}
