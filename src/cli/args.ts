/** Command-line parsing: `jubjub <command> [options]`. Unknown options are usage errors. */
import { UsageError } from '../errors.js';

export interface Args {
  command: string;
  config: string;
  json: boolean;
  dryRun: boolean;
  repair: boolean;
  fast: boolean;
  port: number | null;
  host: string | null;
  projects: string[] | null;
}

const COMMANDS = new Set(['sync', 'daemon', 'rebuild', 'verify', 'status', 'check-config', 'serve', 'help', 'version']);

function takeValue(argv: string[], i: number, flag: string): string {
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('-')) throw new UsageError(`${flag} needs a value`);
  return v;
}

export function parseArgs(argv: string[]): Args {
  const args: Args = { command: '', config: 'mirror.yaml', json: false, dryRun: false, repair: false, fast: false, port: null, host: null, projects: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? takeValue(argv, i++, flag);
    switch (flag) {
      case '-c':
      case '--config':
        args.config = value();
        break;
      case '--json':
        args.json = true;
        break;
      case '--dry-run':
        args.dryRun = true;
        break;
      case '--repair':
        args.repair = true;
        break;
      case '--fast':
        args.fast = true;
        break;
      case '--host':
        args.host = value();
        break;
      case '--port': {
        const port = Number(value());
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port takes a number from 0 to 65535');
        args.port = port;
        break;
      }
      case '--project':
        args.projects ??= [];
        if (inline !== undefined) args.projects.push(inline);
        // `--project a b c`: every following word that is not an option is a name.
        while (argv[i + 1] !== undefined && !(argv[i + 1] ?? '').startsWith('-')) args.projects.push(argv[++i] ?? '');
        if (args.projects.length === 0) throw new UsageError('--project needs at least one name');
        break;
      case '-h':
      case '--help':
        args.command = 'help';
        break;
      case '-V':
      case '--version':
        args.command = 'version';
        break;
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
        if (args.command) throw new UsageError(`unexpected argument ${a}`);
        if (!COMMANDS.has(a)) throw new UsageError(`unknown command ${a} (try: jubjub help)`);
        args.command = a;
    }
  }
  if (!args.command) args.command = 'help';
  if (args.projects && args.command !== 'sync') throw new UsageError('--project goes with sync');
  if (args.dryRun && args.command !== 'rebuild') throw new UsageError('--dry-run goes with rebuild');
  if ((args.repair || args.fast) && args.command !== 'verify') throw new UsageError(`${args.repair ? '--repair' : '--fast'} goes with verify`);
  return args;
}

export const USAGE = `usage: jubjub <command> [-c mirror.yaml] [options]

commands:
  sync [--project NAME...]   follow upstream changes, fetch what the filters select, publish, prune
  daemon                     run sync on the configured schedule until SIGTERM, never two at once
  rebuild [--dry-run] [--json]
                             re-apply the filters to the mirror from cached metadata (a filter change)
  verify [--repair] [--fast] [--json]
                             check every file, page and link; --repair fixes what is wrong
  status [--json]            serials, last run, counts, failed and over-budget projects
  check-config               validate mirror.yaml and the files it names; print the effective configuration
  serve [--port N] [--host H] serve the mirror locally with PEP 691 content negotiation (not for production)

exit codes: 0 done, 1 some projects failed, 2 bad configuration or usage, 3 mirror locked
`;
