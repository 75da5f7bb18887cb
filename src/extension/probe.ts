/** Asking whoever holds a port whether it is a Tracefork receiver. */
import * as http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { INFO_PATH } from '../core/receiver/server';
import { GRPC_INFO_PATH } from '../core/receiver/grpc';

/** What a Tracefork receiver says about itself. */
export interface TraceforkInfo {
  service: 'tracefork';
  pid: number;
  db?: string;
  workspace?: string;
}

/** The receiver's info, null when the port answers but is not Tracefork, 'closed' when nothing answers. */
export function probeTracefork(host: string, port: number, timeoutMs = 1500): Promise<TraceforkInfo | null | 'closed'> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: INFO_PATH, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c.length < 65536 ? c : ''));
      res.on('end', () => {
        try {
          const info = JSON.parse(body) as Partial<TraceforkInfo>;
          resolve(res.statusCode === 200 && info.service === 'tracefork' ? (info as TraceforkInfo) : null);
        } catch {
          resolve(null);
        }
      });
    });
    req.on('timeout', () => (req.destroy(), resolve(null)));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED' ? 'closed' : null));
  });
}

/** The info of a Tracefork gRPC receiver on host:port, or null when whatever holds the port is not Tracefork. */
export function probeTraceforkGrpc(host: string, port: number, timeoutMs = 1500): Promise<TraceforkInfo | null> {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const raw = (b: Buffer) => b;
  return new Promise((resolve) => {
    client.makeUnaryRequest(GRPC_INFO_PATH, raw, raw, Buffer.alloc(0), new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
      client.close();
      try {
        const info = !err && res ? (JSON.parse(res.toString()) as Partial<TraceforkInfo>) : null;
        resolve(info?.service === 'tracefork' ? (info as TraceforkInfo) : null);
      } catch {
        resolve(null);
      }
    });
  });
}
