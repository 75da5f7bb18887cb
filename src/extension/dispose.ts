/** A small Disposable base: everything registered is disposed with its owner, newest first. */
import type * as vscode from 'vscode';

/** Owns disposables. */
export abstract class Disposable implements vscode.Disposable {
  private disposables: vscode.Disposable[] = [];
  private disposed = false;

  /** Registers a disposable (disposed at once if the owner already is). */
  protected _register<T extends vscode.Disposable>(d: T): T {
    if (this.disposed) d.dispose();
    else this.disposables.push(d);
    return d;
  }

  /** True after dispose(). */
  protected get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.disposables.reverse()) d.dispose();
    this.disposables = [];
  }
}

/** A disposable from a function. */
export function toDisposable(fn: () => void): vscode.Disposable {
  return { dispose: fn };
}
