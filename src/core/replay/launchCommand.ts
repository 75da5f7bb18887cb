/**
 * The agent's command line for a replay, without VS Code: the guess from the run's code file
 * (Node or Python), and the debug configuration a command line becomes under the debugger
 * (`node` for Node, `debugpy` for Python).
 */
import * as path from 'node:path';

/** A debug configuration as VS Code takes it (structurally a `vscode.DebugConfiguration`). */
export interface LaunchConfig {
  type: string;
  request: 'launch';
  name: string;
  [key: string]: unknown;
}

/** `$VAR`, `${VAR}` and `${VAR:-default}` expanded from the environment, as the shell would. */
export function expandEnv(s: string, env: NodeJS.ProcessEnv = process.env): string {
  return s.replace(
    /\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)/g,
    (_, a: string | undefined, dflt: string | undefined, b: string | undefined) => env[(a ?? b)!] || dflt || '',
  );
}

/** A word for a shell command line, quoted only when it has to be. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** True for a Python code file. */
export function isPythonFile(file: string): boolean {
  return /\.pyw?$/i.test(file);
}

/**
 * The command that probably starts the agent whose code is `relFile` (relative to the workspace
 * folder): `npx tsx` for TypeScript, `<python> file.py` for Python (the interpreter the Python
 * extension selected, else `python3`), `node` otherwise.
 */
export function guessCommand(relFile: string, python: string | null = null): string {
  const file = shellWord(relFile);
  if (isPythonFile(relFile)) return `${shellWord(python || 'python3')} ${file}`;
  return /\.[cm]?tsx?$/i.test(relFile) ? `npx tsx ${file}` : `node ${file}`;
}

/** One shell word: unquoted runs, '…' (literal) and "…" (backslash escapes) side by side. */
const WORD = /(?:[^\s'"]+|'[^']*'|"(?:\\.|[^"\\])*")+/g;
const QUOTED = /'([^']*)'|"((?:\\.|[^"\\])*)"/g;

/** Words of a command line as a shell splits them (spaces, quotes), environment variables expanded. */
export function words(commandLine: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const unquote = (_: string, single: string | undefined, double: string | undefined) => single ?? double!.replace(/\\(.)/g, '$1');
  return [...expandEnv(commandLine, env).matchAll(WORD)].map((m) => m[0].replace(QUOTED, unquote));
}

/** True when a command line starts a Python interpreter (`python`, `python3.12`, `/venv/bin/python`, `py`). */
export function isPythonCommand(commandLine: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const exe = words(commandLine, env)[0];
  return !!exe && /^(python(\d+(\.\d+)*)?|py|pythonw)(\.exe)?$/i.test(path.basename(exe.replace(/\\/g, '/')));
}

/** A `node` launch configuration for a command line (for "Replay under Debugger" without launch.json). */
export function nodeDebugConfig(commandLine: string, cwd: string, env: Record<string, string>, processEnv: NodeJS.ProcessEnv = process.env): LaunchConfig {
  const [exe, ...args] = words(commandLine, processEnv);
  return {
    type: 'node',
    request: 'launch',
    name: 'Tracefork replay',
    cwd,
    runtimeExecutable: exe,
    runtimeArgs: args,
    env,
    console: 'internalConsole',
    skipFiles: ['<node_internals>/**'],
  };
}

/** Interpreter options that take a value as the next word (`-W ignore`, `-X dev`). */
const PY_OPTION_WITH_VALUE = new Set(['-W', '-X', '--check-hash-based-pycs']);

/**
 * A `debugpy` launch configuration for a Python command line: `python [options] file.py args…`
 * becomes `program` (absolute, from `cwd`) and `args`; `python -m pkg args…` becomes `module`.
 * Null when the line runs no program or module (`python -c …`, a bare `python`).
 */
export function debugpyConfig(commandLine: string, cwd: string, env: Record<string, string>, processEnv: NodeJS.ProcessEnv = process.env): LaunchConfig | null {
  const [python, ...rest] = words(commandLine, processEnv);
  if (!python) return null;
  let i = 0;
  while (i < rest.length && rest[i]!.startsWith('-') && rest[i] !== '-m') {
    if (rest[i] === '-c' || rest[i] === '-') return null;
    i += PY_OPTION_WITH_VALUE.has(rest[i]!) ? 2 : 1;
  }
  const base = { type: 'debugpy', request: 'launch' as const, name: 'Tracefork replay', python, cwd, env, console: 'internalConsole', justMyCode: true };
  if (rest[i] === '-m') return rest[i + 1] ? { ...base, module: rest[i + 1], args: rest.slice(i + 2) } : null;
  const program = rest[i];
  return program ? { ...base, program: path.resolve(cwd, program), args: rest.slice(i + 1) } : null;
}

/**
 * The line to break on for a Python step at `line` (1-based) of `source`: a step recorded at a
 * decorated function's definition (`@tracefork.tool` records `co_firstlineno`, the decorator line)
 * breaks at the first statement of its body, which runs at each call (the `def` line runs once, at
 * import). Any other line is returned as it is.
 */
export function pythonBreakLine(source: string, line: number): number {
  const lines = source.split(/\r?\n/);
  let i = line - 1;
  while (i < lines.length && /^\s*@/.test(lines[i]!)) i++;
  if (i >= lines.length || !/^\s*(async\s+)?def\s/.test(lines[i]!)) return line;
  // The signature ends at the first line ending in ':' outside brackets.
  let depth = 0;
  for (; i < lines.length; i++) {
    const code = lines[i]!.replace(/#.*$/, '');
    for (const ch of code) depth += '([{'.includes(ch) ? 1 : ')]}'.includes(ch) ? -1 : 0;
    if (depth > 0) continue;
    if (/:\s*$/.test(code)) break;
    if (/\)\s*(->[^:]*)?:\s*\S/.test(code)) return i + 1; // `def f(): return 1`: the body is on this line
  }
  let j = i + 1;
  const skip = () => {
    while (j < lines.length && /^\s*(#.*)?$/.test(lines[j]!)) j++;
  };
  skip();
  const doc = /^\s*[rRuUbB]?("""|''')/.exec(lines[j] ?? '');
  if (doc) {
    const rest = lines[j]!.slice(lines[j]!.indexOf(doc[1]!) + 3);
    if (!rest.includes(doc[1]!)) while (j + 1 < lines.length && !lines[++j]!.includes(doc[1]!));
    j++;
    skip();
  }
  return j < lines.length ? j + 1 : line;
}
