#!/usr/bin/env node
/**
 * The CLI edge: parse, load configuration, run one command, map errors to exit codes.
 * A mistake the user can fix prints one line, never a stack trace.
 */
import { JubjubError, errorMessage } from '../errors.js';
import { VERSION } from '../version.js';
import { USAGE, parseArgs } from './args.js';

const EXIT: Partial<Record<string, number>> = { E_CONFIG: 2, E_USAGE: 2, E_LOCKED: 3 };

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const code = err instanceof JubjubError ? (EXIT[err.code] ?? 1) : 1;
    process.stderr.write(`jubjub: ${errorMessage(err)}\n`);
    if (!(err instanceof JubjubError) && process.env.JUBJUB_DEBUG) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
    process.exitCode = code;
  },
);
