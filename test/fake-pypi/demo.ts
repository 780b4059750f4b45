import type { FakeFileSpec, FakeReleaseSpec } from './catalog.js';
import type { FakePypi } from './server.js';

/**
 * A small catalog shaped like the real index: the requests dependency chain, platform
 * wheels, pre-releases, a yanked release, a dotted name, an sdist-only project, legacy
 * egg/exe files and a project with no releases (listed by XML-RPC, 404 on the JSON API).
 * Every Requires-Dist names a project in this catalog, so dependency closure is finite.
 */

const MANYLINUX = 'manylinux_2_17_x86_64.manylinux2014_x86_64';

type Seed = Array<[version: string, spec: FakeReleaseSpec, files: FakeFileSpec[]]>;

const PURE: FakeFileSpec[] = [{ kind: 'wheel' }, { kind: 'sdist' }];

function native(cp: string): FakeFileSpec[] {
  return [
    { tags: `${cp}-${cp}-${MANYLINUX}` },
    { tags: `${cp}-${cp}-win_amd64` },
    { tags: `${cp}-${cp}-macosx_11_0_arm64` },
  ];
}

const DEMO: Record<string, Seed> = {
  certifi: [
    ['2024.2.2', { requiresPython: '>=3.6' }, PURE],
    ['2024.7.4', { requiresPython: '>=3.6' }, PURE],
  ],
  idna: [
    ['3.6', { requiresPython: '>=3.5' }, PURE],
    ['3.7', { requiresPython: '>=3.5' }, PURE],
  ],
  urllib3: [
    ['2.2.1', { requiresPython: '>=3.8' }, PURE],
    ['2.2.2', { requiresPython: '>=3.8' }, PURE],
  ],
  'charset-normalizer': [
    ['3.3.2', { requiresPython: '>=3.7.0' }, [...native('cp311'), ...native('cp312'), { tags: 'py3-none-any' }, { kind: 'sdist' }]],
  ],
  requests: [
    ['2.31.0', { requiresPython: '>=3.7', requiresDist: deps('charset-normalizer<4,>=2', 'urllib3<3,>=1.21.1') }, PURE],
    ['2.32.0', { requiresPython: '>=3.8', requiresDist: deps('charset-normalizer<4,>=2', 'urllib3<3,>=1.21.1') }, PURE],
    ['2.32.3', { requiresPython: '>=3.8', requiresDist: deps('charset-normalizer<4,>=2', 'urllib3<3,>=1.21.1') }, PURE],
    ['2.33.0rc1', { requiresPython: '>=3.9', requiresDist: deps('charset_normalizer<4,>=2', 'urllib3<3,>=2') }, [{ kind: 'wheel' }]],
  ],
  'zope.interface': [
    ['6.0', { requiresPython: '>=3.7' }, [...native('cp311'), { kind: 'sdist' }]],
    ['6.1b1', { requiresPython: '>=3.7' }, [{ tags: `cp311-cp311-${MANYLINUX}` }, { kind: 'sdist' }]],
    ['6.1', { requiresPython: '>=3.7' }, [...native('cp311'), ...native('cp312'), { kind: 'sdist' }]],
    ['7.0.dev0', { requiresPython: '>=3.8' }, [{ kind: 'sdist' }]],
  ],
  docopt: [['0.6.2', {}, [{ kind: 'sdist' }]]],
  typing_extensions: [
    ['4.11.0', { requiresPython: '>=3.8' }, PURE],
    ['4.12.2', { requiresPython: '>=3.8' }, PURE],
  ],
  simplejson: [
    ['2.0.9', {}, [{ kind: 'egg', tags: 'py2.7-linux-x86_64' }, { kind: 'egg' }, { kind: 'exe' }, { kind: 'sdist' }]],
    ['3.19.2', { requiresPython: '>=2.5, !=3.0.*, !=3.1.*, !=3.2.*' }, [{ tags: `cp311-cp311-${MANYLINUX}` }, { kind: 'sdist' }]],
  ],
};

function deps(...extra: string[]): string[] {
  return [...extra, 'idna<4,>=2.5', 'certifi>=2017.4.17'];
}

export function seedDemo(p: FakePypi): void {
  for (const [name, releases] of Object.entries(DEMO)) {
    p.addProject(name);
    for (const [version, spec, files] of releases) {
      p.addRelease(name, version, spec);
      for (const f of files) p.addFile(name, version, f);
    }
  }
  p.yank('requests', '2.32.0', 'Yanked due to conflicts with CVE-2024-35195 mitigation');
  p.yank('idna', '3.6'); // no reason: must still be marked yanked everywhere
  p.addProject('placeholder-project');
}
