/**
 * Real clients for integration tests: `jubjub serve` over a mirror, and `python3 -m pip`
 * with this machine's pip configuration (extra indexes, find-links) switched off, so a
 * broken mirror cannot hide behind another index.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { spawnJubjub, type Mirror } from './harness.js';

/** Starts `jubjub serve` on a free port; returns its `/simple/` URL. Kill the child (pushed to `children`) when done. */
export async function serveMirror(m: Mirror, children: ChildProcess[]): Promise<string> {
  const child = spawnJubjub(['serve', '--port', '0', '-c', m.config]);
  children.push(child);
  for await (const line of createInterface({ input: child.stdout! })) {
    const url = /(http:\/\/127\.0\.0\.1:\d+\/simple\/)/.exec(line)?.[1];
    if (url) return url;
  }
  throw new Error('jubjub serve printed no URL');
}

export function pip(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('python3', ['-m', 'pip', ...args], { env: { ...process.env, PIP_CONFIG_FILE: '/dev/null' } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, out: `${stdout}\n${stderr}` });
    });
  });
}
