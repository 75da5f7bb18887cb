// Finds the VS Code extension-host processes that one code-server started (read from /proc),
// so a stop can wait until none survives: a lingering host keeps its ports and state, and a
// later run could otherwise pass against it.
import * as fs from 'node:fs';

/** Environment variable carrying a per-server token into every process code-server starts. */
export const TOKEN_VAR = 'TRACEFORK_E2E_SERVER';

function readProc(pid, file) {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

/** State and process group of `pid` from /proc/pid/stat (fields after the command name, which may hold spaces). */
function statOf(pid) {
  const stat = readProc(pid, 'stat');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], pgrp: Number(fields[2]) };
}

/** Pids of live extension hosts in process group `pgid` or carrying `token` in their environment. */
export function extensionHostPids(pgid, token) {
  const pids = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = readProc(entry, 'cmdline');
    if (!cmdline.includes('type=extensionHost')) continue;
    const { state, pgrp } = statOf(entry);
    if (state === 'Z' || state === undefined) continue; // a zombie holds nothing
    const mine = pgrp === pgid || (token && readProc(entry, 'environ').split('\0').includes(`${TOKEN_VAR}=${token}`));
    if (mine) pids.push(Number(entry));
  }
  return pids;
}

/** Waits until none of the server's extension hosts is alive; SIGKILLs survivors after `timeoutMs`. */
export async function waitForNoExtensionHost(pgid, token, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (extensionHostPids(pgid, token).length === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  const left = extensionHostPids(pgid, token);
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  await new Promise((r) => setTimeout(r, 500));
  const still = extensionHostPids(pgid, token);
  if (still.length) throw new Error(`extension host(s) ${still.join(', ')} survived SIGKILL`);
  console.warn(`[e2e] extension host(s) ${left.join(', ')} outlived code-server by ${timeoutMs / 1000}s and were killed`);
}
