import assert from 'node:assert/strict';
import { toStep } from '../model/normalize';
import { span, spanEvent } from '../../../test/support/testSpans';

/** What @arizeai/openinference-instrumentation-openai sets on a chat completion that calls a tool. */
const openAiLlm = {
  'openinference.span.kind': 'LLM',
  'llm.provider': 'openai',
  'llm.system': 'openai',
  'llm.model_name': 'gpt-4o-2024-08-06',
  'llm.invocation_parameters': '{"model":"gpt-4o","temperature":0}',
  'input.value': '{"model":"gpt-4o","messages":[{"role":"user","content":"Weather in Oslo?"}]}',
  'input.mime_type': 'application/json',
  'llm.input_messages.0.message.role': 'system',
  'llm.input_messages.0.message.content': 'You are helpful.',
  'llm.input_messages.1.message.role': 'user',
  'llm.input_messages.1.message.content': 'Weather in Oslo?',
  'llm.output_messages.0.message.role': 'assistant',
  'llm.output_messages.0.message.tool_calls.0.tool_call.id': 'call_abc',
  'llm.output_messages.0.message.tool_calls.0.tool_call.function.name': 'get_weather',
  'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': '{"city":"Oslo"}',
  'output.value': '{"id":"chatcmpl-1","choices":[]}',
  'output.mime_type': 'application/json',
  'llm.token_count.prompt': 120,
  'llm.token_count.completion': 18,
  'llm.token_count.total': 138,
};

