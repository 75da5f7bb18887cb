/**
 * What the Python extensions offer a replay: the interpreter ms-python.python selected for the
 * folder, and whether the Python Debugger (ms-python.debugpy, the `debugpy` debug type) is there.
 */
import * as vscode from 'vscode';

/** The part of ms-python.python's API used here (its `environments` API). */
interface PythonExtensionApi {
  environments?: { getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined };
}

/** The id of the extension that contributes the `debugpy` debug type. */
export const PYTHON_DEBUGGER_ID = 'ms-python.debugpy';

/** The interpreter the Python extension selected for `folder`, or null (no extension, no selection, an error). */
export async function selectedPython(folder: vscode.WorkspaceFolder, log?: vscode.OutputChannel): Promise<string | null> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!ext) return null;
  try {
    const api = ext.isActive ? ext.exports : await ext.activate();
    const p = api?.environments?.getActiveEnvironmentPath(folder.uri)?.path;
    return typeof p === 'string' && p.trim() ? p : null;
  } catch (e) {
    log?.appendLine(`replay: could not ask the Python extension for its interpreter: ${(e as Error).message}`);
    return null;
  }
}

/** True when the Python Debugger extension is installed. */
export function hasPythonDebugger(): boolean {
  return !!vscode.extensions.getExtension(PYTHON_DEBUGGER_ID);
}

/** Says that debugging a Python replay needs the Python Debugger, and offers to install it. */
export function askForPythonDebugger(): void {
  void vscode.window
    .showErrorMessage(
      `Tracefork: Replay under Debugger of a Python agent needs the Python Debugger extension (${PYTHON_DEBUGGER_ID}). Install it, or use Fork & Replay without the debugger.`,
      'Show Extension',
    )
    .then((a) => a && vscode.commands.executeCommand('workbench.extensions.search', `@id:${PYTHON_DEBUGGER_ID}`));
}
