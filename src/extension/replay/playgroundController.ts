/**
 * The single-call playground: one recorded LLM call, edited in the fork editor, re-sent to the
 * OpenAI-compatible endpoint of tracefork.playground.* (its key in secret storage). The agent does
 * not run.
 */
import * as vscode from 'vscode';
import { ForkEditorPanel, type ForkEditorHandler } from './forkEditor';
import { playgroundRequest, sendChat } from '../../core/replay/playground';
import { buildSteps } from '../../core/model/steps';
import { maskDeep } from '../../core/view/maskSecrets';
import type { ForkModel } from '../../shared/protocol';
import type { StoredTrace } from '../../core/store/queries';
import { readConfig } from '../config';

/** Opens the playground and sends its calls. */
export class PlaygroundController {
  constructor(
    private readonly ctx: { extensionUri: vscode.Uri; log: vscode.OutputChannel; secrets: vscode.SecretStorage },
    /** Who the fork editor reports to (the replay controller, which hands playground launches back here). */
    private readonly handler: ForkEditorHandler,
    /** A stored run, or an error saying it is gone. */
    private readonly trace: (traceId: string) => StoredTrace,
  ) {}

  /** "Playground…": one LLM call, edited, re-sent to the configured endpoint. */
  async playground(traceId: string, spanId: string): Promise<void> {
    const step = buildSteps(this.trace(traceId)).find((s) => s.spanId === spanId);
    if (!step || step.kind !== 'llm') {
      void vscode.window.showWarningMessage('Tracefork: the playground re-sends LLM calls; pick an LLM step.');
      return;
    }
    const request = playgroundRequest(step, readConfig().playground.model || undefined);
    const model: ForkModel = {
      mode: 'playground',
      traceId,
      spanId,
      stepName: step.name,
      op: 'llm',
      input: maskDeep(request),
      messagesField: 'messages',
      tools: [],
      hasCode: !!step.code,
      launch: null,
    };
    ForkEditorPanel.show(model, this.ctx.extensionUri, this.handler, this.ctx.log);
  }

  async send(editor: ForkEditorPanel, input: unknown): Promise<void> {
    const url = readConfig().playground.url;
    if (!url) {
      editor.status(false, '', [
        'Set tracefork.playground.url to an OpenAI-compatible endpoint (e.g. http://localhost:11434/v1 or https://api.openai.com/v1) first.',
      ]);
      void vscode.commands.executeCommand('workbench.action.openSettings', 'tracefork.playground');
      return;
    }
    const key = (await this.ctx.secrets.get('tracefork.playground.apiKey')) ?? process.env.TRACEFORK_PLAYGROUND_API_KEY;
    editor.status(true, `Sending to ${url}…`);
    try {
      const answer = await sendChat(url, input as Parameters<typeof sendChat>[1], key);
      editor.post({ type: 'playgroundResult', output: answer.message ?? answer.body });
      editor.status(false, `Answered by ${url}.`);
    } catch (e) {
      editor.post({ type: 'playgroundResult', output: null, error: (e as Error).message });
      editor.status(false, '', [(e as Error).message]);
    }
  }
}
