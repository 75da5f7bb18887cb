/** Messages between the extension host and the receiver worker (receiverWorker.ts). */
import type { ForwardEvent, ForwardStats } from '../forward';
import type { ProxyOptions } from '../../proxy/routes';
import type { Retention } from '../../store/store';
import type { CarriedError } from './syncChannel';

/** Asynchronous requests (start-up, listening, shutting down), answered by a `reply`. */
export type WorkerRequest =
  | { op: 'open'; db: string; retention: Partial<Retention> }
  | { op: 'setRetention'; retention: Partial<Retention> }
  | { op: 'forward'; url: string; headers: Record<string, string>; maxQueueBytes: number }
  | { op: 'listenHttp'; host: string; port: number; info: Record<string, unknown>; proxy: Pick<ProxyOptions, 'upstream' | 'mcpServers'> }
  | { op: 'listenGrpc'; host: string; port: number; info: Record<string, unknown> }
  | { op: 'closeGrpc' }
  /** A store query answered asynchronously (the views: this thread is not blocked while the worker is busy). */
  | { op: 'query'; method: string; args: unknown[] }
  | { op: 'stop' };

/** A request with its id. */
export type WorkerCall = WorkerRequest & { id: number };

/** What the worker posts to the host. */
export type WorkerMessage =
  | { type: 'reply'; id: number; value?: unknown; error?: CarriedError }
  /** Traces indexed since the last one (coalesced over a few milliseconds). */
  | { type: 'changed'; ids: string[] }
  /** The store recovered damage or could not write a snapshot: told to the user. */
  | { type: 'storeWarning'; message: string }
  /** A line for the log (receiver warnings, the proxies). */
  | { type: 'log'; line: string }
  /** A refused request (status or gRPC code, reason). */
  | { type: 'rejected'; status: number | string; reason: string }
  /** Forwarding: an event, and the counters now. */
  | { type: 'forward'; event: ForwardEvent | null; stats: ForwardStats };
