/**
 * A small shell kept running beside jubjub that runs `sync -f DIR` (coreutils' front end
 * to `syncfs(2)`, which Node has no binding for) each time it reads a line, and answers
 * `ok` or `fail`. Spawning `sync` from Node for every flush forked the whole process each
 * time: in a profiled first sync that was 6.5 s of the main thread. The shell forks
 * instead, and it is small. Where `sync -f` is missing (coreutils before 8.24, BSDs),
 * plain `sync` flushes every filesystem instead.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';

/** A child's `pipe` stdio streams are sockets, which can be unreferenced. */
const socket = (stream: Readable | Writable): Socket => stream as Socket;

const SCRIPT = `while read -r _; do
  if "$2" -f "$1" || "$2"; then echo ok; else echo fail; fi
done`;

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

export class SyncHelper {
  private child: ChildProcessWithoutNullStreams | null = null;
  private readonly waiting: Waiter[] = [];
  private pendingText = '';
  private stderr = '';

  /** `command` is `sync` but for tests. */
  constructor(private readonly dir: string, private readonly command = 'sync') {}

  /** Resolves when one `sync -f` that started after this call has finished. */
  sync(): Promise<void> {
    const child = this.child ?? this.start();
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      // Held open only while an answer is awaited: an idle helper never keeps jubjub alive.
      socket(child.stdout).ref();
      child.stdin.write('\n');
    });
  }

  close(): void {
    this.child?.stdin.end();
    this.child = null;
  }

  private start(): ChildProcessWithoutNullStreams {
    const child = spawn('/bin/sh', ['-c', SCRIPT, 'jubjub-sync', this.dir, this.command], { stdio: 'pipe' });
    this.child = child;
    child.stdout.setEncoding('utf8').on('data', (text: string) => this.read(text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      this.stderr = (this.stderr + text).slice(-500);
    });
    const gone = (why: string) => {
      if (this.child === child) this.child = null;
      this.failAll(why);
    };
    child.on('error', (err) => gone(err.message));
    child.on('exit', (code, signal) => gone(`the sync helper exited (${code ?? signal})`));
    child.stdin.on('error', (err) => gone(err.message));
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) socket(stream).unref();
    return child;
  }

  private read(text: string): void {
    this.pendingText += text;
    for (let nl = this.pendingText.indexOf('\n'); nl >= 0; nl = this.pendingText.indexOf('\n')) {
      const answer = this.pendingText.slice(0, nl);
      this.pendingText = this.pendingText.slice(nl + 1);
      const waiter = this.waiting.shift();
      if (this.waiting.length === 0 && this.child) socket(this.child.stdout).unref();
      if (answer === 'ok') waiter?.resolve();
      else waiter?.reject(new Error(`${this.command} -f ${this.dir}: ${this.stderr.trim() || 'failed'}`));
      this.stderr = '';
    }
  }

  private failAll(why: string): void {
    const err = new Error(`${this.command} -f ${this.dir}: ${this.stderr.trim() || why}`);
    for (const waiter of this.waiting.splice(0)) waiter.reject(err);
  }
}
