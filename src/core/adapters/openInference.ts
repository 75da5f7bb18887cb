/** Arize OpenInference conventions, recognised by `openinference.span.kind`. */
import type { Document, Message, Step, StepIO, StepKind } from '../model/step';
import type { Adapter, Attrs } from './types';
import { oiDocuments, oiMessages } from './openInferenceMessages';
import { firstNum, firstStr, parseJson, present, resultError, str, text } from './parse';

const KINDS: Record<string, StepKind> = {
  LLM: 'llm',
  TOOL: 'tool',
  CHAIN: 'chain',
  RETRIEVER: 'retrieval',
  RERANKER: 'retrieval',
  EMBEDDING: 'embedding',
  AGENT: 'agent',
  GUARDRAIL: 'guardrail',
  EVALUATOR: 'evaluator',
};

/** `input.value`/`output.value`, parsed unless its mime type says plain text; undefined when absent. */
function ioValue(a: Attrs, which: 'input' | 'output'): unknown {
  const v = a[`${which}.value`];
  if (!present(v)) return undefined;
  const mime = str(a[`${which}.mime_type`]);
  return mime === null || mime.includes('json') ? parseJson(v) : v;
}

/** A StepIO from what is there: messages win over the raw value (the raw request stays in attributes). */
function io(messages: Message[], value: unknown, documents: Document[] = []): StepIO | null {
  if (messages.length) return { messages };
  const out: StepIO = {};
  if (value !== undefined) out.value = value;
  if (documents.length) out.documents = documents;
  return out.value !== undefined || out.documents ? out : null;
}

function fillTool(a: Attrs, step: Step): void {
  step.toolName = firstStr(a, 'tool.name', 'tool_call.function.name');
  step.toolCallId = firstStr(a, 'tool_call.id');
  const args = ioValue(a, 'input') ?? (present(a['tool_call.function.arguments']) ? parseJson(a['tool_call.function.arguments']) : undefined);
  step.input = io([], args);
  step.output = io([], ioValue(a, 'output'));
  if (step.status === 'error' && !step.error) step.error = resultError(step.output?.value);
}

function embeddingInput(a: Attrs): unknown {
  const texts = Object.keys(a)
    .filter((k) => /^embedding\.embeddings\.\d+\.embedding\.text$/.test(k))
    .sort((x, y) => Number(x.split('.')[2]) - Number(y.split('.')[2]))
    .map((k) => text(a[k]));
  return ioValue(a, 'input') ?? (texts.length ? texts : undefined);
}

function fillIO(a: Attrs, step: Step): void {
  if (step.kind === 'tool') return fillTool(a, step);
  const reranker = present(a['reranker.query']) || present(a['reranker.model_name']);
  const inDocs = reranker ? oiDocuments(a, 'reranker.input_documents') : [];
  const outDocs = oiDocuments(a, reranker ? 'reranker.output_documents' : 'retrieval.documents');
  const inValue = step.kind === 'embedding' ? embeddingInput(a) : (ioValue(a, 'input') ?? a['reranker.query']);
  step.input = io(oiMessages(a, 'llm.input_messages', 'user'), inValue, inDocs);
  step.output = io(oiMessages(a, 'llm.output_messages', 'assistant'), ioValue(a, 'output'), outDocs);
}

/** The OpenInference adapter. */
export const openInference: Adapter = {
  convention: 'openinference',
  matches: ({ attrs }) => present(attrs['openinference.span.kind']),
  apply({ attrs: a }, step) {
    step.kind = KINDS[String(a['openinference.span.kind']).toUpperCase()] ?? 'other';
    step.model = firstStr(a, 'llm.model_name', 'embedding.model_name', 'reranker.model_name');
    step.provider = firstStr(a, 'llm.provider', 'llm.system');
    step.inputTokens = firstNum(a, 'llm.token_count.prompt');
    step.outputTokens = firstNum(a, 'llm.token_count.completion');
    step.sessionId = firstStr(a, 'session.id');
    step.agentName = firstStr(a, 'agent.name');
    fillIO(a, step);
    step.finishReason = firstStr(a, 'llm.finish_reason') ?? step.output?.messages?.find((m) => m.finishReason)?.finishReason ?? null;
    if (step.status === 'error' && !step.error) step.error = firstStr(a, 'exception.message');
  },
};
