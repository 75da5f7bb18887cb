/** Reading a request body within a size cap, and decompressing it within another (gzip bombs). */
import type * as http from 'node:http';
import * as zlib from 'node:zlib';
import { promisify } from 'node:util';
import { HttpError } from './respond';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);

/** Reads the whole body; 413 past maxBytes (the connection is closed so the rest is not read). */
export function readBody(req: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > maxBytes) return Promise.reject(tooLarge(`request body of ${declared} bytes exceeds the ${maxBytes}-byte limit`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        req.pause();
        reject(tooLarge(`request body exceeds the ${maxBytes}-byte limit`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', (e) => reject(new HttpError(400, `request body could not be read: ${e.message}`)));
  });
}

function tooLarge(message: string): HttpError {
  return new HttpError(413, message, { Connection: 'close' });
}

/** Undoes Content-Encoding; 413 when the result would pass maxBytes, 400 when it is not valid. */
export async function decompress(body: Buffer, encoding: string | undefined, maxBytes: number): Promise<Buffer> {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  const opts = { maxOutputLength: maxBytes };
  try {
    if (enc === '' || enc === 'identity' || enc === 'none') return body;
    if (enc === 'gzip' || enc === 'x-gzip') return await gunzip(body, opts);
    if (enc === 'deflate') return await inflate(body, opts).catch(() => inflateRaw(body, opts));
  } catch (e) {
    if (e instanceof RangeError || (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw tooLarge(`decompressed body exceeds the ${maxBytes}-byte limit`);
    }
    throw new HttpError(400, `body is not valid ${enc} data: ${(e as Error).message}`);
  }
  throw new HttpError(415, `unsupported Content-Encoding "${enc}"; supported: gzip, deflate, identity`);
}
