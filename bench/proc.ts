/** Child processes, timed from the outside: wall time and peak RSS, as an operator would see them. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = path.join(REPO, 'bin/jubjub.js');
const GNU_TIME = '/usr/bin/time';

export interface Timed {
  code: number;
  wallMs: number;
  /** Peak resident set size in bytes (GNU time's %M), or null when unavailable. */
  maxRss: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Append stderr here instead of keeping it in memory (jubjub logs there). */
  stderrFile?: string;
  /** Discard stdout (e.g. a command that prints a lot we do not need). */
  ignoreStdout?: boolean;
  timeoutMs?: number;
}

/** Runs `cmd args` under GNU time (when installed) and measures its wall time from here. */
export async function timed(cmd: string, args: string[], opts: RunOptions = {}): Promise<Timed> {
  const useTime = existsSync(GNU_TIME);
  const scratch = await mkdtemp(path.join(tmpdir(), 'jubjub-bench-time-'));
  const timeFile = path.join(scratch, 'time');
  const argv = useTime ? [GNU_TIME, '-f', '%M', '-o', timeFile, cmd, ...args] : [cmd, ...args];
  const errFh = opts.stderrFile ? await open(opts.stderrFile, 'a') : null;
  try {
    return await new Promise<Timed>((resolve, reject) => {
      const started = process.hrtime.bigint();
      const child = spawn(argv[0]!, argv.slice(1), {
        cwd: opts.cwd,
        env: { ...process.env, ...opts.env },
        stdio: ['ignore', opts.ignoreStdout ? 'ignore' : 'pipe', errFh ? errFh.fd : 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout?.on('data', (b: Buffer) => out.push(b));
      child.stderr?.on('data', (b: Buffer) => err.push(b));
      const timer = opts.timeoutMs
        ? setTimeout(() => {
            child.kill('SIGKILL');
          }, opts.timeoutMs)
        : null;
      child.on('error', reject);
      child.on('close', (code, signal) => {
        const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
        if (timer) clearTimeout(timer);
        const rss = async (): Promise<number | null> => {
          if (!useTime) return null;
          const text = await readFile(timeFile, 'utf8').catch(() => '');
          // GNU time prints "Command exited with non-zero status N" before the format line.
          const kb = Number(text.trim().split('\n').pop());
          return Number.isFinite(kb) && kb > 0 ? kb * 1024 : null;
        };
        void rss().then((maxRss) =>
          resolve({
            code: code ?? (signal ? 128 : 1),
            wallMs,
            maxRss,
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(err).toString('utf8'),
          }),
        );
      });
    });
  } finally {
    await errFh?.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

let profileDir: string | null = null;

/** From now on, every jubjub process writes a V8 CPU profile into `dir` (null: stop). */
export function profileJubjub(dir: string | null): void {
  profileDir = dir;
}

/** `jubjub <args>` as a real child process (bin/jubjub.js on this Node). */
export function jubjub(args: string[], opts: RunOptions = {}): Promise<Timed> {
  const node = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=jubjub-${args[0] ?? 'run'}-${Date.now()}.cpuprofile`] : [];
  return timed(process.execPath, [...node, BIN, ...args], opts);
}

/** A shell pipeline, timed as a whole. */
export function sh(script: string, opts: RunOptions = {}): Promise<Timed> {
  return timed('/bin/sh', ['-c', script], opts);
}

/** Runs and throws unless it exits 0. */
export async function must(what: string, p: Promise<Timed>): Promise<Timed> {
  const r = await p;
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${(r.stderr || r.stdout).slice(-2000)}`);
  return r;
}

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
