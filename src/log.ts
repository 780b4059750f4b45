/**
 * pino loggers: JSON lines to stderr when not on a terminal (or `log.format: json`),
 * readable lines on a terminal. stdout stays free for command output (`--json`).
 */
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'auto' | 'json' | 'pretty';

export function createLogger(level: LogLevel, format: LogFormat): Logger {
  const pretty = format === 'pretty' || (format === 'auto' && process.stderr.isTTY === true);
  if (!pretty) return pino({ level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true }));
  // Loaded only on a terminal: unattended runs never pay for the pretty printer.
  const require = createRequire(import.meta.url);
  const pinoPretty = require('pino-pretty') as (opts: object) => NodeJS.WritableStream;
  // Each line first clears the terminal line, where a progress display may be drawn.
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      process.stderr.write(`\r\x1b[K${chunk.toString('utf8')}`);
      done();
    },
  });
  return pino({ level }, pinoPretty({ destination, sync: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }));
}
