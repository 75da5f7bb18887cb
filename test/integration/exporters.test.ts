/**
 * The official OpenTelemetry JS exporters (OTLP/HTTP protobuf and JSON, OTLP/gRPC, plain and gzip, traces and logs)
 * against a real `tracefork serve` process, read back through `show --json`, `list --json` and `export`.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sendEvaluationLog, sendWithOfficialExporter, type SentTrace } from '../clients/exporters';
import type { Step } from '../../src/core/model/step';
import { cliOk, exportText, grpcEndpoint, listJson, ROOT, showJson, eventually, serveForSuite } from '../support/cli';

type KV = { key: string; value: unknown };
type OtlpSpan = {
  spanId: string;
  parentSpanId?: string;
  kind: number;
  attributes?: KV[];
  events?: Array<{ name: string; attributes?: KV[] }>;
  links?: Array<{ traceId: string; spanId: string; attributes?: KV[] }>;
  status?: { code?: number; message?: string };
};
type OtlpDoc = {
  resourceSpans: Array<{ resource: { attributes: KV[] }; scopeSpans: Array<{ scope: { name: string; version?: string }; spans: OtlpSpan[] }> }>;
  resourceLogs?: Array<{
    resource: { attributes: KV[] };
    scopeLogs: Array<{ scope: { name: string }; logRecords: Array<{ traceId: string; spanId: string; eventName?: string; attributes: KV[]; body?: unknown }> }>;
  }>;
};

/** Attributes as key → OTLP AnyValue, so the value's type tag is compared too. */
const attrMap = (kvs: KV[] | undefined) => Object.fromEntries((kvs ?? []).map((kv) => [kv.key, kv.value]));
const BASELINE_SCORES = new Set(['latency', 'cost', 'run-latency', 'run-cost']);
const ONE_SECOND = 1000; // what serve acknowledged is readable by list/show within this

