/** Ambient declarations for the webview bundle. */
declare module '*.svg' {
  const svg: string;
  export default svg;
}

/** The VS Code webview API (the only way to talk to the host). */
declare function acquireVsCodeApi(): {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
};
