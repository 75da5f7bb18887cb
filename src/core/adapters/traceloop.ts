/**
 * OpenLLMetry (Traceloop SDK) conventions: `traceloop.span.kind` workflows/tasks/agents/tools with
 * `traceloop.entity.*` payloads, and LLM spans marked by `llm.request.type`. Model calls carry their
 * messages and usage as gen_ai.*; those are filled afterwards by the GenAI adapters.
 */
import type { StepKind } from '../model/step';
import type { Adapter } from './types';
import { asRecord, firstStr, hasPrefix, parseJson, present, resultError, str } from './parse';

const SPAN_KINDS: Record<string, StepKind> = { workflow: 'chain', task: 'chain', agent: 'agent', tool: 'tool' };
const REQUEST_KINDS: Record<string, StepKind> = {
  chat: 'llm',
  completion: 'llm',
  embedding: 'embedding',
  rerank: 'retrieval',
};

/**
 * An entity payload: `{"args":[...],"kwargs":{...}}` is reduced to its kwargs when there are no
 * positional args, or to its single positional arg when there are no kwargs; other values as parsed.
 */
export function entityValue(v: unknown): unknown {
  const p = parseJson(v);
  const r = asRecord(p);
  if (!r || !('args' in r) || Object.keys(r).some((k) => k !== 'args' && k !== 'kwargs')) return p;
  const args = Array.isArray(r.args) ? r.args : [];
  const kwargs = asRecord(r.kwargs) ?? {};
  const nKwargs = Object.keys(kwargs).length;
  if (args.length === 0 && nKwargs > 0) return kwargs;
  if (args.length === 1 && nKwargs === 0) return args[0];
  return p;
}

/** The Traceloop/OpenLLMetry adapter. */
export const traceloop: Adapter = {
  convention: 'traceloop',
  matches: ({ attrs }) => present(attrs['traceloop.span.kind']) || present(attrs['llm.request.type']) || hasPrefix(attrs, 'traceloop.entity.'),
  apply({ attrs: a }, step) {
    const spanKind = str(a['traceloop.span.kind']);
    const requestType = str(a['llm.request.type']);
    step.kind = (spanKind && SPAN_KINDS[spanKind]) || (requestType && REQUEST_KINDS[requestType]) || 'other';
    step.sessionId = firstStr(
      a,
      'traceloop.association.properties.session_id',
      'traceloop.association.properties.sessionId',
      'traceloop.association.properties.session',
    );
    const name = firstStr(a, 'traceloop.entity.name');
    if (step.kind === 'tool') step.toolName = name;
    if (step.kind === 'agent') step.agentName = name;
    if (present(a['traceloop.entity.input'])) step.input = { value: entityValue(a['traceloop.entity.input']) };
    if (present(a['traceloop.entity.output'])) step.output = { value: entityValue(a['traceloop.entity.output']) };
    if (step.kind === 'tool' && step.status === 'error' && !step.error) {
      step.error = resultError(a['traceloop.entity.output']);
    }
  },
};
