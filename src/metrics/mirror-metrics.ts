/**
 * The metrics jubjub exports after each run, for node_exporter's textfile collector.
 * Everything comes from the status report (the state), so the file always agrees with
 * `jubjub status --json`.
 */
import type { StatusReport } from '../state/status.js';
import { renderExposition, type Family } from './exposition.js';

const seconds = (iso: string | null): number => (iso === null ? Number.NaN : Date.parse(iso) / 1000);

function gauge(name: string, help: string, value: number | null, labels?: Record<string, string>): Family {
  return { name, help, type: 'gauge', samples: [{ value: value ?? Number.NaN, ...(labels ? { labels } : {}) }] };
}

export function mirrorFamilies(s: StatusReport): Family[] {
  const r = s.lastRun;
  return [
    gauge('jubjub_serial', 'Upstream serial up to which every change is mirrored (NaN before the first full pass).', s.serial),
    gauge('jubjub_upstream_serial', 'The upstream serial when it was last asked.', s.upstreamSerial),
    gauge('jubjub_serial_lag', 'Upstream serial minus mirrored serial.', s.lag),
    gauge('jubjub_last_success_timestamp_seconds', 'End of the last run that finished with nothing failed (Unix time).', seconds(s.lastSuccessAt)),
    gauge('jubjub_last_run_timestamp_seconds', 'End of the last run, whatever its outcome (Unix time).', seconds(r?.endedAt ?? null)),
    gauge('jubjub_last_run_duration_seconds', 'Wall time of the last run.', r ? r.durationMs / 1000 : null),
    {
      name: 'jubjub_last_run_outcome',
      help: 'Outcome of the last run: 1 for the outcome it had, 0 for the other.',
      type: 'gauge',
      samples: (['ok', 'partial'] as const).map((o) => ({ labels: { outcome: o, command: r?.command ?? 'none' }, value: r?.outcome === o ? 1 : 0 })),
    },
    gauge('jubjub_published_projects', 'Projects the root listing publishes.', s.projects),
    gauge('jubjub_published_files', 'Distribution files the pages name.', s.files),
    gauge('jubjub_published_bytes', 'Bytes of the distribution files the pages name.', s.bytes),
    gauge('jubjub_last_run_files_added', 'Files downloaded and published by the last run.', r?.filesAdded ?? null),
    gauge('jubjub_last_run_bytes_added', 'Bytes downloaded and published by the last run.', r?.bytesAdded ?? null),
    gauge('jubjub_last_run_files_removed', 'Files the last run deleted.', r?.filesRemoved ?? null),
    gauge('jubjub_last_run_bytes_removed', 'Bytes the last run deleted.', r?.bytesRemoved ?? null),
    gauge('jubjub_last_run_failed_projects', 'Projects that failed in the last run.', r?.failed ?? null),
    gauge('jubjub_last_run_retries', 'Upstream requests the last run retried.', r?.retries ?? null),
    gauge('jubjub_failed_projects', 'Projects currently recorded as failed (retried by the next sync).', Object.keys(s.failed).length),
    gauge('jubjub_over_budget_projects', 'Projects max_project_size trimmed.', s.overBudget.length),
    gauge('jubjub_quarantined_projects', 'Projects with files min_age holds back.', s.quarantine.length),
    gauge('jubjub_unsatisfied_dependencies', 'Dependencies (dependencies: true) a deny rule or the upstream keeps out of the mirror.', s.unsatisfied.length),
    gauge('jubjub_unfinished_run', '1 while an interrupted run waits to be resumed.', s.unfinishedRun ? 1 : 0),
  ];
}

export function renderMirrorMetrics(s: StatusReport): string {
  return renderExposition(mirrorFamilies(s));
}
