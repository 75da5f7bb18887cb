import * as assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { waitForEvent, waitForStoreRun } from './storeWait';

/** The two events and the store the wait reads, driven by the test. */
function fakeHost() {
  const events = new EventEmitter();
  const runs = new Map<string, number>(); // trace id → spans so far
  const on = (name: string) => (fn: (v: string[]) => void) => {
    events.on(name, fn);
    return { dispose: () => events.off(name, fn) };
  };
  const host = {
    current: { get: (id: string) => (runs.has(id) ? { traceId: id, spans: runs.get(id)! } : null) },
    onDidChangeTraces: on('traces'),
    onDidChangeState: on('state'),
  };
  const land = (id: string, spans: number) => {
    runs.set(id, spans);
    events.emit('traces', [id]);
  };
  return { host: host as never, land, listeners: () => events.listenerCount('traces') + events.listenerCount('state') };
}

describe('waiting for a run on the store’s change events', () => {
  it('resolves once the run is there and quiet, with its last batch', async () => {
    const { host, land, listeners } = fakeHost();
    const find = (store: { get(id: string): { traceId: string; spans: number } | null }) => store.get('run-1');
    const waiting = waitForStoreRun(host, find as never, undefined, 5000, 50);
    land('other', 1);
    land('run-1', 3);
    setTimeout(() => land('run-1', 7), 20); // a later batch inside the quiet period
    const got = (await waiting) as unknown as { spans: number };
    assert.equal(got.spans, 7, 'the run as it was once quiet');
    assert.equal(listeners(), 0, 'its listeners are removed');
  });

  it('resolves at once-quiet when the run was there before; null when it never comes, or when cancelled', async () => {
    const { host, land } = fakeHost();
    land('run-2', 1);
    assert.ok(await waitForStoreRun(host, ((s: { get(id: string): unknown }) => s.get('run-2')) as never, undefined, 5000, 0));
    const started = Date.now();
    assert.equal(await waitForStoreRun(host, (() => null) as never, undefined, 100, 0), null);
    assert.ok(Date.now() - started >= 95, 'it waited until the deadline');
    let cancel: () => void = () => {};
    const token = { isCancellationRequested: false, onCancellationRequested: (fn: () => void) => ((cancel = fn), { dispose() {} }) };
    const cancelled = waitForStoreRun(host, (() => null) as never, token as never, 5000, 0);
    cancel();
    assert.equal(await cancelled, null);
  });

  it('waitForEvent: the value now, or on the first event that brings it, or undefined at the deadline', async () => {
    const events = new EventEmitter();
    const event = (fn: (v: unknown) => void) => {
      events.on('e', fn);
      return { dispose: () => events.off('e', fn) };
    };
    assert.equal(await waitForEvent([event as never], () => 'now', 1000), 'now');
    const box: { value?: string } = {};
    const waiting = waitForEvent([event as never], () => box.value, 5000);
    events.emit('e');
    box.value = 'scored';
    events.emit('e');
    assert.equal(await waiting, 'scored');
    assert.equal(events.listenerCount('e'), 0, 'unsubscribed');
    assert.equal(await waitForEvent([event as never], () => undefined, 50), undefined);
  });
});
