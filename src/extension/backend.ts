/**
 * The team's backend: the forward headers (secret storage) and *Open Trace from Backend…*, which
 * pulls one trace through the backend's query API (Jaeger, Tempo, Phoenix, an OTLP/JSON URL) into
 * this window's store and opens it.
 */
import * as vscode from 'vscode';
import { importOtlpText } from '../core/otlp/file';
import { BACKENDS, pullTrace, PullError, type Backend } from '../core/otlp/pull';
import { registerCommand } from './commandRegistry';
import { parseHeaderSpecs } from '../core/receiver/forward';
import { FORWARD_HEADERS_SECRET, type ReceiverHost } from './receiverHost';

/** What the commands need. */
export interface BackendContext {
  host: ReceiverHost;
  secrets: vscode.SecretStorage;
  workspaceState: vscode.Memento;
  openRun(traceId: string): unknown;
}

/** The forward headers stored in secret storage (none when unset or unreadable). */
export async function readForwardHeaders(secrets: vscode.SecretStorage): Promise<Record<string, string>> {
  try {
    return JSON.parse((await secrets.get(FORWARD_HEADERS_SECRET)) ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}

/** `NAME=VALUE; NAME=VALUE` (the input box's format) as headers; throws with what is wrong. */
export function parseHeaderLine(line: string): Record<string, string> {
  return parseHeaderSpecs(
    line
      .split(';')
      .map((p) => p.trim())
      .filter(Boolean),
  );
}

const LABELS: Record<Backend, { label: string; example: string; detail: string }> = {
  jaeger: { label: 'Jaeger', example: 'http://localhost:16686', detail: 'Jaeger v2 query service (/api/v3/traces/{id})' },
  tempo: { label: 'Grafana Tempo', example: 'http://localhost:3200', detail: 'Tempo HTTP API (/api/traces/{id})' },
  phoenix: { label: 'Arize Phoenix', example: 'http://localhost:6006', detail: 'Phoenix REST API (project "default")' },
  otlp: { label: 'OTLP/JSON URL', example: 'https://example.com/trace.json', detail: 'any URL that answers the trace as OTLP/JSON' },
};

/** Registers the commands. */
export function registerBackendCommands(c: BackendContext): vscode.Disposable[] {
  return [
    registerCommand('tracefork.setForwardHeaders', async (line?: unknown) => {
      const text =
        typeof line === 'string'
          ? line
          : await vscode.window.showInputBox({
              title: 'Tracefork: headers sent to the forward endpoint',
              prompt: 'NAME=VALUE pairs separated by ";", e.g. authorization=Bearer …; x-team=agents. Kept in VS Code\'s secret storage. Empty clears them.',
              password: true,
              ignoreFocusOut: true,
              validateInput: (v) => {
                try {
                  parseHeaderLine(v);
                  return null;
                } catch (e) {
                  return (e as Error).message;
                }
              },
            });
      if (text === undefined) return;
      const headers = parseHeaderLine(text);
      if (Object.keys(headers).length) await c.secrets.store(FORWARD_HEADERS_SECRET, JSON.stringify(headers));
      else await c.secrets.delete(FORWARD_HEADERS_SECRET);
      await c.host.restartForwarding();
    }),
    registerCommand('tracefork.openFromBackend', async (args?: { from?: Backend; url?: string; traceId?: string; headers?: string; project?: string }) => {
      const from =
        args?.from ??
        (
          await vscode.window.showQuickPick(
            BACKENDS.map((b) => ({ label: LABELS[b].label, detail: LABELS[b].detail, backend: b })),
            { title: 'Open Trace from Backend: which backend?' },
          )
        )?.backend;
      if (!from) return;
      const lastKey = `tracefork.backend.${from}.url`;
      const url =
        args?.url ??
        (await vscode.window.showInputBox({
          title: `Open Trace from ${LABELS[from].label}`,
          prompt: from === 'otlp' ? 'The URL of the trace (OTLP/JSON)' : `The ${LABELS[from].label} address`,
          value: c.workspaceState.get<string>(lastKey) ?? LABELS[from].example,
          ignoreFocusOut: true,
        }));
      if (!url) return;
      const traceId =
        args?.traceId ??
        (
          await vscode.window.showInputBox({
            title: `Open Trace from ${LABELS[from].label}`,
            prompt: 'The trace id (32 hex digits)',
            ignoreFocusOut: true,
            validateInput: (v) => (/^[0-9a-fA-F]{32}$/.test(v.trim()) ? null : 'a trace id is 32 hex digits'),
          })
        )?.trim();
      if (!traceId) return;
      const store = c.host.current;
      if (!store || c.host.state.mode === 'follower') {
        void vscode.window.showWarningMessage("Tracefork: this window is showing another window's runs; open the trace from the window that is receiving.");
        return;
      }
      let headers: Record<string, string>;
      try {
        headers = args?.headers !== undefined ? parseHeaderLine(args.headers) : {};
      } catch (e) {
        void vscode.window.showErrorMessage(`Tracefork: ${(e as Error).message}`);
        return;
      }
      try {
        const pulled = await vscode.window.withProgress(
          {
            location: vscode.ProgressLocation.Notification,
            title: `Tracefork: pulling trace ${traceId.slice(0, 8)}… from ${LABELS[from].label}`,
            cancellable: false,
          },
          () => pullTrace({ from, url, traceId, headers, project: args?.project }),
        );
        importOtlpText(store, JSON.stringify(pulled.request));
        store.flush();
        await c.workspaceState.update(lastKey, url);
        c.openRun(traceId.toLowerCase());
        return { traceId: traceId.toLowerCase(), spans: pulled.spans };
      } catch (e) {
        const message = e instanceof PullError ? e.message : `pulling failed: ${(e as Error).message}`;
        void vscode.window.showErrorMessage(`Tracefork: ${message}. Nothing was stored.`);
        return { error: message };
      }
    }),
  ];
}
