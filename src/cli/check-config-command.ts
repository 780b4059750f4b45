/** `jubjub check-config`: validate mirror.yaml and every file it names; print the effective configuration. */
import { stringify } from 'yaml';
import { loadConfig } from '../config/load.js';
import { describeFilters, loadFilters } from '../planner/filters/compile.js';
import type { Args } from './args.js';

export async function checkConfigCommand(args: Args): Promise<number> {
  const cfg = await loadConfig(args.config);
  const filters = await loadFilters(cfg.filters);
  const effective = { ...cfg, filters: { ...cfg.filters, compiled: describeFilters(filters) } };
  process.stdout.write(args.json ? `${JSON.stringify(effective, null, 2)}\n` : stringify(effective));
  process.stderr.write(`${cfg.file}: configuration is valid\n`);
  return 0;
}
