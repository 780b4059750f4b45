/**
 * Summarizes a V8 .cpuprofile (from `npm run bench -- --profile`): the functions with
 * the most self time, and the source files with the most self time.
 *
 *   node bench/dist/bench/profile-summary.js FILE.cpuprofile [TOP]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: profile-summary.js FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
// Piped into `head`: stop quietly when the reader goes away.
process.stdout.on('error', () => process.exit(0));
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
const total = (p.endTime - p.startTime) / 1000;

const shortUrl = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'node_modules/').replace(/^.*\/(dist|src)\//, '$1/');
const fnKey = (n: Node) => `${n.callFrame.functionName || '(anonymous)'}  ${shortUrl(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
const fileKey = (n: Node) => {
  const u = shortUrl(n.callFrame.url);
  if (!u) return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : '(native)';
  return u.startsWith('node_modules/') ? u.split('/').slice(0, u.startsWith('node_modules/@') ? 3 : 2).join('/') : u;
};

function table(title: string, key: (n: Node) => string): void {
  const sums = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (n) sums.set(key(n), (sums.get(key(n)) ?? 0) + us / 1000);
  }
  process.stdout.write(`\n${title}\n`);
  for (const [k, ms] of [...sums].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${ms.toFixed(0).padStart(8)} ms ${((ms / total) * 100).toFixed(1).padStart(5)}%  ${k}\n`);
  }
}

process.stdout.write(`${file}: ${total.toFixed(0)} ms profiled\n`);
table('self time by function', fnKey);
table('self time by file or package', fileKey);
