/** Typed access to Tracefork's settings (contributed in package.json). */
import * as vscode from 'vscode';
import type { PriceTable } from '../core/model/cost';

/** The settings Tracefork reads. */
export interface TraceforkConfig {
  port: number;
  /** The OTLP/gRPC receiver's port; 0 turns it off. */
  grpcPort: number;
  host: string;
  maxTraces: number;
  maxMegabytes: number;
  prices: Partial<PriceTable> | null;
  codeLens: boolean;
  diagnostics: boolean;
  /** The LLM judge; off while `url` is empty. */
  judge: { url: string; model: string; criteria: string; threshold: number };
  /** Forwarding to the team's backend; off while `endpoint` is empty (headers live in secret storage). */
  forward: { endpoint: string; queueMegabytes: number };
  /** Where the record/replay proxies send calls (empty: the providers' public APIs), and the MCP servers by name. */
  proxy: { openaiUpstream: string; anthropicUpstream: string; mcpServers: Record<string, string> };
  /** The single-call playground's OpenAI-compatible endpoint (off while empty) and model override. */
  playground: { url: string; model: string };
}

/** A tool's policy for the calls before a fork (`tracefork.replay.tools`). */
export type ToolPolicy = 'replay' | 'live' | 'ask';

/** How a folder's agent is replayed (`tracefork.replay.*`, resource-scoped). */
export interface ReplayConfig {
  /** The shell command that starts the agent (empty: ask). */
  command: string;
  /** A launch.json configuration's name to start it with instead (empty: none). */
  launchConfiguration: string;
  /** Per-tool policies; an unknown value reads as `replay`. */
  tools: Record<string, ToolPolicy>;
}

/** Reads the settings now. */
export function readConfig(): TraceforkConfig {
  const c = vscode.workspace.getConfiguration('tracefork');
  const models = c.get<Record<string, { input: number; output: number }>>('prices', {});
  return {
    port: c.get<number>('receiver.port', 4318),
    grpcPort: c.get<number>('receiver.grpcPort', 4317),
    host: c.get<string>('receiver.host', '127.0.0.1'),
    maxTraces: c.get<number>('retention.maxTraces', 5000),
    maxMegabytes: c.get<number>('retention.maxMegabytes', 2048),
    prices: Object.keys(models).length ? { models } : null,
    codeLens: c.get<boolean>('codeLens.enabled', true),
    diagnostics: c.get<boolean>('diagnostics.enabled', true),
    judge: {
      url: c.get<string>('judge.url', '').trim(),
      model: c.get<string>('judge.model', '').trim(),
      criteria: c.get<string>('judge.criteria', '').trim(),
      threshold: c.get<number>('judge.threshold', 0.5),
    },
    forward: { endpoint: c.get<string>('forward.endpoint', '').trim(), queueMegabytes: c.get<number>('forward.queueMegabytes', 64) },
    proxy: {
      openaiUpstream: c.get<string>('proxy.openaiUpstream', '').trim(),
      anthropicUpstream: c.get<string>('proxy.anthropicUpstream', '').trim(),
      mcpServers: c.get<Record<string, string>>('proxy.mcpServers', {}),
    },
    playground: { url: c.get<string>('playground.url', '').trim(), model: c.get<string>('playground.model', '').trim() },
  };
}

/** Reads `tracefork.replay.*` for a folder (the first one when none is given). */
export function readReplayConfig(folder?: vscode.Uri): ReplayConfig {
  const c = vscode.workspace.getConfiguration('tracefork.replay', folder ?? vscode.workspace.workspaceFolders?.[0]?.uri);
  const tools = c.get<Record<string, string>>('tools', {}) ?? {};
  return {
    command: c.get<string>('command', '') ?? '',
    launchConfiguration: c.get<string>('launchConfiguration', '') ?? '',
    tools: Object.fromEntries(Object.entries(tools).map(([k, v]) => [k, v === 'live' || v === 'ask' ? v : 'replay'])),
  };
}

/** Remembers the command that starts a folder's agent (`tracefork.replay.command`, in the workspace). */
export function saveReplayCommand(folder: vscode.Uri, commandLine: string): Thenable<void> {
  return vscode.workspace.getConfiguration('tracefork.replay', folder).update('command', commandLine, vscode.ConfigurationTarget.Workspace);
}

/** A folder's launch.json configurations (the `launch` section, not Tracefork's own). */
export function launchConfigurations(folder: vscode.Uri): vscode.DebugConfiguration[] {
  return vscode.workspace.getConfiguration('launch', folder).get<vscode.DebugConfiguration[]>('configurations') ?? [];
}

/** True when a configuration change touches one of the given Tracefork sections. */
export function affects(e: vscode.ConfigurationChangeEvent, ...sections: string[]): boolean {
  return sections.some((s) => e.affectsConfiguration(`tracefork.${s}`));
}
