/**
 * Synchronous calls from a thread to a worker, over Node's own primitives: the caller posts the
 * request on a MessagePort and sleeps on a shared flag (Atomics.wait) until the worker has posted
 * its answer and raised the flag; the answer is then taken off the port with receiveMessageOnPort,
 * so no event loop turn is needed on the caller's side. This keeps the store's read API
 * synchronous for the extension's views while the store itself lives in the receiver worker.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

/** A request on the sync port. */
export interface SyncRequest {
  id: number;
  op: string;
  args: unknown[];
}

/** An error carried across threads (its class is restored by `reviveError`'s table). */
export interface CarriedError {
  name: string;
  message: string;
  code?: string;
  pid?: number;
  dbPath?: string;
}

/** The answer to a SyncRequest. */
export interface SyncReply {
  id: number;
  value?: unknown;
  error?: CarriedError;
}

/** What the worker gets (in workerData; the port goes in the transfer list). */
export interface SyncEnd {
  port: MessagePort;
  flag: Int32Array;
}

/** Thrown when the worker does not answer in time (it is stuck or gone). */
export class WorkerTimeoutError extends Error {}

/** Error classes to restore by name; any other error comes back as a plain Error with its message. */
export type ErrorTable = Record<string, (e: CarriedError) => Error>;

/** The calling side. */
export class SyncCaller {
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private readonly channel = new MessageChannel();
  private seq = 0;

  constructor(
    private readonly errors: ErrorTable = {},
    private readonly timeoutMs = 60_000,
  ) {
    this.channel.port1.unref();
  }

  /** The worker's end, to pass in workerData (and its `port` in the transfer list). */
  get remote(): SyncEnd {
    return { port: this.channel.port2, flag: this.flag };
  }

  /** Runs `op` in the worker and returns its value, or throws its error; blocks this thread until then. */
  call<T>(op: string, args: unknown[] = [], transfer: ArrayBuffer[] = []): T {
    const id = ++this.seq;
    Atomics.store(this.flag, 0, 0);
    this.channel.port1.postMessage({ id, op, args } satisfies SyncRequest, transfer);
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const got = receiveMessageOnPort(this.channel.port1);
      if (got) {
        const r = got.message as SyncReply;
        if (r.id !== id) continue; // the late answer of a call that timed out
        if (r.error) throw reviveError(r.error, this.errors);
        return r.value as T;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new WorkerTimeoutError(`the receiver worker did not answer "${op}" within ${Math.round(this.timeoutMs / 1000)} s`);
      Atomics.wait(this.flag, 0, 0, left);
      Atomics.store(this.flag, 0, 0);
    }
  }

  close(): void {
    this.channel.port1.close();
  }
}

/** The worker's side: answers every request on `end.port` with `handle`, then wakes the caller. */
export function serveSync(end: SyncEnd, handle: (op: string, args: unknown[]) => unknown): void {
  end.port.on('message', (req: SyncRequest) => {
    let reply: SyncReply;
    try {
      reply = { id: req.id, value: handle(req.op, req.args) };
    } catch (e) {
      reply = { id: req.id, error: carryError(e) };
    }
    try {
      end.port.postMessage(reply);
    } catch (e) {
      end.port.postMessage({ id: req.id, error: carryError(e) } satisfies SyncReply); // not cloneable
    }
    Atomics.store(end.flag, 0, 1);
    Atomics.notify(end.flag, 0);
  });
}

/** An error as plain data. */
export function carryError(e: unknown): CarriedError {
  const err = e as Error & { code?: unknown; pid?: unknown; dbPath?: unknown };
  return {
    name: err?.constructor?.name ?? 'Error',
    message: err?.message ?? String(e),
    ...(typeof err?.code === 'string' ? { code: err.code } : {}),
    ...(typeof err?.pid === 'number' ? { pid: err.pid } : {}),
    ...(typeof err?.dbPath === 'string' ? { dbPath: err.dbPath } : {}),
  };
}

/** The error again, of its class when the table has it; `code` kept (EADDRINUSE…). */
export function reviveError(c: CarriedError, table: ErrorTable): Error {
  const e = table[c.name]?.(c) ?? new Error(c.message);
  if (c.code) (e as NodeJS.ErrnoException).code = c.code;
  return e;
}
