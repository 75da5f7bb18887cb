import assert from 'node:assert/strict';
import type { StepEvent } from './step';
import { codeLocation, usefulFrame } from './codeLocation';

const exceptionEvent = (stack: string): StepEvent => ({
  name: 'exception',
  time: '2025-01-01T00:00:00.000Z',
  attributes: { 'exception.type': 'Error', 'exception.stacktrace': stack },
  source: 'span',
});

describe('codeLocation', () => {
  it('reads the current code.* attributes', () => {
    const loc = codeLocation({ 'code.file.path': '/srv/app/agent.py', 'code.line.number': 12, 'code.function.name': 'agent.plan' }, []);
    assert.deepEqual(loc, { file: '/srv/app/agent.py', line: 12, function: 'agent.plan' });
  });

  it('reads the older code.filepath/lineno/function with code.namespace', () => {
    const loc = codeLocation({ 'code.filepath': 'file:///srv/app/tools.mjs', 'code.lineno': '7', 'code.function': 'lookup', 'code.namespace': 'Tools' }, []);
    assert.deepEqual(loc, { file: '/srv/app/tools.mjs', line: 7, function: 'Tools.lookup' });
  });

  it('takes the first V8 frame outside node_modules and node internals', () => {
    const stack = [
      'Error',
      '    at Span.end (/srv/app/node_modules/@opentelemetry/sdk-trace-base/build/src/Span.js:120:9)',
      '    at node:internal/process/task_queues:95:5',
      '    at internal/modules/cjs/loader.js:1:1',
      '    at async runAgent (file:///srv/app/src/agent%20v2.mjs:33:17)',
      '    at main (/srv/app/src/main.ts:5:3)',
    ].join('\n');
    assert.deepEqual(codeLocation({ 'code.stacktrace': stack }, []), {
      file: '/srv/app/src/agent v2.mjs',
      line: 33,
      function: 'runAgent',
    });
  });

  it('parses anonymous frames and Windows paths', () => {
    assert.deepEqual(usefulFrame('Error: x\n    at C:\\work\\app\\index.js:10:5'), {
      file: 'C:\\work\\app\\index.js',
      line: 10,
      function: null,
    });
    assert.deepEqual(usefulFrame('    at Object.<anonymous> (/app/a.js:2:9)'), { file: '/app/a.js', line: 2, function: null });
    assert.deepEqual(usefulFrame('    at new Planner (/app/p.js:4:1)'), { file: '/app/p.js', line: 4, function: 'new Planner' });
  });

  it('takes the innermost Python frame outside site-packages', () => {
    const tb = [
      'Traceback (most recent call last):',
      '  File "/srv/app/main.py", line 40, in <module>',
      '    run()',
      '  File "/srv/app/agent.py", line 12, in run',
      '    client.chat(messages)',
      '  File "/usr/lib/python3.12/site-packages/openai/_client.py", line 99, in chat',
      '    raise APIError()',
      'openai.APIError: boom',
    ].join('\n');
    assert.deepEqual(codeLocation({}, [exceptionEvent(tb)]), { file: '/srv/app/agent.py', line: 12, function: 'run' });
  });

  it('prefers attributes over code.stacktrace over the exception stack', () => {
    const attrs = { 'code.stacktrace': '    at a (/app/from-attr.js:1:1)' };
    assert.equal(codeLocation(attrs, [exceptionEvent('    at b (/app/from-event.js:1:1)')])?.file, '/app/from-attr.js');
    assert.equal(codeLocation({}, [exceptionEvent('    at b (/app/from-event.js:1:1)')])?.file, '/app/from-event.js');
  });

  it('returns null when no frame points at user code', () => {
    const stack = '    at x (/a/node_modules/b.js:1:1)\n    at node:events:519:28\n    at <anonymous>';
    assert.equal(codeLocation({ 'code.stacktrace': stack }, []), null);
    assert.equal(codeLocation({ 'code.function.name': 'f' }, []), null);
    assert.equal(usefulFrame(undefined), null);
  });
});
