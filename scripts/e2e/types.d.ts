// Types for test/e2e/ui/*.test.mjs modules (use with a JSDoc `@param` for editor help).
import type * as nodeAssert from 'node:assert/strict';
import type { FrameLocator, Page } from 'playwright-core';

/** A running code-server, as startCodeServer() returns it. */
export interface CodeServer {
  url: string;
  port: number;
  pid: number;
  logFile: string;
  extensionHostPids(): number[];
  waitForNoExtensionHost(ms?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * What each UI test's default export receives; the workbench is already open on `workspace`.
 * A module may also export `timeout` (ms) and `untrusted = true` (run with Workspace Trust on, the
 * folder untrusted).
 */
export interface UiTestContext {
  page: Page;
  url: string;
  workspace: string;
  codeServer: CodeServer;
  assert: typeof nodeAssert;
  /** Saves .test-output/e2e/<test>-<name>.png and resolves with its path. */
  screenshot(name: string): Promise<string>;
  /** Runs a command by its palette title. */
  runCommand(title: string, opts?: { timeout?: number }): Promise<void>;
  /** The active webview's content frame. */
  webviewFrame(): FrameLocator;
  /** Reopens the workbench (on `workspace` unless another folder is given). */
  openWorkbench(folder?: string): Promise<void>;
}
