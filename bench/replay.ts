/**
 * Replay overhead for a 50-step recorded run: the Vercel AI SDK (mock model with a simulated
 * 20 ms per call, a tool with 5 ms) running 25 model calls and 25 tool calls, recorded by the
 * Tracefork SDK. Measured in one process, median of several runs each:
 *  - recording: the run with the SDK's middleware and tool wrappers vs without them;
 *  - planning: the stored run → a replay plan (what the extension does before launching);
 *  - full replay: every call served from the recording (no live step, so all of it is overhead);
 *  - fork at the last call: the time beyond that one live call.
 * Agent process start-up is the same with or without a replay and is not counted.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { generateText, stepCountIs, tool, wrapLanguageModel } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';
import { traceforkMiddleware, traceforkTools, resetRuntime, Replayer } from '../sdk/src/index';
import { tracesFromOtlpJson } from '../src/core/eval/otlpFile';
import { buildPlan } from '../src/core/replay/plan';
import { recordedCalls } from '../src/core/replay/recorded';

type Result = Awaited<ReturnType<MockLanguageModelV3['doGenerate']>>;
const usage = { inputTokens: { total: 40, noCache: 40, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 8, text: 8, reasoning: 0 } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TOOL_CALLS = 25;
const MODEL_MS = 20,
  TOOL_MS = 5;

async function agent(withSdk: boolean): Promise<number> {
  let n = 0;
  const mock = new MockLanguageModelV3({
    doGenerate: async () => {
      await sleep(MODEL_MS);
      const i = n++;
      const r: Result =
        i < TOOL_CALLS
          ? {
              content: [{ type: 'tool-call', toolCallId: `c${i}`, toolName: 'lookup', input: JSON.stringify({ q: `item ${i}` }) }],
              finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
              usage,
              warnings: [],
            }
          : { content: [{ type: 'text', text: 'done' }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] };
      return r;
    },
  });
  const tools = { lookup: tool({ inputSchema: z.object({ q: z.string() }), execute: async ({ q }) => (await sleep(TOOL_MS), { q, found: q.length }) }) };
  const t = performance.now();
  await generateText({
    model: withSdk ? wrapLanguageModel({ model: mock, middleware: traceforkMiddleware() }) : mock,
    prompt: 'Look up 25 items.',
    tools: withSdk ? traceforkTools(tools) : tools,
    stopWhen: stepCountIs(TOOL_CALLS + 2),
    experimental_telemetry: { isEnabled: true },
  });
  return performance.now() - t;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Figures in ms. */
export async function benchReplay(rounds = 5) {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  const plain: number[] = [],
    recorded: number[] = [];
  for (let i = 0; i < rounds; i++) {
    resetRuntime();
    plain.push(await agent(false));
    resetRuntime();
    exporter.reset();
    recorded.push(await agent(true));
  }
  const text = new TextDecoder().decode(JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans())!);
  const [stored] = tracesFromOtlpJson(text);
  const calls = recordedCalls(stored!);
  const planMs: number[] = [],
    fullMs: number[] = [],
    forkMs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    let t = performance.now();
    const full = buildPlan(stored!, { forkSpanId: null });
    const fork = buildPlan(stored!, { forkSpanId: calls[calls.length - 1]!.spanId });
    planMs.push((performance.now() - t) / 2);
    resetRuntime(new Replayer(JSON.parse(JSON.stringify(full)), () => {}));
    fullMs.push(await agent(true));
    resetRuntime(new Replayer(JSON.parse(JSON.stringify(fork)), () => {}));
    t = await agent(true);
    forkMs.push(t - MODEL_MS); // one live model call
  }
  await provider.shutdown();
  const live = (TOOL_CALLS + 1) * MODEL_MS + TOOL_CALLS * TOOL_MS;
  return {
    steps: calls.length,
    liveRunMs: median(plain),
    simulatedLiveMs: live,
    recordingOverheadMs: median(recorded) - median(plain),
    planMs: median(planMs),
    fullReplayMs: median(fullMs),
    forkAtLastOverheadMs: median(forkMs),
  };
}

if (require.main === module) void benchReplay().then((r) => console.log(JSON.stringify(r, null, 2)));
