/**
 * The code of the worker that runs custom evaluators, as a CommonJS script for
 * `new Worker(source, {eval: true})`: no separate file to bundle or locate, same under tsx and esbuild.
 * Protocol (every request has an id; every reply is `{id, ok, value | error}`):
 *   {type:'load', files}            → value: [{index, file, name, version}], plus errors [{file, message}]
 *   {type:'run', traceId, steps}    → the run later calls refer to (replied with value null)
 *   {type:'batch', evaluator, from, to} → one `{id, item, ok, value | error}` per step as it is done
 *                                    (value: what evaluate(step, run) returned, JSON round-tripped), then the final reply
 */
export const WORKER_SOURCE = String.raw`
const { parentPort } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const path = require('node:path');
const evaluators = [];
let run = { traceId: null, steps: [] };

function message(e) {
  if (!e || typeof e.message !== 'string') return String(e);
  const lines = String(e.stack || '').split('\n').map((l) => l.trim());
  const where = lines.find((l) => /\.[cm]?js:\d+/.test(l) && !l.includes('[worker eval]'));
  return (e.name || 'Error') + ': ' + e.message + (where ? ' (' + where.replace(/^at\s+/, '') + ')' : '');
}

function reply(id, ok, payload, extra) {
  parentPort.postMessage(Object.assign({ id, ok }, ok ? { value: payload } : { error: payload }, extra || {}));
}

async function load(files) {
  const loaded = [];
  const errors = [];
  for (const file of files) {
    try {
      const mod = await import(pathToFileURL(file).href);
      let ev = mod.default != null ? mod.default : mod;
      if (ev && typeof ev.evaluate !== 'function' && ev.default) ev = ev.default;
      if (!ev || typeof ev.evaluate !== 'function') throw new Error('exports no evaluate(step, run) function; export default {name, version, evaluate}');
      const name = typeof ev.name === 'string' && ev.name ? ev.name : path.basename(file).replace(/\.[cm]?js$/, '');
      loaded.push({ index: evaluators.length, file, name, version: ev.version == null ? '0' : String(ev.version) });
      evaluators.push(ev);
    } catch (e) {
      errors.push({ file, message: message(e) });
    }
  }
  return { loaded, errors };
}

async function call(evaluator, index) {
  const ev = evaluators[evaluator];
  const step = run.steps[index];
  if (typeof ev.appliesTo === 'function' && !(await ev.appliesTo(step, run))) return null;
  const out = await ev.evaluate(step, run);
  return out === undefined ? null : JSON.parse(JSON.stringify(out));
}

parentPort.on('message', async (msg) => {
  try {
    if (msg.type === 'load') {
      const r = await load(msg.files);
      reply(msg.id, true, r.loaded, { errors: r.errors });
    } else if (msg.type === 'run') {
      run = { traceId: msg.traceId, steps: msg.steps };
      reply(msg.id, true, null);
    } else if (msg.type === 'batch') {
      for (let i = msg.from; i < msg.to; i++) {
        try {
          reply(msg.id, true, await call(msg.evaluator, i), { item: i });
        } catch (e) {
          reply(msg.id, false, message(e), { item: i });
        }
      }
      reply(msg.id, true, null);
    }
  } catch (e) {
    reply(msg.id, false, message(e));
  }
});
`;
