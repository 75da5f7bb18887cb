/** Reads the length-prefixed request bodies that httpReplay.ts `writeBodies` wrote (for the replay clients). */
import * as fs from 'node:fs';

/** The bodies in file order. */
export function readBodies(file: string): Buffer[] {
  const data = fs.readFileSync(file);
  const bodies: Buffer[] = [];
  for (let off = 0; off < data.length;) {
    const len = data.readUInt32BE(off);
    bodies.push(data.subarray(off + 4, off + 4 + len));
    off += 4 + len;
  }
  return bodies;
}
