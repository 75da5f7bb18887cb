/** OpenTelemetry GenAI semantic conventions, current form (semconv 1.37+). */
import type { Step, StepKind } from '../model/step';
import type { Adapter, AdapterInput, Attrs } from './types';
import { semconvMessages, systemInstructions } from './genAiMessages';
import { asRecord, firstNum, firstStr, parseJson, present, str } from './parse';

const OPERATIONS: Record<string, StepKind> = {
  chat: 'llm',
  text_completion: 'llm',
  generate_content: 'llm',
  embeddings: 'embedding',
  execute_tool: 'tool',
  invoke_agent: 'agent',
  create_agent: 'agent',
  retrieval: 'retrieval',
};

const MARKERS = [
  'gen_ai.operation.name',
  'gen_ai.provider.name',
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.system_instructions',
  'gen_ai.tool.name',
  'gen_ai.tool.call.id',
  'gen_ai.agent.name',
  'gen_ai.conversation.id',
];

/** The event that may carry the messages instead of the span. */
export const DETAILS_EVENT = 'gen_ai.client.inference.operation.details';

/** The first finish reason from an array, JSON array text or plain string. */
export function firstFinishReason(v: unknown): string | null {
  const p = parseJson(v);
  return Array.isArray(p) ? str(p[0]) : str(p);
}

/** Fields the current and legacy GenAI forms share: model, provider, usage, finish reason, error type. */
export function fillGenAiCommon(a: Attrs, step: Step): void {
  step.model = firstStr(a, 'gen_ai.response.model', 'gen_ai.request.model');
  step.provider = firstStr(a, 'gen_ai.provider.name', 'gen_ai.system');
  step.inputTokens = firstNum(a, 'gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens');
  step.outputTokens = firstNum(a, 'gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens');
  step.finishReason = firstFinishReason(a['gen_ai.response.finish_reasons']);
  step.sessionId = firstStr(a, 'gen_ai.conversation.id');
  step.agentName = firstStr(a, 'gen_ai.agent.name');
  if (step.status === 'error' && !step.error) step.error = firstStr(a, 'error.type');
}

/** Span attributes, with the details event's attributes (or object body) filling what the span lacks. */
function contentAttrs(input: AdapterInput): Attrs {
  const ev = input.events.find((e) => e.name === DETAILS_EVENT);
  if (!ev) return input.attrs;
  return { ...(asRecord(ev.body) ?? {}), ...ev.attributes, ...input.attrs };
}

function fillMessages(a: Attrs, step: Step): void {
  const system = systemInstructions(a['gen_ai.system_instructions']);
  const inMsgs = semconvMessages(a['gen_ai.input.messages']);
  if (system) inMsgs.unshift(system);
  const outMsgs = semconvMessages(a['gen_ai.output.messages']);
  if (inMsgs.length) step.input = { messages: inMsgs };
  if (outMsgs.length) step.output = { messages: outMsgs };
  if (!step.finishReason) step.finishReason = outMsgs.find((m) => m.finishReason)?.finishReason ?? null;
}

function fillTool(a: Attrs, step: Step): void {
  step.toolName = firstStr(a, 'gen_ai.tool.name');
  step.toolCallId = firstStr(a, 'gen_ai.tool.call.id');
  const args = a['gen_ai.tool.call.arguments'];
  const result = a['gen_ai.tool.call.result'];
  if (present(args)) step.input = { value: parseJson(args) };
  if (present(result)) step.output = { value: parseJson(result) };
}

function kindOf(a: Attrs): StepKind {
  const op = firstStr(a, 'gen_ai.operation.name');
  if (op && OPERATIONS[op]) return OPERATIONS[op];
  if (present(a['gen_ai.tool.name']) && !present(a['gen_ai.input.messages'])) return 'tool';
  if (present(a['gen_ai.input.messages']) || present(a['gen_ai.output.messages'])) return 'llm';
  if (present(a['gen_ai.agent.name'])) return 'agent';
  return present(a['gen_ai.request.model']) ? 'llm' : 'other';
}

/** The current GenAI adapter. */
export const genAi: Adapter = {
  convention: 'gen_ai',
  matches: ({ attrs, events }) => MARKERS.some((k) => attrs[k] !== undefined) || events.some((e) => e.name === DETAILS_EVENT),
  apply(input, step) {
    const a = contentAttrs(input);
    fillGenAiCommon(a, step);
    step.kind = kindOf(a);
    if (step.kind === 'tool') fillTool(a, step);
    else fillMessages(a, step);
  },
};
