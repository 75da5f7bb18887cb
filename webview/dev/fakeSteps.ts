/**
 * The detail of a fake row, shaped like the real adapters' output. The prompts carry markup
 * (`<script>`, `</script>`, an `onerror` image) and ANSI escapes: they must show as text.
 */
import type { Message, StepIO } from '../../src/shared/protocol';
import type { RowData, Step } from '../../src/shared/protocol';

/** The user prompt of every model call: hostile markup and terminal escapes, to prove they stay text. */
export const HOSTILE_PROMPT =
  'Summarise this page for the customer:\n<script>window.__xss = 1; alert(1)</script>\n' +
  '</script><img src=x onerror="window.__xss = 2">\n\u001b[31mred ANSI text\u001b[0m and a tab:\tend';

const STACK = `TimeoutError: tool did not answer within 30 s
    at withTimeout (agent/tools.ts:41:11)
    at async runTool (agent/loop.ts:88:20)
    at async Agent.step (agent/loop.ts:52:7)`;

function conversation(row: RowData): { input: StepIO; output: StepIO } {
  const call = { id: `call_${row.index}`, name: 'search_web', arguments: { query: 'refund policy for damaged items', top_k: 3, filters: { lang: 'en' } } };
  const input: Message[] = [
    { role: 'system', content: 'You are a careful support agent. Use tools before answering.' },
    { role: 'user', content: HOSTILE_PROMPT },
    { role: 'assistant', content: null, toolCalls: [call], finishReason: 'tool_calls' },
    { role: 'tool', content: '{"results": [{"title": "Refunds", "url": "https://example.com/refunds"}]}', toolCallId: call.id },
  ];
  const output: Message[] = [
    {
      role: 'assistant',
      content: 'Damaged items can be refunded within 30 days.\nI will open a ticket.',
      toolCalls: [{ id: `call_${row.index}_b`, name: 'send_email', arguments: { to: 'customer@example.com', subject: 'Your refund' } }],
      finishReason: 'stop',
    },
  ];
  return { input: { messages: input }, output: { messages: output } };
}

function io(row: RowData): { input: StepIO | null; output: StepIO | null } {
  switch (row.kind) {
    case 'llm':
      return conversation(row);
    case 'retrieval':
      return {
        input: { value: { query: 'refund policy', k: 3 } },
        output: {
          documents: [1, 2, 3].map((k) => ({
            id: `doc-${k}`,
            content: `Refund policy section ${k}.\n<b>not bold</b>`,
            score: 0.9 - k / 10,
            metadata: { source: `policies/${k}.md` },
          })),
        },
      };
    case 'tool':
      return {
        input: { value: { query: 'refund policy', top_k: 3 } },
        output: row.error ? null : { value: { results: [{ title: 'Refunds', snippet: '</script><script>window.__xss=3</script>' }] } },
      };
    default:
      return { input: { value: { task: row.name } }, output: { value: 'done' } };
  }
}

/** The Step the host would send for `row`. */
export function stepOf(row: RowData): Step {
  const { input, output } = io(row);
  const failed = row.failedScores.length > 0;
  return {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: row.spanId,
    parentSpanId: row.parent >= 0 ? row.parent.toString(16).padStart(16, '0') : null,
    name: row.name,
    kind: row.kind,
    convention: 'gen_ai',
    model: row.model,
    provider: row.model ? 'openai' : null,
    input,
    output,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    costUsd: row.costUsd,
    startTime: new Date(Date.parse('2025-06-01T10:00:00.000Z') + row.offsetMs).toISOString(),
    durationMs: row.durationMs,
    status: row.status,
    error: row.error,
    code: row.hasCode ? { file: 'agent/loop.ts', line: 40 + (row.index % 60), function: 'Agent.step' } : null,
    scores: failed
      ? [
          {
            name: 'faithfulness',
            value: 0.42,
            label: 'low',
            passed: false,
            source: 'evaluator',
            explanation: 'The answer cites a policy that the retrieved documents do not contain.',
          },
          { name: 'toxicity', value: 0.01, label: null, passed: true, source: 'evaluator', explanation: null },
        ]
      : [],
    sessionId: 'session-42',
    toolName: row.kind === 'tool' ? row.name.replace(/^tool /, '') : null,
    toolCallId: null,
    agentName: row.kind === 'agent' ? row.name.replace(/^agent /, '') : null,
    finishReason: row.kind === 'llm' ? 'stop' : null,
    rollupTokens: null,
    depth: row.depth,
    attributes: {
      'gen_ai.operation.name': row.kind === 'llm' ? 'chat' : row.kind,
      'gen_ai.request.model': row.model,
      'gen_ai.request.temperature': 0.2,
      ...(row.kind === 'llm' ? { 'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: HOSTILE_PROMPT }] }]) } : {}),
      'http.request.header': { 'content-type': ['application/json'], 'x-request-id': [`req-${row.index}`] },
      'app.note': '<b>this is not bold</b> & stays text',
      'app.tags': ['support', 'refund'],
    },
    events: [
      ...(row.error
        ? [
            {
              name: 'exception',
              time: '2025-06-01T10:00:01.000Z',
              source: 'span' as const,
              attributes: { 'exception.type': 'TimeoutError', 'exception.message': row.error, 'exception.stacktrace': STACK },
            },
          ]
        : []),
      ...(row.kind === 'llm'
        ? [
            {
              name: 'gen_ai.choice',
              time: '2025-06-01T10:00:02.000Z',
              source: 'log' as const,
              attributes: { 'gen_ai.system': 'openai' },
              body: { index: 0, finish_reason: 'stop', message: { role: 'assistant' } },
            },
          ]
        : []),
    ],
  };
}
