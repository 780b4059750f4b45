/** `jubjub status [--json]`: read-only, no lock and no network, safe for monitoring. */
import { loadConfig } from '../config/load.js';
import { RootIndex } from '../publish/root-index.js';
import { buildStatus, type StatusReport } from '../state/status.js';
import { StateStore } from '../state/store.js';
import { Storage } from '../storage/storage.js';
import type { Args } from './args.js';
import { humanBytes, limited } from './format.js';

/** Lines per list in the human output; a broken upstream can fail thousands of projects. */
const SHOWN = 20;

function render(s: StatusReport): string {
  const lines = [
    `serial:        mirrored ${s.serial ?? 'never'}, upstream ${s.upstreamSerial ?? 'unknown'}${s.lag !== null ? `, lag ${s.lag}` : ''}`,
    `published:     ${s.projects} projects, ${s.files} files, ${humanBytes(s.bytes)}`,
  ];
  const r = s.lastRun;
  if (r) {
    lines.push(
      `last run:      ${r.command}: ${r.outcome}, ${r.startedAt} → ${r.endedAt} (${(r.durationMs / 1000).toFixed(1)} s)`,
      `               +${r.filesAdded} files (${humanBytes(r.bytesAdded)}), -${r.filesRemoved} files (${humanBytes(r.bytesRemoved)}), ${r.failed} failed, ${r.retries} retries`,
    );
  } else lines.push('last run:      none');
  lines.push(`last success:  ${s.lastSuccessAt ?? 'never'}`);
  if (s.unfinishedRun) {
    const u = s.unfinishedRun;
    lines.push(`unfinished:    ${u.command} from ${u.startedAt}, ${u.done}/${u.projects} projects done (resumes on next sync)`);
  }
  const failed = Object.entries(s.failed);
  lines.push(`failed:        ${failed.length}`);
  lines.push(...limited(failed, SHOWN, ([name, f]) => `  ${name}: ${f.code} ${f.error}`));
  lines.push(`over budget:   ${s.overBudget.length}`);
  lines.push(...limited(s.overBudget, SHOWN, (name) => `  ${name}`));
  lines.push(`quarantine:    ${s.quarantine.length}${s.quarantine.length > 0 ? ' (min_age: files held back until the time shown)' : ''}`);
  lines.push(...limited(s.quarantine, SHOWN, (q) => `  ${q.name}: ${q.releasedAt}`));
  if (s.unsatisfied.length > 0) {
    lines.push(`unsatisfied:   ${s.unsatisfied.length} dependencies cannot be mirrored; installs that need them will fail`);
    lines.push(...limited(s.unsatisfied, SHOWN, (u) => `  ${u.name}: ${u.reason}, via ${u.via.join(' → ')}`));
  }
  return `${lines.join('\n')}\n`;
}

export async function statusCommand(args: Args): Promise<number> {
  const cfg = await loadConfig(args.config);
  const storage = new Storage(cfg.mirror.root, cfg.mirror.state);
  const report = await buildStatus(new StateStore(storage), new RootIndex(storage));
  process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : render(report));
  return 0;
}
