/**
 * A one-line progress display for runs on a terminal: projects and files done of total,
 * bytes, rate and ETA, redrawn in place on stderr. Nothing is drawn when stderr is not a
 * terminal, and nothing of it reaches the logs.
 */
import type { SyncContext } from '../sync/context.js';
import { humanBytes } from './format.js';

export interface ProgressSnapshot {
  projectsDone: number;
  projectsTotal: number;
  filesDone: number;
  filesTotal: number;
  bytes: number;
  elapsedMs: number;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function progressLine(p: ProgressSnapshot): string {
  const rate = p.elapsedMs > 0 ? (p.bytes * 1000) / p.elapsedMs : 0;
  const left = p.projectsTotal - p.projectsDone;
  // Projects finish at an uneven pace, but they are the one total known from the start.
  const eta = p.projectsDone > 0 && left > 0 ? duration((p.elapsedMs * left) / p.projectsDone) : '?';
  return `projects ${p.projectsDone}/${p.projectsTotal}  files ${p.filesDone}/${p.filesTotal}  ${humanBytes(p.bytes)}  ${humanBytes(rate)}/s  ETA ${left === 0 ? '0s' : eta}`;
}

/** Starts redrawing; returns the function that stops and clears the line. */
export function showProgress(ctx: SyncContext, stream: NodeJS.WriteStream = process.stderr): () => void {
  if (!stream.isTTY) return () => undefined;
  const started = Date.now();
  const bytesBefore = ctx.http.stats.bytes;
  const draw = () => {
    const p = ctx.progress;
    const line = progressLine({ ...p, bytes: ctx.http.stats.bytes - bytesBefore, elapsedMs: Date.now() - started });
    stream.write(`\r\x1b[K${line.slice(0, Math.max(20, (stream.columns || 80) - 1))}`);
  };
  draw();
  const timer = setInterval(draw, 250);
  timer.unref();
  return () => {
    clearInterval(timer);
    stream.write('\r\x1b[K');
  };
}
