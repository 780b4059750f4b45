#!/usr/bin/env node
/**
 * The CLI edge: parse, load configuration, run one command, map errors to exit codes.
 * A mistake the user can fix prints one line, never a stack trace.
 */
import { JubjubError, errorMessage } from '../errors.js';
import { VERSION } from '../version.js';
import { USAGE, parseArgs, type Args } from './args.js';

// E_INTERRUPTED reaches here only from a stop before the run began (its feed request was
// waiting to be retried): nothing was changed, and a stop exits 0.
const EXIT: Partial<Record<string, number>> = { E_CONFIG: 2, E_USAGE: 2, E_LOCKED: 3, E_INTERRUPTED: 0 };

async function main(args: Args): Promise<number> {
  switch (args.command) {
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case 'version':
      process.stdout.write(`jubjub ${VERSION}\n`);
      return 0;
    case 'sync':
      return (await import('./sync-command.js')).syncCommand(args);
    case 'rebuild':
      return (await import('./rebuild-command.js')).rebuildCommand(args);
    case 'verify':
      return (await import('./verify-command.js')).verifyCommand(args);
    case 'daemon':
      return (await import('./daemon-command.js')).daemonCommand(args);
    case 'status':
      return (await import('./status-command.js')).statusCommand(args);
    case 'check-config':
      return (await import('./check-config-command.js')).checkConfigCommand(args);
    case 'serve':
      return (await import('./serve-command.js')).serveCommand(args);
    default:
      process.stdout.write(USAGE);
      return 2;
  }
}

let command = '';
Promise.resolve()
  .then(() => {
    const args = parseArgs(process.argv.slice(2));
    command = args.command;
    return main(args);
  })
  .then(
    (code) => {
      process.exitCode = code;
      // A stopped daemon may leave sockets or timers of an abandoned run behind.
      if (command === 'daemon') process.exit(code);
    },
    (err: unknown) => {
      const code = err instanceof JubjubError ? (EXIT[err.code] ?? 1) : 1;
      process.stderr.write(`jubjub: ${errorMessage(err)}\n`);
      if (!(err instanceof JubjubError) && process.env.JUBJUB_DEBUG) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
      process.exitCode = code;
    },
  );
