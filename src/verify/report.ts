/** What verify found: one list of problems, each naming the path and what is wrong with it. */

export type ProblemKind =
  /** A published file or its `.metadata` is not on disk. */
  | 'missing'
  /** On disk, but its size or sha256 is not the recorded one. */
  | 'corrupt'
  /** On disk under the root, but nothing names it. */
  | 'orphan'
  /** A page is missing or does not say what the state says it should. */
  | 'page'
  /** A page links to something that is not a published file. */
  | 'link'
  /** The root listing disagrees with the published projects. */
  | 'listing';

export interface Problem {
  kind: ProblemKind;
  /** Path under the root (for `link`, the page holding the link). */
  path: string;
  project: string | null;
  detail: string;
}

export interface VerifyReport {
  mode: 'full' | 'fast';
  ok: boolean;
  durationMs: number;
  checked: { projects: number; files: number; bytes: number; metadata: number; pages: number; links: number; walked: number };
  counts: Record<ProblemKind, number>;
  problems: Problem[];
  /** An interrupted run is pending; `sync` (or `verify --repair`) finishes it first. */
  unfinishedRun: boolean;
}

export function countProblems(problems: readonly Problem[]): Record<ProblemKind, number> {
  const counts: Record<ProblemKind, number> = { missing: 0, corrupt: 0, orphan: 0, page: 0, link: 0, listing: 0 };
  for (const p of problems) counts[p.kind]++;
  return counts;
}