describe('official OpenTelemetry exporters → tracefork serve', function () {
  this.timeout(60_000);
  const suite = serveForSuite('tracefork-exporters-', { grpc: true });
  const endpointFor = (protocol: string) => (protocol === 'grpc' ? grpcEndpoint(suite.serve) : suite.serve.url);

  for (const [protocol, compression] of [
    ['proto', 'none'],
    ['proto', 'gzip'],
    ['json', 'none'],
    ['json', 'gzip'],
    ['grpc', 'none'],
    ['grpc', 'gzip'],
  ] as const) {
    describe(`${protocol} ${compression === 'gzip' ? 'gzip' : 'uncompressed'}`, () => {
      const serviceName = `exporter-${protocol}-${compression}`;
      let sent: SentTrace;
      let steps: Step[];
      let doc: OtlpDoc;
      const spanOf = (id: string) => doc.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)).find((s) => s.spanId === id)!;

      before(async () => {
        sent = await sendWithOfficialExporter({ endpoint: endpointFor(protocol), protocol, compression, serviceName });
        assert.deepEqual(sent.exportErrors, []);
        const shown = await eventually(() => {
          const s = showJson(suite.db, sent.traceId);
          assert.equal(s.steps.length, 3);
          return s;
        }, ONE_SECOND);
        assert.equal(shown.traceId, sent.traceId);
        steps = shown.steps;
        doc = JSON.parse(exportText(suite.db, sent.traceId)) as OtlpDoc;
      });

      it('keeps trace and span ids, parents and depths in tree pre-order', () => {
        assert.deepEqual(
          steps.map((s) => [s.spanId, s.parentSpanId, s.depth, s.traceId]),
          [
            [sent.rootSpanId, null, 0, sent.traceId],
            [sent.llmSpanId, sent.rootSpanId, 1, sent.traceId],
            [sent.toolSpanId, sent.rootSpanId, 1, sent.traceId],
          ],
        );
        assert.deepEqual(
          steps.map((s) => s.kind),
          ['agent', 'llm', 'tool'],
        );
        assert.deepEqual([spanOf(sent.rootSpanId).kind, spanOf(sent.llmSpanId).kind, spanOf(sent.toolSpanId).kind], [2, 3, 1]);
      });

      it('preserves typed attributes exactly in export', () => {
        const a = attrMap(spanOf(sent.llmSpanId).attributes);
        assert.deepEqual(a['gen_ai.operation.name'], { stringValue: 'chat' });
        assert.deepEqual(a['gen_ai.usage.input_tokens'], { intValue: '42' });
        assert.deepEqual(a['gen_ai.request.temperature'], { doubleValue: 0.25 });
        assert.deepEqual(a['gen_ai.request.stream'], { boolValue: false });
        assert.deepEqual(a['gen_ai.response.finish_reasons'], { arrayValue: { values: [{ stringValue: 'tool_calls' }, { stringValue: 'stop' }] } });
        assert.deepEqual(a['test.int_array'], { arrayValue: { values: [{ intValue: '1' }, { intValue: '2' }, { intValue: '3' }] } });
        assert.deepEqual(a['test.bool_array'], { arrayValue: { values: [{ boolValue: true }, { boolValue: false }] } });
        const llm = steps[1];
        assert.equal(llm.model, 'mock-model');
        assert.deepEqual([llm.inputTokens, llm.outputTokens], [42, 7]);
        assert.equal(llm.attributes['gen_ai.request.temperature'], 0.25);
      });

      it('keeps the span event and its attributes', () => {
        const [event] = steps[1].events;
        assert.equal(steps[1].events.length, 1);
        assert.equal(event.name, 'gen_ai.content.prompt');
        assert.equal(event.source, 'span');
        assert.deepEqual(event.attributes, { 'gen_ai.prompt': 'What is the weather in Paris?', 'gen_ai.message.index': 0, 'test.score': 0.5 });
        const exported = spanOf(sent.llmSpanId).events!;
        assert.deepEqual(
          exported.map((e) => e.name),
          ['gen_ai.content.prompt'],
        );
        assert.deepEqual(attrMap(exported[0].attributes), {
          'gen_ai.prompt': { stringValue: 'What is the weather in Paris?' },
          'gen_ai.message.index': { intValue: '0' },
          'test.score': { doubleValue: 0.5 },
        });
      });

      it('keeps the link to the other trace with its attributes', () => {
        const links = spanOf(sent.rootSpanId).links ?? [];
        assert.equal(links.length, 1);
        assert.equal(links[0].traceId, sent.linkedTraceId);
        assert.equal(links[0].spanId, sent.linkedSpanId);
        assert.deepEqual(attrMap(links[0].attributes), { 'link.reason': { stringValue: 'triggered-by' } });
        const upstream = showJson(suite.db, sent.linkedTraceId).steps;
        assert.deepEqual(
          upstream.map((s) => [s.spanId, s.name]),
          [[sent.linkedSpanId, 'upstream.enqueue']],
        );
      });

      it('marks the tool step as an error with its message', () => {
        const tool = steps[2];
        assert.equal(tool.status, 'error');
        assert.equal(tool.error, 'weather service unavailable');
        assert.equal(tool.toolName, 'get_weather');
        assert.ok(tool.events.some((e) => e.name === 'exception' && e.attributes['exception.message'] === 'weather service unavailable'));
        assert.deepEqual(spanOf(sent.toolSpanId).status, { code: 2, message: 'weather service unavailable' });
        const row = listJson(suite.db).find((t) => t.traceId === sent.traceId);
        assert.deepEqual(row && [row.name, row.spanCount, row.status, row.errorCount], ['invoke_agent weather-agent', 3, 'error', 1]);
      });

      it('keeps the resource and the instrumentation scope', () => {
        assert.equal(doc.resourceSpans.length, 1);
        const [rs] = doc.resourceSpans;
        assert.deepEqual(attrMap(rs.resource.attributes)['service.name'], { stringValue: serviceName });
        assert.deepEqual(
          rs.scopeSpans.map((s) => [s.scope.name, s.scope.version]),
          [['tracefork-test-client', '1.0.0']],
        );
        assert.equal(rs.scopeSpans[0].spans.length, 3);
      });
    });
  }

  for (const [protocol, compression] of [
    ['proto', 'gzip'],
    ['grpc', 'none'],
    ['grpc', 'gzip'],
  ] as const)
    describe(`logs exporter (${protocol}, ${compression})`, () => {
      it('attaches the evaluation log record to its span and exports it under resourceLogs', async () => {
        const sent = await sendEvaluationLog({ endpoint: endpointFor(protocol), protocol, compression, score: 0.75 });
        assert.deepEqual([sent.exportErrors, sent.exportedLogs, sent.exportedSpans], [[], 1, 1]);
        const step = await eventually(() => {
          const s = showJson(suite.db, sent.traceId).steps.find((x) => x.spanId === sent.spanId);
          assert.ok(
            s?.events.some((e) => e.source === 'log'),
            'no log event on the span yet',
          );
          return s!;
        }, ONE_SECOND);
        const ev = step.events.find((e) => e.name === 'gen_ai.evaluation.result');
        assert.ok(ev, `events: ${JSON.stringify(step.events)}`);
        assert.equal(ev.source, 'log');
        assert.equal(ev.body, 'relevance evaluation');
        assert.deepEqual(ev.attributes, {
          'gen_ai.evaluation.name': 'relevance',
          'gen_ai.evaluation.score.value': 0.75,
          'gen_ai.evaluation.score.label': 'relevant',
          'gen_ai.evaluation.explanation': 'The answer addresses the question.',
        });
        const doc = JSON.parse(exportText(suite.db, sent.traceId)) as OtlpDoc;
        const records = (doc.resourceLogs ?? []).flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords));
        assert.equal(records.length, 1);
        assert.deepEqual([records[0].traceId, records[0].spanId, records[0].eventName], [sent.traceId, sent.spanId, 'gen_ai.evaluation.result']);
        assert.deepEqual(attrMap(records[0].attributes)['gen_ai.evaluation.score.value'], { doubleValue: 0.75 });
        assert.deepEqual(records[0].body, { stringValue: 'relevance evaluation' });
      });
    });

  describe('load over gRPC', () => {
    /** One exporter process: `tsx exporters.ts grpc gzip N`; resolves with what it printed. */
    const exporterProcess = (extra: number) =>
      new Promise<SentTrace>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/clients/exporters.ts'), 'grpc', 'gzip', String(extra)], {
          env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: grpcEndpoint(suite.serve) },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '',
          err = '';
        child.stdout.on('data', (b: Buffer) => (out += b));
        child.stderr.on('data', (b: Buffer) => (err += b));
        child.on('exit', (code) =>
          code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as SentTrace) : reject(new Error(`exporter exited ${code}: ${err}`)),
        );
      });

    it('four real gRPC exporter processes at once: every span they created is stored, 0 lost', async () => {
      const runs = await Promise.all([1500, 1500, 1500, 1500].map(exporterProcess));
      for (const r of runs) assert.deepEqual(r.exportErrors, []);
      const created = runs.reduce((n, r) => n + r.spanCount, 0);
      const stored = await eventually(() => {
        const rows = listJson(suite.db);
        const n = runs.reduce(
          (sum, r) => sum + (rows.find((t) => t.traceId === r.traceId)?.spanCount ?? 0) + (rows.find((t) => t.traceId === r.linkedTraceId)?.spanCount ?? 0),
          0,
        );
        assert.equal(n, created);
        return n;
      }, 5000);
      assert.equal(stored, 4 * (1500 + 4));
    });
  });

  describe('export → import round trip', () => {
    it('gives byte-identical OTLP/JSON and the same steps from a fresh database', async () => {
      const trace = await sendWithOfficialExporter({ endpoint: suite.serve.url, protocol: 'proto', serviceName: 'round-trip' });
      const log = await sendEvaluationLog({ endpoint: suite.serve.url, serviceName: 'round-trip' });
      const fresh = path.join(path.dirname(suite.db), 'imported.db');
      for (const traceId of [trace.traceId, log.traceId]) {
        const first = await eventually(() => {
          const text = exportText(suite.db, traceId);
          if (traceId === log.traceId) assert.match(text, /"resourceLogs"/);
          return text;
        }, ONE_SECOND);
        const file = path.join(path.dirname(suite.db), `${traceId}.json`);
        fs.writeFileSync(file, first);
        cliOk(['import', file, '--db', fresh]);
        assert.equal(exportText(fresh, traceId), first);
        // Latency and cost are judged against the earlier runs of each database, which differ (the fresh one has none).
        const steps = (db: string) => showJson(db, traceId).steps.map((st) => ({ ...st, scores: st.scores.filter((x) => !BASELINE_SCORES.has(x.name)) }));
        assert.deepEqual(steps(fresh), steps(suite.db));
      }
    });
  });
});
