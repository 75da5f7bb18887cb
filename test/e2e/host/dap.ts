// A minimal Debug Adapter Protocol client over a child's stdio, enough to drive debugpy's adapter
// (`python -m debugpy.adapter`) through one launch: what VS Code's Python Debugger does with the
// configuration it is given, without that extension (it cannot be installed offline).
import { spawn } from 'node:child_process';

/** A DAP message as the adapter sends it. */
export interface DapMessage {
  type: 'response' | 'event';
  command?: string;
  event?: string;
  success?: boolean;
  message?: string;
  body?: Record<string, unknown>;
}

/**
 * Launches `config` under the adapter started by `adapter` (argv), with one breakpoint; at each
 * stop records the top frame and continues. Resolves with the stops and the exit code when the
 * adapter says the program terminated.
 */
export function debugOnce(
  adapter: string[],
  config: Record<string, unknown>,
  breakpoint: { path: string; line: number },
  timeoutMs = 60_000,
): Promise<{ stops: Array<{ line: number; path: string }>; exitCode: number | null; output: string }> {
  const child = spawn(adapter[0]!, adapter.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  let seq = 1;
  let buf = Buffer.alloc(0);
  let output = '';
  let exitCode: number | null = null;
  const stops: Array<{ line: number; path: string }> = [];
  const send = (command: string, args: unknown) => {
    const body = JSON.stringify({ seq: seq++, type: 'request', command, arguments: args });
    child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.kill(), reject(new Error(`debugpy did not finish in ${timeoutMs} ms; output: ${output}`))), timeoutMs);
    const onMessage = (m: DapMessage) => {
      if (m.type === 'response' && m.success === false) output += `[${m.command} failed: ${m.message}]\n`;
      if (m.event === 'output') output += String(m.body?.output ?? '');
      if (m.event === 'initialized') {
        send('setBreakpoints', { source: { path: breakpoint.path }, breakpoints: [{ line: breakpoint.line }] });
        send('configurationDone', {});
      }
      if (m.event === 'stopped') send('stackTrace', { threadId: m.body!.threadId, startFrame: 0, levels: 1 });
      if (m.command === 'stackTrace' && m.success) {
        const top = (m.body!.stackFrames as Array<{ line: number; source?: { path?: string } }>)[0]!;
        stops.push({ line: top.line, path: top.source?.path ?? '' });
        send('continue', { threadId: 0 });
      }
      if (m.event === 'exited') exitCode = Number(m.body?.exitCode);
      if (m.event === 'terminated') {
        clearTimeout(timer);
        child.kill();
        resolve({ stops, exitCode, output });
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (let h = buf.indexOf('\r\n\r\n'); h >= 0; h = buf.indexOf('\r\n\r\n')) {
        const n = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, h).toString())?.[1]);
        if (buf.length < h + 4 + n) return;
        const m = JSON.parse(buf.subarray(h + 4, h + 4 + n).toString()) as DapMessage;
        buf = buf.subarray(h + 4 + n);
        onMessage(m);
      }
    });
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => (clearTimeout(timer), reject(e)));
    send('initialize', { clientID: 'vscode', adapterID: 'debugpy', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
    send('launch', config);
  });
}
