/**
 * The Tracefork tools as VS Code language-model tools (`contributes.languageModelTools` +
 * `vscode.lm.registerTool`), so agent mode and chat participants can call them: the same
 * definitions and logic as `tracefork mcp` (core/tools), over this window's store. The two that
 * run the agent's code (fork_replay, replay) ask the user to confirm first and refuse in an
 * untrusted workspace.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { callTool } from '../core/tools/dispatch';
import { TOOL_SCHEMAS, type ToolName } from '../core/tools/schemas';
import { ToolInputError, type ToolEnv, type ToolStore } from '../core/tools/tools';
import type { PriceTable } from '../core/model/cost';
import type { ReceiverHost } from './receiverHost';
import type { ReplayController } from './replay/controller';

/** The tool name VS Code knows a Tracefork tool by. */
export const lmToolName = (name: ToolName) => `tracefork_${name}`;

const EMPTY: ToolStore = { list: () => [], get: () => null };

/** What the tools need from the extension. */
export interface LmToolsContext {
  host: ReceiverHost;
  replay: ReplayController;
  prices(): Partial<PriceTable> | undefined;
}

function env(c: LmToolsContext): ToolEnv {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return {
    store: c.host.current ?? EMPTY,
    prices: c.prices() as PriceTable | undefined, // merged over the built-in table where prices are read
    casesDir: folder ? path.join(folder.uri.fsPath, '.tracefork', 'cases') : undefined,
    replay: async ({ traceId, forkSpanId, input, tools }) => {
      const choices = tools && Object.fromEntries(Object.entries(tools).map(([k, v]) => [k, v === 'live' ? 'live' : 'replay'] as const));
      const out = forkSpanId ? await c.replay.fork(traceId, forkSpanId, { input, tools: choices }) : await c.replay.replayRun(traceId, choices);
      if (!out)
        throw new ToolInputError(
          'the replay did not start: the workspace is untrusted, or no agent command is configured (tracefork.replay.command) and none was given',
        );
      if (!out.run)
        throw new Error(
          out.cancelled
            ? 'the user cancelled the replay'
            : `the replayed run did not arrive (the agent exited with code ${out.exitCode}); see the Tracefork output`,
        );
      return { traceId: out.run.traceId, planId: out.plan.planId, agentExitCode: out.exitCode ?? 0 };
    },
  };
}

/** Registers every tool; nothing on a VS Code without the language-model API. */
export function registerLmTools(c: LmToolsContext): vscode.Disposable[] {
  if (typeof vscode.lm?.registerTool !== 'function') return [];
  return (Object.keys(TOOL_SCHEMAS) as ToolName[]).map((name) => vscode.lm.registerTool<Record<string, unknown>>(lmToolName(name), lmToolHandler(name, c)));
}

/** One tool's handler: confirmation for the tools that run code, the trust check, the call. */
export function lmToolHandler(
  name: ToolName,
  c: LmToolsContext,
  isTrusted: () => boolean = () => vscode.workspace.isTrusted,
): vscode.LanguageModelTool<Record<string, unknown>> {
  const t = TOOL_SCHEMAS[name];
  return {
    prepareInvocation: (options) => {
      if (!t.runsCode) return { invocationMessage: `Tracefork: ${t.title.toLowerCase()}` };
      const a = options.input as { traceId?: string; spanId?: string; input?: unknown };
      const what =
        name === 'fork_replay' ? `from step ${a.spanId} of run ${a.traceId} with the input ${JSON.stringify(a.input)}` : `run ${a.traceId} from its recording`;
      return {
        invocationMessage: `Tracefork: replaying ${what}`,
        confirmationMessages: {
          title: t.title,
          message: new vscode.MarkdownString(`Re-run your agent ${what}? This runs the workspace's code (\`tracefork.replay.command\`).`),
        },
      };
    },
    invoke: async (options) => {
      if (t.runsCode && !isTrusted()) {
        throw new Error(
          "Tracefork does not run the workspace's code in Restricted Mode: the user has to trust this workspace (Manage Workspace Trust) before fork_replay or replay",
        );
      }
      try {
        const answer = await callTool(env(c), name, options.input);
        return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(answer.text)]);
      } catch (e) {
        // A model acts on the message: what to pass instead, or what went wrong.
        throw new Error(e instanceof ToolInputError ? e.message : `${name} failed: ${(e as Error).message}`);
      }
    },
  };
}
