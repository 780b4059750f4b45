/** The results: a console table, a Markdown document for docs/performance.md, and JSON. */
import type { Row, Target } from './context.js';
import type { Ceiling } from './figures/ceiling.js';
import { fmt } from './stats.js';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  kernel: string;
  disk: string;
  nginx: string;
  curl: string;
}

export function targetText(t: Target | null, unit: string): string {
  if (!t) return '';
  switch (t.kind) {
    case 'ratio>=':
      return `ratio ≥ ${t.value}`;
    case 'ratio<=':
      return `ratio ≤ ${t.value}`;
    case 'value<':
      return `< ${t.value} ${unit}`;
    case 'value<=':
      return `≤ ${t.value} ${unit}`;
    case 'value==':
      return `= ${t.value}`;
  }
}

function cells(r: Row): string[] {
  const unit = r.unit === 'requests' ? '' : ` ${r.unit}`;
  return [
    r.figure ? String(r.figure) : '',
    r.what,
    `${fmt(r.jubjub)}${unit}`,
    r.baseline === null ? '' : `${fmt(r.baseline)}${unit} (${r.baselineName})`,
    r.ratio === null ? '' : fmt(r.ratio),
    targetText(r.target, r.unit),
    r.met === null ? '' : r.met ? 'yes' : 'NO',
  ];
}

const HEAD = ['#', 'figure', 'jubjub', 'baseline', 'ratio', 'target', 'met'];

export function consoleTable(rows: Row[]): string {
  const table = [HEAD, ...rows.map(cells)];
  const widths = HEAD.map((_, i) => Math.max(...table.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: string[]) => r.map((c, i) => c + ' '.repeat((widths[i] ?? 0) - [...c].length)).join('  ').trimEnd();
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(cells(r)))].join('\n');
}

export function markdownTable(rows: Row[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map((h) => (h === 'figure' ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((r) => `| ${cells(r).map(esc).join(' | ')} |`),
  ].join('\n');
}

export function ceilingTable(cs: Ceiling[]): string {
  return [
    '| server | requests | in flight | best of runs | requests/s | MB/s |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...cs.map((c) => `| ${c.server} | ${c.requests.toLocaleString('en-US')} | ${c.parallel} | ${c.seconds.toFixed(2)} s | ${fmt(c.requestsPerSecond)} | ${c.bytes ? fmt(c.megabytesPerSecond) : '–'} |`),
  ].join('\n');
}

export interface ReportInput {
  mode: string;
  revision: string;
  startedAt: string;
  durationS: number;
  machine: Machine;
  load: { start: number[]; end: number[] };
  corpus: string;
  rows: Row[];
  ceilings: Ceiling[];
}

export function markdownReport(r: ReportInput): string {
  const notes = r.rows.filter((x) => x.note).map((x) => `- ${x.figure ? `${x.figure}. ` : ''}${x.what}: ${x.note}`);
  return [
    `jubjub ${r.revision}, run of ${r.startedAt} (\`npm run bench${r.mode === 'quick' ? ' -- --quick' : ''}\`, ${r.durationS.toFixed(0)} s). ` +
      `Medians of the repetitions; ratio = jubjub ÷ baseline.`,
    '',
    `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB.toFixed(0)} GiB RAM, ${r.machine.disk}; ` +
      `Node ${r.machine.node}, Linux ${r.machine.kernel}, ${r.machine.nginx}, ${r.machine.curl}. ` +
      `Load average at start ${r.load.start.map((x) => x.toFixed(1)).join(' ')}, at end ${r.load.end.map((x) => x.toFixed(1)).join(' ')}.`,
    '',
    `Corpus: ${r.corpus}.`,
    '',
    markdownTable(r.rows),
    '',
    ...(notes.length ? [...notes, ''] : []),
    'Server ceilings (curl alone, bodies to /dev/null):',
    '',
    ceilingTable(r.ceilings),
    '',
  ].join('\n');
}
