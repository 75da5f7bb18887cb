/**
 * The receiver's runs API, from another process or window: start a run (with a replay plan for a
 * fork) and end it. `tracefork run`/`replay` use it when another receiver holds the port; the
 * extension always does (its own receiver, or the window it follows).
 */
import type { RunInit, RunSummary } from './runs';

/** Thrown with what the receiver said. */
export class RunsApiError extends Error {}

async function postJson(url: string, body: unknown): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch (e) {
    throw new RunsApiError(`the receiver at ${new URL(url).origin} cannot be reached: ${(e as { cause?: Error }).cause?.message ?? (e as Error).message}`);
  }
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* said below */
  }
  if (!res.ok)
    throw new RunsApiError(
      `the receiver at ${new URL(url).origin} answered ${res.status}: ${(parsed.error as { message?: string } | undefined)?.message ?? text.slice(0, 200)}`,
    );
  return parsed;
}

/** The runs API of the receiver at `receiverUrl`. */
export function remoteRuns(receiverUrl: string) {
  const base = receiverUrl.replace(/\/+$/, '');
  return {
    create: async (init: RunInit) => (await postJson(`${base}/proxy/runs`, init)) as unknown as { token: string; traceId: string; spanId: string },
    end: async (token: string, exitCode: number | null) => (await postJson(`${base}/proxy/runs/${token}/end`, { exitCode })) as unknown as RunSummary,
    post: postJson,
  };
}

/** A command line that runs `argv` in a POSIX shell (each word quoted as needed). */
export function shellJoin(argv: string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** What `tracefork run` records as the command of a shell command line (so a replay can start it again). */
export function shellCommand(commandLine: string): string[] {
  return process.platform === 'win32' ? [process.env.ComSpec ?? 'cmd.exe', '/d', '/s', '/c', commandLine] : ['/bin/sh', '-c', commandLine];
}
