/** Opening a step's source line: recorded path, else re-rooted under the workspace folders. */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { resolveSourcePath } from '../core/view/resolveSource';
import type { CodeLocation } from '../core/model/step';

/** The file a code location points to on this machine, or null. */
export function locate(code: CodeLocation): vscode.Uri | null {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const file = resolveSourcePath(code.file, folders, (p) => {
    try {
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  });
  return file ? vscode.Uri.file(file) : null;
}

/** Opens the step's source at its line; says plainly when there is none or it cannot be found. */
export async function openSource(code: CodeLocation | null, stepName: string, toSide: boolean): Promise<boolean> {
  if (!code) {
    void vscode.window.showInformationMessage(
      `Tracefork: step "${stepName}" has no source location. Spans get one from code.file.path/code.line.number (or code.filepath/code.lineno), code.stacktrace, or an exception's stack; the Tracefork SDK records the call site of every step.`,
    );
    return false;
  }
  const uri = locate(code);
  if (!uri) {
    void vscode.window.showWarningMessage(
      `Tracefork: the source of "${stepName}" (${code.file}${code.line ? `:${code.line}` : ''}) was not found on this machine, nor under the workspace folders. Open the folder the agent runs from.`,
    );
    return false;
  }
  const line = Math.max(0, (code.line ?? 1) - 1);
  await vscode.window.showTextDocument(uri, {
    selection: new vscode.Range(line, 0, line, 0),
    viewColumn: toSide ? vscode.ViewColumn.Beside : vscode.ViewColumn.One,
    preserveFocus: false,
  });
  return true;
}
