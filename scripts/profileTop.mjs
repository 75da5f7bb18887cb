// `node scripts/profileTop.mjs FILE.cpuprofile… [N]`: the N functions (default 30) with the most
// self time over the given CPU profiles (as TRACEFORK_PROFILE_DIR writes them), and each file's
// idle share, to see what a thread spends its time on.
import * as fs from 'node:fs';

const args = process.argv.slice(2);
const n = /^\d+$/.test(args.at(-1) ?? '') ? Number(args.pop()) : 30;
const self = new Map();
let total = 0;
for (const file of args) {
  const p = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byNode = new Map();
  p.samples.forEach((id, i) => byNode.set(id, (byNode.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  let idle = 0,
    all = 0;
  for (const node of p.nodes) {
    const us = byNode.get(node.id) ?? 0;
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + us);
    all += us;
    if (f.functionName === '(idle)') idle += us;
  }
  total += all;
  console.log(`${file}: ${(all / 1e6).toFixed(1)} s sampled, ${((100 * idle) / (all || 1)).toFixed(0)}% idle`);
}
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, n))
  console.log(`${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / (total || 1)).toFixed(1).padStart(5)}%  ${key}`);
