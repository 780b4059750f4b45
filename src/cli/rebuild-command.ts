/** `jubjub rebuild [--dry-run] [--json]`: re-apply the filters to the mirror. */
import type { ProjectPreview } from '../sync/preview.js';
import { previewRebuild, runRebuild, type DependencyPreview, type RebuildPreview } from '../sync/rebuild.js';
import type { Args } from './args.js';
import { humanBytes, limited } from './format.js';
import { showProgress } from './progress.js';
import { withMirror } from './session.js';

const SHOWN = 10;

function largest(projects: ProjectPreview[], key: 'downloadBytes' | 'freeBytes'): ProjectPreview[] {
  return projects.filter((p) => p[key] > 0).sort((a, b) => b[key] - a[key]);
}

function renderDependencies(d: DependencyPreview): string[] {
  const lines: string[] = [];
  const fresh = d.projects.filter((x) => x.new);
  lines.push(`dependencies: ${d.projects.length} project(s) selected only as dependencies; ${fresh.length} new, ${d.dropped.length} dropped`);
  lines.push(...limited(fresh, SHOWN, (x) => `  + ${x.name}: via ${x.via.join(' → ')}`));
  lines.push(...limited(d.dropped, SHOWN, (n) => `  - ${n}`));
  if (d.unreachable.length > 0) {
    lines.push(`unsatisfied: ${d.unreachable.length} dependencies cannot be mirrored; the allowlist cannot be installed in full`);
    lines.push(...limited(d.unreachable, SHOWN, (u) => `  ${u.name}: ${u.reason}, via ${u.via.join(' → ')}`));
  }
  return lines;
}

export function renderPreview(p: RebuildPreview): string {
  const lines = [
    'rebuild plan (dry run: nothing was changed)',
    `  projects:    ${p.visited} checked; ${p.added} added, ${p.removed} removed, ${p.changed} changed`,
    `  download:    ${p.downloadFiles} files, ${humanBytes(p.downloadBytes)}`,
    `  delete:      ${p.deleteFiles} files, ${humanBytes(p.freeBytes)} freed`,
    `  over budget: ${p.overBudget.length}${p.overBudget.length > 0 ? `: ${p.overBudget.slice(0, SHOWN).join(', ')}${p.overBudget.length > SHOWN ? ', ...' : ''}` : ''}`,
  ];
  if (p.fetched.length > 0) lines.push(`  metadata fetched for ${p.fetched.length} never-fetched project(s): ${p.fetched.slice(0, SHOWN).join(', ')}${p.fetched.length > SHOWN ? ', ...' : ''}`);
  if (p.failed.length > 0) {
    lines.push(`  could not plan ${p.failed.length} project(s):`);
    lines.push(...limited(p.failed, SHOWN, (f) => `    ${f.name}: ${f.error}`));
  }
  if (p.unfinishedRun) lines.push('  an interrupted run is pending: rebuild finishes it first');
  const added = p.projects.filter((x) => x.change === 'added').map((x) => x.name);
  const removed = p.projects.filter((x) => x.change === 'removed').map((x) => x.name);
  if (added.length > 0) lines.push('projects added:', ...limited(added, SHOWN, (n) => `  ${n}`));
  if (removed.length > 0) lines.push('projects removed:', ...limited(removed, SHOWN, (n) => `  ${n}`));
  const downloads = largest(p.projects, 'downloadBytes');
  if (downloads.length > 0) lines.push('largest downloads:', ...limited(downloads, SHOWN, (x) => `  ${x.name}: ${x.download.length} files, ${humanBytes(x.downloadBytes)}`));
  const frees = largest(p.projects, 'freeBytes');
  if (frees.length > 0) lines.push('largest deletions:', ...limited(frees, SHOWN, (x) => `  ${x.name}: ${x.delete.length} files, ${humanBytes(x.freeBytes)}`));
  if (p.dependencies) lines.push(...renderDependencies(p.dependencies));
  lines.push('(rebuild --dry-run --json prints the whole plan)');
  return `${lines.join('\n')}\n`;
}

export function rebuildCommand(args: Args): Promise<number> {
  return withMirror(args, args.dryRun ? 'rebuild --dry-run' : 'rebuild', async (ctx) => {
    if (args.dryRun) {
      const preview = await previewRebuild(ctx);
      process.stdout.write(args.json ? `${JSON.stringify(preview, null, 2)}\n` : renderPreview(preview));
      return preview.failed.length > 0 ? 1 : 0;
    }
    const hide = showProgress(ctx);
    const result = await runRebuild(ctx).finally(hide);
    if (args.json) process.stdout.write(`${JSON.stringify({ ...result.summary, missing: result.missing }, null, 2)}\n`);
    if (result.interrupted) return 0;
    return result.summary.failed > 0 ? 1 : 0;
  });
}
