import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { duplicateModelCalls, type CallLike } from './duplicates';
import { buildSteps } from './steps';
import { buildTraceView } from '../view/traceView';
import { tracesFromOtlpJson } from '../eval/otlpFile';

const llm = (model: string | null, input: number | null, output: number | null): CallLike => ({ kind: 'llm', model, inputTokens: input, outputTokens: output });
const chain: CallLike = { kind: 'chain', model: null, inputTokens: null, outputTokens: null };

describe('one model call, one step in the totals', () => {
  it('an llm step whose one nested model call repeats its model and usage is the duplicate', () => {
    // chain → llm (framework) → llm (client's span of the request)
    const items = [chain, llm('gpt-4o-mini', 90, 12), llm('gpt-4o-mini-2024-07-18', 90, 12)];
    assert.deepEqual([...duplicateModelCalls(items, (i) => i - 1)], [1]);
  });

  it('is not fooled: different usage, two nested calls, or no usage on the outer step', () => {
    assert.equal(duplicateModelCalls([llm('m', 90, 12), llm('m', 91, 12)], (i) => i - 1).size, 0, 'different usage is a different call');
    const two = [llm('m', 90, 12), llm('m', 90, 12), llm('m', 90, 12)];
    assert.equal(duplicateModelCalls(two, (i) => (i === 0 ? -1 : 0)).size, 0, 'an agent step over two calls is not one of them');
    assert.equal(duplicateModelCalls([llm('m', null, null), llm('m', 90, 12)], (i) => i - 1).size, 0, 'an outer step with no usage counts nothing anyway');
    assert.equal(duplicateModelCalls([llm('gpt-4o', 90, 12), llm('claude-haiku-4-5', 90, 12)], (i) => i - 1).size, 0, 'another model is another call');
  });

  it('buildSteps keeps the outer usage as rollupTokens and counts the call once', () => {
    const file = path.resolve(__dirname, '../../../test/fixtures/python-langgraph-openinference.otlp.json');
    const trace = tracesFromOtlpJson(fs.readFileSync(file, 'utf8'))[0]!;
    const steps = buildSteps(trace);
    const calls = steps.filter((s) => s.kind === 'llm' && s.attributes['tracefork.step.op'] === 'llm');
    assert.equal(calls.length, 2, 'the capture: two recorded model calls, each inside an OpenInference ChatOpenAI span');
    // The capture's ChatOpenAI spans carry no usage, so nothing is folded; give one the same usage
    // as its request, as OpenInference does when LangChain reports it.
    const outer = trace.spans.find((s) => s.span.spanId === calls[0]!.parentSpanId)!;
    outer.span.attributes!.push(
      { key: 'llm.token_count.prompt', value: { intValue: String(calls[0]!.inputTokens) } },
      { key: 'llm.token_count.completion', value: { intValue: String(calls[0]!.outputTokens) } },
    );
    const again = buildSteps(trace);
    const folded = again.find((s) => s.spanId === outer.span.spanId)!;
    assert.deepEqual(folded.rollupTokens, { input: calls[0]!.inputTokens, output: calls[0]!.outputTokens });
    assert.equal(folded.inputTokens, null);
    const total = again.reduce((n, s) => n + (s.inputTokens ?? 0), 0);
    assert.equal(total, calls[0]!.inputTokens! + calls[1]!.inputTokens!, 'each call counted once');
    assert.equal(buildTraceView(trace).header.inputTokens, total, "the trace panel's header counts it once too");
    assert.deepEqual(
      [...buildTraceView(trace).header.folded!].sort(),
      calls.map((c) => c.parentSpanId!).sort(),
      "the tree starts with each recorded request folded into OpenInference's ChatOpenAI span of it",
    );
  });
});
