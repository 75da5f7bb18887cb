// What the UI tests' page functions (uiProbes.mjs) leave on the page's window.
interface Window {
  __tfProbe?: Promise<unknown>;
  __tfRow?: Promise<unknown>;
  __tfFolder?: Promise<unknown>;
}
