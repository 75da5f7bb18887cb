/** `pull`: one trace from the team's backend (Jaeger, Tempo, Phoenix, any OTLP/JSON URL) into the local store. */
import { BACKENDS, pullTrace, PullError, type Backend } from '../core/otlp/pull';
import { parseHeaderSpecs } from '../core/receiver/forward';
import { TraceStore } from '../core/store/store';
import { importOtlpText } from '../core/otlp/file';
import { defaultDb, parse, UsageError } from './args';
import { CliError } from './commands';

/** `pull --from jaeger|tempo|phoenix|otlp URL TRACE_ID [--db FILE] [--header K=V]... [--project P] [--json]`. */
export async function pullCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { db: { type: 'string' }, from: { type: 'string' }, header: { type: 'string', multiple: true }, project: { type: 'string' }, json: { type: 'boolean' } },
    { min: 2, max: 2, name: 'URL TRACE_ID' },
  );
  const from = values.from as Backend | undefined;
  if (!from || !BACKENDS.includes(from)) throw new UsageError(`pull needs --from ${BACKENDS.join('|')}${from ? `, got "${from}"` : ''}`);
  let headers: Record<string, string>;
  try {
    headers = parseHeaderSpecs(values.header ?? []);
  } catch (e) {
    throw new UsageError(`--header: ${(e as Error).message}`);
  }
  const [url, traceId] = positionals as [string, string];
  let pulled;
  try {
    pulled = await pullTrace({ from, url, traceId, headers, project: values.project });
  } catch (e) {
    if (e instanceof PullError) throw new CliError(`pull: ${e.message}; nothing was stored`);
    throw e;
  }
  const db = values.db ?? defaultDb();
  const store = await TraceStore.open(db, { onWarning: (m) => process.stderr.write(`tracefork: warning: ${m}\n`) });
  try {
    importOtlpText(store, JSON.stringify(pulled.request));
  } finally {
    store.close();
  }
  const id = traceId.toLowerCase();
  if (values.json) process.stdout.write(JSON.stringify({ traceId: id, spans: pulled.spans, source: pulled.source, db }) + '\n');
  else process.stdout.write(`pulled trace ${id} (${pulled.spans} spans) from ${pulled.source} into ${db}\n`);
  return 0;
}
