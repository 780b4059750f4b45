/**
 * The shipped systemd units, checked by systemd itself: `systemd-analyze verify` (syntax,
 * known directives and values, an executable ExecStart) and `systemd-analyze security
 * --offline=yes` (the hardening's exposure score). Skipped where systemd-analyze is not
 * installed; .ci/setup-system.sh installs it (Debian package `systemd`). The static checks
 * on the unit text run everywhere.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, REPO } from './harness.js';

const UNIT_DIR = path.join(REPO, 'systemd');
const SERVICES = ['jubjub.service', 'jubjub-sync.service'] as const;
const UNITS = [...SERVICES, 'jubjub-sync.timer'] as const;

/** Where the units expect jubjub (systemd/README.md); ExecStart must start with exactly this. */
const SHIPPED_EXEC = '/usr/bin/node /opt/jubjub/bin/jubjub.js ';

/**
 * `systemd-analyze security` scores 0 (locked down) to 10. The units score 1.3 with
 * systemd 252; dropping any one of SystemCallFilter=, CapabilityBoundingSet= or the
 * Protect*= lines takes them to 2.6 or more, so 2.0 catches a lost hardening line
 * without failing on the small re-weightings between systemd versions.
 */
const MAX_EXPOSURE = 2.0;

/** Settings that legitimately differ between the oneshot and the daemon; all others are the shared hardening. */
const PER_SERVICE_KEYS = new Set([
  'Type',
  'ExecStart',
  'SuccessExitStatus',
  'Restart',
  'RestartSec',
  'RestartPreventExitStatus',
]);

