import { describe, expect, test } from 'vitest';
import { markerTextMayApply, type TargetEnvironment } from '../../src/planner/filters/markers.js';
import { targetEnvironments } from '../../src/planner/filters/target-environments.js';
import { filters } from './filters/fixtures.js';

const platforms = (include: string[], exclude: string[] = []) =>
  targetEnvironments(filters({ platforms: { include, exclude } }));
const pairs = (envs: TargetEnvironment[]) => [...new Set(envs.map((e) => `${e.sys_platform}/${e.platform_machine ?? '?'}`))];
const applies = (text: string, envs: TargetEnvironment[]) => markerTextMayApply(text, envs, new Set());

const ALL_PAIRS = [
  'linux/x86_64',
  'linux/aarch64',
  'linux/i686',
  'linux/ppc64le',
  'linux/s390x',
  'linux/armv7l',
  'linux/?',
  'win32/AMD64',
  'win32/x86',
  'win32/ARM64',
  'darwin/x86_64',
  'darwin/arm64',
];

describe('targetEnvironments', () => {
  test('no filters: every pair, Python and implementation unknown', () => {
    const envs = targetEnvironments(filters());
    expect(pairs(envs)).toEqual(ALL_PAIRS);
    expect(envs).toHaveLength(ALL_PAIRS.length);
    expect(envs[0]).toEqual({
      sys_platform: 'linux',
      platform_system: 'Linux',
      os_name: 'posix',
      platform_machine: 'x86_64',
    });
    expect(envs.find((e) => e.sys_platform === 'win32')).toMatchObject({ platform_system: 'Windows', os_name: 'nt' });
    expect(envs.find((e) => e.sys_platform === 'darwin')).toMatchObject({ platform_system: 'Darwin', os_name: 'posix' });
    expect(applies('implementation_name == "pypy"', envs)).toBe(true);
    expect(applies('python_version < "3"', envs)).toBe(true);
  });

  test('python_versions × platforms, as CPython', () => {
    const f = filters({ pythonVersions: ['3.10', '3.11'], platforms: { include: ['win_amd64'], exclude: [] } });
    const envs = targetEnvironments(f);
    const winAmd64 = {
      implementation_name: 'cpython',
      platform_python_implementation: 'CPython',
      sys_platform: 'win32',
      platform_system: 'Windows',
      os_name: 'nt',
      platform_machine: 'AMD64',
    };
    expect(envs).toEqual([
      { python_version: '3.10', ...winAmd64 },
      { python_version: '3.11', ...winAmd64 },
    ]);
    expect(applies('implementation_name == "pypy"', envs)).toBe(false);
    expect(applies('python_version < "3.11"', envs)).toBe(true);
    expect(applies('python_version < "3.10"', envs)).toBe(false);
  });

  test('include linux keeps every Linux machine, unknown ones too', () => {
    const envs = platforms(['linux']);
    expect(pairs(envs)).toEqual(ALL_PAIRS.filter((p) => p.startsWith('linux/')));
    expect(applies('sys_platform == "win32"', envs)).toBe(false);
    expect(applies('platform_machine == "riscv64"', envs)).toBe(true);
  });

  test('include an x86_64 manylinux glob keeps only linux/x86_64', () => {
    const envs = platforms(['manylinux*_x86_64']);
    expect(pairs(envs)).toEqual(['linux/x86_64']);
    expect(applies('platform_machine == "aarch64" or platform_machine == "arm64"', envs)).toBe(false);
    expect(applies('platform_machine == "x86_64"', envs)).toBe(true);
    expect(applies('sys_platform == "darwin"', envs)).toBe(false);
  });

  test.each([
    [['manylinux2014_aarch64'], ['linux/aarch64']],
    [['manylinux_2_28_x86_64', 'musllinux_1_2_aarch64'], ['linux/x86_64', 'linux/aarch64']],
    [['macos'], ['darwin/x86_64', 'darwin/arm64']],
    [['macosx_*_arm64'], ['darwin/arm64']],
    [['macosx_10_*'], ['darwin/x86_64']],
    [['windows'], ['win32/AMD64', 'win32/x86', 'win32/ARM64']],
    [['win32'], ['win32/x86']],
    [['win_arm64', 'linux_armv7l'], ['linux/armv7l', 'win32/ARM64']],
    [['manylinux'], ALL_PAIRS.filter((p) => p.startsWith('linux/'))],
  ])('include %j → %j', (include, expected) => {
    expect(pairs(platforms(include))).toEqual(expected);
  });

  test('exclude windows rules Windows out and keeps the rest', () => {
    const envs = platforms([], ['windows']);
    expect(pairs(envs)).toEqual(ALL_PAIRS.filter((p) => !p.startsWith('win32/')));
    expect(applies('sys_platform == "win32"', envs)).toBe(false);
    expect(applies('os_name == "nt"', envs)).toBe(false);
    expect(applies('platform_system == "Darwin"', envs)).toBe(true);
  });

  test('exclude keeps an OS while some tag family of it survives', () => {
    // musllinux and plain linux_* wheels are still mirrored.
    expect(pairs(platforms([], ['manylinux']))).toEqual(ALL_PAIRS);
    expect(pairs(platforms(['linux'], ['*_x86_64', '*_i686']))).toEqual([
      'linux/aarch64',
      'linux/ppc64le',
      'linux/s390x',
      'linux/armv7l',
      'linux/?',
    ]);
    expect(pairs(platforms([], ['linux', 'macos']))).toEqual(['win32/AMD64', 'win32/x86', 'win32/ARM64']);
  });

  test('filters keeping no modelled OS leave the platform unknown', () => {
    const envs = platforms(['freebsd']);
    expect(envs).toEqual([{}]);
    expect(applies('sys_platform == "win32"', envs)).toBe(true);
  });

  test('no duplicates', () => {
    const envs = targetEnvironments(filters({ pythonVersions: ['3.11', '3.11'] }));
    expect(new Set(envs.map((e) => JSON.stringify(e))).size).toBe(envs.length);
    expect(envs).toHaveLength(ALL_PAIRS.length);
  });
});
