import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { debugpyConfig, expandEnv, guessCommand, isPythonCommand, nodeDebugConfig, pythonBreakLine, words } from './launchCommand';

const cwd = path.resolve('/work/agent');
const env = { TRACEFORK_REPLAY_PLAN: '/tmp/plan.json' };

describe('replay launch command', () => {
  it('guesses npx tsx for TypeScript, node for JavaScript, the selected Python (else python3) for .py', () => {
    assert.equal(guessCommand('agent.ts'), 'npx tsx agent.ts');
    assert.equal(guessCommand('src/agent.mts'), 'npx tsx src/agent.mts');
    assert.equal(guessCommand('agent.js'), 'node agent.js');
    assert.equal(guessCommand('agents/weather.py'), 'python3 agents/weather.py');
    assert.equal(guessCommand('agent.py', '/home/me/proj/.venv/bin/python'), '/home/me/proj/.venv/bin/python agent.py');
    assert.equal(guessCommand('my agent.py', '/opt/My Python/python'), `'/opt/My Python/python' 'my agent.py'`);
  });

  it('splits a command line as a shell does, so a quoted guess debugs as it runs', () => {
    assert.deepEqual(words(`'/opt/My Python/python' 'my agent.py' --q "a \\"b\\" c" x'y'z`, {}), [
      '/opt/My Python/python',
      'my agent.py',
      '--q',
      'a "b" c',
      'xyz',
    ]);
    const c = debugpyConfig(guessCommand('my agent.py', '/opt/My Python/python'), cwd, env, {});
    assert.equal(c?.python, '/opt/My Python/python');
    assert.equal(c?.program, path.join(cwd, 'my agent.py'));
  });

  it('tells a Python interpreter from other commands', () => {
    for (const c of [
      'python agent.py',
      'python3 agent.py',
      'python3.12 -u agent.py',
      '/venv/bin/python -m app',
      'C:\\Py\\python.exe a.py',
      'py a.py',
      '${PY:-python3} a.py',
    ])
      assert.ok(isPythonCommand(c, {}), c);
    for (const c of ['node agent.js', 'npx tsx agent.ts', 'pytest', 'uv run agent.py', '']) assert.ok(!isPythonCommand(c, {}), c);
    assert.ok(isPythonCommand('$PY agent.py', { PY: '/x/bin/python3' }));
  });

  it('makes a debugpy configuration from python FILE args: program from the folder, interpreter, env, justMyCode', () => {
    const c = debugpyConfig('/venv/bin/python -u -X dev agents/weather.py --city Paris', cwd, env, {});
    assert.deepEqual(c, {
      type: 'debugpy',
      request: 'launch',
      name: 'Tracefork replay',
      python: '/venv/bin/python',
      cwd,
      env,
      console: 'internalConsole',
      justMyCode: true,
      program: path.join(cwd, 'agents', 'weather.py'),
      args: ['--city', 'Paris'],
    });
  });

  it('makes a debugpy configuration with module for python -m, and none for python -c or a bare python', () => {
    const c = debugpyConfig('${PY:-python3} -m agents.weather --fast', cwd, env, {});
    assert.equal(c?.module, 'agents.weather');
    assert.equal(c?.python, 'python3');
    assert.deepEqual(c?.args, ['--fast']);
    assert.equal(c?.program, undefined);
    assert.equal(debugpyConfig('python -c "print(1)"', cwd, env, {}), null);
    assert.equal(debugpyConfig('python', cwd, env, {}), null);
    assert.equal(debugpyConfig('python -m', cwd, env, {}), null);
  });

  it('keeps the node configuration for Node command lines', () => {
    const c = nodeDebugConfig('$NODE --import tsx agent.ts', cwd, env, { NODE: '/usr/bin/node' });
    assert.equal(c.type, 'node');
    assert.equal(c.runtimeExecutable, '/usr/bin/node');
    assert.deepEqual(c.runtimeArgs, ['--import', 'tsx', 'agent.ts']);
    assert.equal(expandEnv('${A:-x} $B ${C}', { B: 'b' }), 'x b ');
  });

  it('breaks a step recorded at a decorated function in its body, after the signature and docstring', () => {
    const src = [
      'import tracefork', //                     1
      '', //                                      2
      '@tool', //                                 3
      '@tracefork.tool("get_weather")', //        4
      'def get_weather(', //                      5
      '    city: str,', //                        6
      ') -> str:  # the tool', //                 7
      '    """The weather.', //                   8
      '', //                                      9
      '    Multi-line."""', //                   10
      '    # a comment', //                      11
      '    if city == "Paris":', //              12
      '        raise RuntimeError(city)', //     13
      '    return "sunny"', //                   14
      'async def one(): return 1', //           15
      'x = ask("q")', //                         16
    ].join('\n');
    assert.equal(pythonBreakLine(src, 3), 12);
    assert.equal(pythonBreakLine(src, 5), 12);
    assert.equal(pythonBreakLine(src, 16), 16, 'a call site stays where it is');
    assert.equal(pythonBreakLine(src, 15), 15, 'a one-line def: its own line holds the body');
    assert.equal(pythonBreakLine('@step("a")\ndef a():\n    """Doc."""\n    return 1\n', 1), 4);
    assert.equal(pythonBreakLine('', 7), 7, 'an unreadable file keeps the recorded line');
  });
});
