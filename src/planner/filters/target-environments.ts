/**
 * The environments a filtered mirror serves, as marker evaluation sees them: the
 * `python_versions` × the (OS, machine) pairs whose wheels the platform filters keep.
 * A dependency whose marker is false in all of them is not followed.
 */
import type { CompiledFilters } from './compiled.js';
import type { TargetEnvironment } from './markers.js';
import { passesPlatforms } from './platform.js';

type Platform = Pick<TargetEnvironment, 'sys_platform' | 'platform_system' | 'os_name' | 'platform_machine'>;

interface Os {
  readonly sys_platform: string;
  readonly platform_system: string;
  readonly os_name: string;
  /** `platform.machine()` as that OS spells it → wheel tags built for it. */
  readonly machines: Readonly<Record<string, readonly string[]>>;
  /** Tags of machines not listed; if one passes, the machine is left unknown. */
  readonly otherMachines: readonly string[];
}

// Every tag family and a spread of versions, so that a glob naming one family
// (`manylinux_2_28_*`, `musllinux*`, `macosx_14_*`) finds a tag it matches.
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, k) => from + k);
const LINUX_PREFIXES = [
  'linux',
  'manylinux1',
  'manylinux2010',
  'manylinux2014',
  ...range(5, 45).map((minor) => `manylinux_2_${minor}`),
  ...range(0, 3).map((minor) => `musllinux_1_${minor}`),
];
const linuxTags = (arch: string): string[] => LINUX_PREFIXES.map((p) => `${p}_${arch}`);
const macTags = (versions: readonly string[], archs: readonly string[]): string[] =>
  versions.flatMap((v) => archs.map((a) => `macosx_${v}_${a}`));
const MAC_INTEL = [...range(4, 15).map((minor) => `10_${minor}`), ...range(11, 26).map((major) => `${major}_0`)];
const MAC_ARM = range(11, 26).map((major) => `${major}_0`);

const OSES: readonly Os[] = [
  {
    sys_platform: 'linux',
    platform_system: 'Linux',
    os_name: 'posix',
    machines: Object.fromEntries(['x86_64', 'aarch64', 'i686', 'ppc64le', 's390x', 'armv7l'].map((m) => [m, linuxTags(m)])),
    // Linux runs on more machines than the six above (riscv64 wheels are on PyPI today).
    otherMachines: ['riscv64', 'loongarch64', 'ppc64', 'armv6l'].flatMap(linuxTags),
  },
  {
    sys_platform: 'win32',
    platform_system: 'Windows',
    os_name: 'nt',
    machines: { AMD64: ['win_amd64'], x86: ['win32'], ARM64: ['win_arm64'] },
    otherMachines: [],
  },
  {
    sys_platform: 'darwin',
    platform_system: 'Darwin',
    os_name: 'posix',
    machines: {
      x86_64: macTags(MAC_INTEL, ['x86_64', 'intel', 'universal', 'universal2', 'fat64', 'fat3']),
      arm64: macTags(MAC_ARM, ['arm64', 'universal2']),
    },
    otherMachines: [],
  },
];

function platformsKept(f: CompiledFilters): Platform[] {
  const passes = (tags: readonly string[]): boolean =>
    tags.some((tag) => passesPlatforms([tag], f.platformsInclude, f.platformsExclude));
  const out: Platform[] = [];
  for (const os of OSES) {
    const { sys_platform, platform_system, os_name } = os;
    for (const [machine, tags] of Object.entries(os.machines)) {
      if (passes(tags)) out.push({ sys_platform, platform_system, os_name, platform_machine: machine });
    }
    if (passes(os.otherMachines)) out.push({ sys_platform, platform_system, os_name });
  }
  // Filters that keep none of the modelled OSes (`include: [freebsd]`) serve some other
  // one; nothing is known about it, so nothing can be ruled out.
  return out.length > 0 ? out : [{}];
}

/**
 * The python_versions filter judges wheel tags as CPython does, so with versions set
 * the targets are CPython; without, PyPy wheels are mirrored too and the
 * implementation stays unknown.
 */
export function targetEnvironments(f: CompiledFilters): TargetEnvironment[] {
  const pythons: TargetEnvironment[] =
    f.pythonVersions.length === 0
      ? [{}]
      : f.pythonVersions.map((v) => ({
          python_version: `${v.major}.${v.minor}`,
          implementation_name: 'cpython',
          platform_python_implementation: 'CPython',
        }));
  const platforms = platformsKept(f);
  const seen = new Set<string>();
  const out: TargetEnvironment[] = [];
  for (const python of pythons) {
    for (const platform of platforms) {
      const env = { ...python, ...platform };
      const key = JSON.stringify(env);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(env);
      }
    }
  }
  return out;
}
