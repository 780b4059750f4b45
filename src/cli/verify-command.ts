/** `jubjub verify [--repair] [--fast] [--json]`: exit 1 when anything is (left) wrong. */
import { resumePending } from '../sync/sync.js';
import { repairMirror, type RepairResult } from '../verify/repair.js';
import type { VerifyReport } from '../verify/report.js';
import { verifyMirror } from '../verify/verify.js';
import type { Args } from './args.js';
import { humanBytes, limited } from './format.js';
import { withMirror } from './session.js';

const SHOWN = 20;

export function renderReport(r: VerifyReport, repair: RepairResult | null): string {
  const c = r.checked;
  const seconds = r.durationMs / 1000;
  const rate = r.mode === 'full' && seconds > 0 ? `, ${humanBytes(c.bytes / seconds)}/s` : '';
  const lines = [
    `verify (${r.mode}): ${c.projects} projects, ${c.files} files (${humanBytes(c.bytes)} hashed), ${c.metadata} metadata, ${c.pages} pages, ${c.links} links, ${c.walked} paths walked in ${seconds.toFixed(1)} s${rate}`,
  ];
  if (r.unfinishedRun) lines.push('an interrupted run is pending: `jubjub sync` finishes it');
  const n = r.counts;
  lines.push(r.ok ? 'everything checks out' : `problems: ${n.missing} missing, ${n.corrupt} corrupt, ${n.orphan} orphaned, ${n.page} pages, ${n.link} links, ${n.listing} listing`);
  lines.push(...limited(r.problems, SHOWN, (p) => `  ${p.kind}: ${p.path}: ${p.detail}`));
  if (repair) {
    lines.push(`repaired ${repair.repaired}; ${repair.unrepaired.length} left (those projects are marked failed and retried by the next sync)`);
    lines.push(...limited(repair.unrepaired, SHOWN, (p) => `  ${p.kind}: ${p.path}: ${p.detail}`));
  }
  return `${lines.join('\n')}\n`;
}

export function verifyCommand(args: Args): Promise<number> {
  const label = `verify${args.repair ? ' --repair' : ''}${args.fast ? ' --fast' : ''}`;
  return withMirror(args, label, async (ctx) => {
    // Repairing a half-finished run would fight it: finish it first, then check.
    if (args.repair) await resumePending(ctx);
    const report = await verifyMirror({ state: ctx.state, rootIndex: ctx.rootIndex, mirror: ctx.cfg.mirror }, { fast: args.fast });
    ctx.log.info({ mode: report.mode, ok: report.ok, ...report.counts, ...report.checked, durationMs: report.durationMs }, 'verify finished');
    const repair = args.repair && !report.ok ? await repairMirror(ctx, report) : null;
    if (repair) ctx.log.info({ repaired: repair.repaired, unrepaired: repair.unrepaired.length }, 'repair finished');
    process.stdout.write(args.json ? `${JSON.stringify({ ...report, repair }, null, 2)}\n` : renderReport(report, repair));
    if (repair) return repair.unrepaired.length > 0 ? 1 : 0;
    return report.ok ? 0 : 1;
  });
}
