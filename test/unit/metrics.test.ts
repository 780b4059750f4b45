import { describe, expect, test } from 'vitest';
import { renderExposition } from '../../src/metrics/exposition.js';
import { renderMirrorMetrics } from '../../src/metrics/mirror-metrics.js';
import type { StatusReport } from '../../src/state/status.js';

/** One line of the text format: a comment, or `name{labels} value`. */
const SAMPLE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (NaN|[+-]Inf|-?\d+(\.\d+)?(e[+-]?\d+)?)$/;

function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# TYPE ')) {
      typed.add(line.split(' ')[2] ?? '');
      continue;
    }
    if (line.startsWith('# HELP ')) continue;
    expect(line).toMatch(SAMPLE);
    const [key, value] = [line.slice(0, line.lastIndexOf(' ')), line.slice(line.lastIndexOf(' ') + 1)];
    expect(typed.has(key.replace(/\{.*$/, '')), `TYPE before ${key}`).toBe(true);
    out.set(key, Number(value));
  }
  return out;
}

const status: StatusReport = {
  serial: 120,
  upstreamSerial: 125,
  lag: 5,
  lastRun: {
    command: 'sync', startedAt: '2026-11-21T10:00:00.000Z', endedAt: '2026-11-21T10:00:30.500Z', durationMs: 30_500, outcome: 'partial',
    serialFrom: 100, serialTo: 120, projects: 7, failed: 1, filesAdded: 12, bytesAdded: 3456, filesRemoved: 2, bytesRemoved: 78, requests: 30, retries: 4,
  },
  lastSuccessAt: '2026-11-21T09:50:00.000Z',
  projects: 40,
  files: 300,
  bytes: 123456789,
  failed: { numpy: { error: 'boom', code: 'E_HTTP', at: '2026-11-21T10:00:30.500Z', serial: 119 } },
  overBudget: ['tensorflow'],
  quarantine: [{ name: 'fresh', releasedAt: '2026-11-22T00:00:00.000Z' }],
  unsatisfied: [{ name: 'evil', reason: 'denied', via: ['filters.allow[0]: app', 'app 1.0: evil>=1'] }],
  unfinishedRun: null,
};

describe('exposition format', () => {
  test('escapes help and label values; formats integers, fractions and NaN', () => {
    const text = renderExposition([
      { name: 'x_total', help: 'a \\ b\nc', type: 'counter', samples: [{ labels: { path: 'a"b\\c\nd' }, value: 1.5 }, { value: Number.NaN }] },
    ]);
    expect(text).toBe('# HELP x_total a \\\\ b\\nc\n# TYPE x_total counter\nx_total{path="a\\"b\\\\c\\nd"} 1.5\nx_total NaN\n');
    expect(() => renderExposition([{ name: 'bad-name', help: '', type: 'gauge', samples: [] }])).toThrow();
  });

  test('the mirror metrics carry the status report', () => {
    const m = parse(renderMirrorMetrics(status));
    expect(m.get('jubjub_serial')).toBe(120);
    expect(m.get('jubjub_serial_lag')).toBe(5);
    expect(m.get('jubjub_last_success_timestamp_seconds')).toBe(Date.parse('2026-11-21T09:50:00.000Z') / 1000);
    expect(m.get('jubjub_last_run_duration_seconds')).toBe(30.5);
    expect(m.get('jubjub_last_run_outcome{outcome="partial",command="sync"}')).toBe(1);
    expect(m.get('jubjub_last_run_outcome{outcome="ok",command="sync"}')).toBe(0);
    expect(m.get('jubjub_published_bytes')).toBe(123456789);
    expect(m.get('jubjub_last_run_bytes_added')).toBe(3456);
    expect(m.get('jubjub_failed_projects')).toBe(1);
    expect(m.get('jubjub_over_budget_projects')).toBe(1);
    expect(m.get('jubjub_unsatisfied_dependencies')).toBe(1);
  });

  test('before any run: NaN where there is nothing to report', () => {
    const m = parse(renderMirrorMetrics({ ...status, serial: null, lag: null, lastRun: null, lastSuccessAt: null }));
    expect(m.get('jubjub_serial')).toBeNaN();
    expect(m.get('jubjub_last_success_timestamp_seconds')).toBeNaN();
    expect(m.get('jubjub_last_run_outcome{outcome="ok",command="none"}')).toBe(0);
  });
});