const hasAnalyze = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function analyze(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      'systemd-analyze',
      ['--no-pager', ...args],
      // No colour codes in what the assertions read.
      { env: { ...process.env, SYSTEMD_COLORS: '0' } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** One ExecStart argument in systemd's syntax: `%` starts a specifier, blanks split words. */
function execArg(arg: string): string {
  const escaped = arg.replaceAll('%', '%%');
  return /[\s"'\\]/.test(escaped) ? `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"` : escaped;
}

/**
 * The unit as it would run from this checkout: verify checks that ExecStart's program is
 * executable, and CI has no /opt/jubjub, and its node need not be /usr/bin/node (the Node 24
 * pass runs one from a temporary prefix). User=jubjub stays as shipped: systemd 252 resolves users only
 * when a service starts, so verify does not warn about a user this machine lacks.
 */
function localize(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (!line.startsWith('ExecStart=')) return line;
      const rest = line.slice('ExecStart='.length);
      if (!rest.startsWith(SHIPPED_EXEC)) throw new Error(`unexpected ExecStart (want ${SHIPPED_EXEC}...): ${line}`);
      return `ExecStart=${execArg(process.execPath)} ${execArg(BIN)} ${rest.slice(SHIPPED_EXEC.length)}`;
    })
    .join('\n');
}

/** `Key=Value` lines of one section, in order (comments and blanks dropped). */
function section(text: string, name: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = header[1] ?? '';
      continue;
    }
    if (current !== name) continue;
    const eq = line.indexOf('=');
    if (eq > 0) out.push([line.slice(0, eq), line.slice(eq + 1)]);
  }
  return out;
}

function values(entries: Array<[string, string]>, key: string): string[] {
  return entries.filter(([k]) => k === key).map(([, v]) => v);
}

async function readUnit(name: string): Promise<string> {
  return readFile(path.join(UNIT_DIR, name), 'utf8');
}

describe('systemd units: what the text promises', () => {
  it('both services share one hardening block, with the settings systemd/README.md documents', async () => {
    const blocks: Array<Array<[string, string]>> = [];
    for (const name of SERVICES) {
      const service = section(await readUnit(name), 'Service');
      blocks.push(service.filter(([k]) => !PER_SERVICE_KEYS.has(k)));

      expect(values(service, 'User'), name).toEqual(['jubjub']);
      expect(values(service, 'ProtectSystem'), name).toEqual(['strict']);
      expect(values(service, 'ReadWritePaths'), name).toEqual(['/srv/jubjub -/var/lib/prometheus/node-exporter']);
      expect(values(service, 'UMask'), name).toEqual(['0022']);
      expect(values(service, 'CapabilityBoundingSet'), name).toEqual(['']);
      expect(values(service, 'NoNewPrivileges'), name).toEqual(['yes']);
      expect(values(service, 'RestrictAddressFamilies'), name).toEqual(['AF_INET AF_INET6 AF_UNIX']);
      expect(values(service, 'SystemCallFilter')[0], name).toBe('@system-service @pkey');
      expect(values(service, 'KillMode'), name).toEqual(['mixed']);
      // V8's JIT maps memory writable and executable: this setting would kill node at start.
      expect(values(service, 'MemoryDenyWriteExecute'), name).toEqual([]);
      // Node reads /proc/meminfo to size its heap; ProcSubset=pid would hide it.
      expect(values(service, 'ProcSubset'), name).toEqual([]);
    }
    expect(blocks[0]).toEqual(blocks[1]);
  });

  it('the daemon restarts on failure but not on a configuration error; the timer drives the oneshot', async () => {
    const daemon = await readUnit('jubjub.service');
    const service = section(daemon, 'Service');
    expect(values(service, 'Type')).toEqual(['exec']);
    expect(values(service, 'ExecStart')[0]).toMatch(/ daemon -c \/etc\/jubjub\/mirror\.yaml$/);
    expect(values(service, 'Restart')).toEqual(['on-failure']);
    expect(values(service, 'RestartPreventExitStatus')).toEqual(['2']);
    expect(values(section(daemon, 'Unit'), 'Conflicts')).toEqual(['jubjub-sync.timer jubjub-sync.service']);
    expect(values(section(daemon, 'Install'), 'WantedBy')).toEqual(['multi-user.target']);

    const oneshot = section(await readUnit('jubjub-sync.service'), 'Service');
    expect(values(oneshot, 'Type')).toEqual(['oneshot']);
    expect(values(oneshot, 'ExecStart')[0]).toMatch(/ sync -c \/etc\/jubjub\/mirror\.yaml$/);
    // A timer with no Unit= starts the service of its own name; verify does not notice a missing one.
    const timer = await readUnit('jubjub-sync.timer');
    expect(values(section(timer, 'Timer'), 'Unit')).toEqual([]);
    expect(values(section(timer, 'Install'), 'WantedBy')).toEqual(['timers.target']);
  });
});

describe.skipIf(!hasAnalyze)('systemd units: systemd-analyze', () => {
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'jubjub-systemd-'));
    for (const name of UNITS) await writeFile(path.join(dir, name), localize(await readUnit(name)));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /**
   * --man=no: Documentation= points into /opt/jubjub, and man pages are not what is being
   * checked. --recursive-errors=no: only our units count, not the quality of the host's own
   * (network-online.target and friends).
   */
  function verify(files: string[]): Promise<Result> {
    return analyze(['verify', '--man=no', '--recursive-errors=no', ...files]);
  }

  it('verify passes all three units without a single warning', async () => {
    const r = await verify(UNITS.map((n) => path.join(dir, n)));
    // verify exits 0 on many problems (an unknown key is only a warning), so the output
    // must be empty, not just the exit status 0.
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.code).toBe(0);
  });

  it('verify catches a broken copy: an unknown directive warns, a missing program fails', async () => {
    const broken = await mkdtemp(path.join(tmpdir(), 'jubjub-systemd-broken-'));
    try {
      const good = await readFile(path.join(dir, 'jubjub.service'), 'utf8');
      const unit = path.join(broken, 'jubjub.service');

      // A typo a reviewer could miss: systemd ignores the line and exits 0.
      await writeFile(unit, good.replace('\nRestartSec=', '\nRestartSecs=5\nRestartSec='));
      const typo = await verify([unit]);
      expect(typo.stderr).toMatch(/Unknown key 'RestartSecs' in section \[Service\]/);

      await writeFile(unit, good.replace(/^ExecStart=\S+/m, 'ExecStart=/nonexistent/node'));
      const noProgram = await verify([unit]);
      expect(noProgram.code).not.toBe(0);
      expect(noProgram.stderr).toMatch(/\/nonexistent\/node is not executable/);
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });

  it.each(SERVICES)(`security --offline: %s exposure is below ${MAX_EXPOSURE}`, async (name) => {
    const r = await analyze(['security', '--offline=yes', path.join(dir, name)]);
    const m = /Overall exposure level for \S+: (\d+(?:\.\d+)?) (\S+)/.exec(r.stdout);
    expect(m, `${r.stdout}\n${r.stderr}`).not.toBeNull();
    expect(Number(m?.[1]), r.stdout).toBeLessThan(MAX_EXPOSURE);
    expect(r.stderr.trim()).toBe('');
  });
});