describe('openinference adapter', () => {
  it('reads an OpenAI chat span: messages, tool calls, model, usage and cost', () => {
    const s = toStep({ span: span(openAiLlm, { name: 'ChatCompletion' }) });
    assert.equal(s.convention, 'openinference');
    assert.equal(s.kind, 'llm');
    assert.equal(s.model, 'gpt-4o-2024-08-06');
    assert.equal(s.provider, 'openai');
    assert.deepEqual(s.input, {
      messages: [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: 'Weather in Oslo?' },
      ],
    });
    assert.deepEqual(s.output?.messages?.[0]?.toolCalls, [{ id: 'call_abc', name: 'get_weather', arguments: { city: 'Oslo' } }]);
    assert.equal(s.inputTokens, 120);
    assert.equal(s.outputTokens, 18);
    assert.ok(Math.abs((s.costUsd ?? 0) - (120 * 2.5 + 18 * 10) / 1e6) < 1e-12);
  });

  it('reads content parts, tool messages and message names', () => {
    const s = toStep({
      span: span({
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'claude-3-5-sonnet-20241022',
        'llm.input_messages.0.message.role': 'user',
        'llm.input_messages.0.message.contents.0.message_content.type': 'text',
        'llm.input_messages.0.message.contents.0.message_content.text': 'What is in this image?',
        'llm.input_messages.0.message.contents.1.message_content.type': 'image',
        'llm.input_messages.0.message.contents.1.message_content.image.image.url': 'https://x/cat.png',
        'llm.input_messages.1.message.role': 'tool',
        'llm.input_messages.1.message.tool_call_id': 'toolu_1',
        'llm.input_messages.1.message.name': 'vision',
        'llm.input_messages.1.message.content': 'a cat',
      }),
    });
    const [user, toolMsg] = s.input?.messages ?? [];
    assert.equal(user?.content, 'What is in this image?');
    assert.deepEqual(user?.parts, [{ type: 'image', 'image.image.url': 'https://x/cat.png' }]);
    assert.deepEqual(toolMsg, { role: 'tool', content: 'a cat', toolCallId: 'toolu_1', name: 'vision' });
  });

  it('makes TOOL spans tool steps with parsed JSON input and plain-text output', () => {
    const s = toStep({
      span: span({
        'openinference.span.kind': 'TOOL',
        'tool.name': 'get_weather',
        'tool.description': 'Weather for a city',
        'tool.parameters': '{"type":"object","properties":{"city":{"type":"string"}}}',
        'tool_call.id': 'call_abc',
        'input.value': '{"city":"Oslo"}',
        'input.mime_type': 'application/json',
        'output.value': '{"not":"parsed"}',
        'output.mime_type': 'text/plain',
      }),
    });
    assert.equal(s.kind, 'tool');
    assert.equal(s.toolName, 'get_weather');
    assert.equal(s.toolCallId, 'call_abc');
    assert.deepEqual(s.input, { value: { city: 'Oslo' } });
    assert.deepEqual(s.output, { value: '{"not":"parsed"}' });
  });

  it('makes RETRIEVER spans retrieval steps with documents', () => {
    const s = toStep({
      span: span({
        'openinference.span.kind': 'RETRIEVER',
        'input.value': 'refund policy',
        'retrieval.documents.0.document.id': 'doc-7',
        'retrieval.documents.0.document.content': 'Refunds within 30 days.',
        'retrieval.documents.0.document.score': 0.91,
        'retrieval.documents.0.document.metadata': '{"source":"faq.md"}',
        'retrieval.documents.1.document.content': 'Shipping takes 3 days.',
      }),
    });
    assert.equal(s.kind, 'retrieval');
    assert.deepEqual(s.input, { value: 'refund policy' });
    assert.deepEqual(s.output?.documents, [
      { id: 'doc-7', content: 'Refunds within 30 days.', score: 0.91, metadata: { source: 'faq.md' } },
      { id: null, content: 'Shipping takes 3 days.', score: null },
    ]);
  });

  it('reads reranker documents and embedding texts', () => {
    const r = toStep({
      span: span({
        'openinference.span.kind': 'RERANKER',
        'reranker.model_name': 'rerank-english-v3.0',
        'reranker.query': 'refunds',
        'reranker.input_documents.0.document.content': 'B',
        'reranker.input_documents.1.document.content': 'A',
        'reranker.output_documents.0.document.content': 'A',
        'reranker.output_documents.0.document.score': 0.8,
      }),
    });
    assert.equal(r.kind, 'retrieval');
    assert.equal(r.model, 'rerank-english-v3.0');
    assert.deepEqual(r.input?.value, 'refunds');
    assert.equal(r.input?.documents?.length, 2);
    assert.deepEqual(r.output?.documents, [{ id: null, content: 'A', score: 0.8 }]);
    const e = toStep({
      span: span({
        'openinference.span.kind': 'EMBEDDING',
        'embedding.model_name': 'text-embedding-3-small',
        'embedding.embeddings.1.embedding.text': 'second',
        'embedding.embeddings.0.embedding.text': 'first',
      }),
    });
    assert.equal(e.kind, 'embedding');
    assert.equal(e.model, 'text-embedding-3-small');
    assert.deepEqual(e.input?.value, ['first', 'second']);
  });

  it('reads LangChain chain and agent spans with session and agent names', () => {
    const chain = toStep({
      span: span({
        'openinference.span.kind': 'CHAIN',
        'input.value': '{"question":"hi"}',
        'input.mime_type': 'application/json',
        'output.value': 'hello',
        'session.id': 'sess-42',
      }),
    });
    assert.equal(chain.kind, 'chain');
    assert.deepEqual(chain.input, { value: { question: 'hi' } });
    assert.deepEqual(chain.output, { value: 'hello' });
    assert.equal(chain.sessionId, 'sess-42');
    const agent = toStep({ span: span({ 'openinference.span.kind': 'AGENT', 'agent.name': 'planner' }) });
    assert.equal(agent.kind, 'agent');
    assert.equal(agent.agentName, 'planner');
  });

  it('maps guardrail, evaluator and unknown kinds', () => {
    const kind = (k: string): string => toStep({ span: span({ 'openinference.span.kind': k }) }).kind;
    assert.equal(kind('GUARDRAIL'), 'guardrail');
    assert.equal(kind('EVALUATOR'), 'evaluator');
    assert.equal(kind('UNKNOWN'), 'other');
  });

  it('reports the exception of a failed span', () => {
    const s = toStep({
      span: span(
        { 'openinference.span.kind': 'TOOL', 'tool.name': 'div' },
        {
          status: { code: 2 },
          events: [spanEvent('exception', { 'exception.type': 'ZeroDivisionError', 'exception.message': 'division by zero' })],
        },
      ),
    });
    assert.equal(s.status, 'error');
    assert.equal(s.error, 'ZeroDivisionError: division by zero');
  });
});
