/** The numbered examples of docs/filters.md for `dependencies: true`, one test each. */
import { describe, expect, test } from 'vitest';
import { deps, mirrored, resolve } from './dependency-fixtures.js';
import { filters } from './fixtures.js';

const LIB = { '1.0': [], '2.0': [], '3.0': [] };

describe('docs/filters.md: dependencies', () => {
  test('30: a dependency keeps the releases its specifier allows', () => {
    expect(mirrored(deps({ allow: ['app'] }), { app: { '1.0': ['lib>=2'] }, lib: LIB })).toEqual({ app: ['1.0'], lib: ['2.0', '3.0'] });
  });

  test('31: the union over every demanding release', () => {
    expect(mirrored(deps({ allow: ['app'] }), { app: { '1.0': ['lib<2'], '2.0': ['lib>=3'] }, lib: LIB })).toEqual({ app: ['1.0', '2.0'], lib: ['1.0', '3.0'] });
  });

  test('32: an == demand is a pin, kept past latest', () => {
    const f = deps({ allow: ['app'], latest: 1 });
    expect(mirrored(f, { app: { '1.0': ['lib==1.0'] }, lib: { '1.0': [], '3.0': [] } })).toEqual({ app: ['1.0'], lib: ['1.0'] });
    const also = { app: { '1.0': ['lib==1.0', 'other'] }, other: { '1.0': ['lib'] }, lib: { '1.0': [], '3.0': [] } };
    expect(mirrored(f, also)['lib']).toEqual(['1.0', '3.0']);
  });

  test('33: markers for python_versions × the kept platforms', () => {
    const f = deps({ allow: ['app'], pythonVersions: ['3.11'], platforms: { include: ['linux'], exclude: [] } });
    const graph = {
      app: { '1.0': ['tomli; python_version < "3.11"', 'pywin32; sys_platform == "win32"', 'uvloop; sys_platform != "win32"'] },
      tomli: { '2.0': [] }, pywin32: { '306': [] }, uvloop: { '0.19': [] },
    };
    expect(Object.keys(mirrored(f, graph)).sort()).toEqual(['app', 'uvloop']);
  });

  test('34: extras only as the allow entry names them', () => {
    const graph = { requests: { '2.32.3': ['PySocks; extra == "socks"', 'chardet; extra == "use-chardet-on-py3"'] }, pysocks: { '1.7.1': [] }, chardet: { '5.2.0': [] } };
    expect(Object.keys(mirrored(deps({ allow: ['requests[socks]'] }), graph)).sort()).toEqual(['pysocks', 'requests']);
    expect(Object.keys(mirrored(deps({ allow: ['requests'] }), graph))).toEqual(['requests']);
  });

  test('35: deny wins, and is reported with the chain', () => {
    const f = deps({ allow: ['app'], deny: ['urllib3'] });
    const graph = { app: { '1.0': ['urllib3'] }, urllib3: { '2.2.2': [] } };
    expect(Object.keys(mirrored(f, graph))).toEqual(['app']);
    expect(resolve(f, graph).unreachable).toEqual([{ name: 'urllib3', reason: 'denied', via: ['filters.allow[0]: app', 'app 1.0: urllib3'] }]);
  });

  test('36: requirements of releases not kept are never read', () => {
    const graph = { app: { '1.0': ['old'], '2.0': ['new'] }, old: { '1': [] }, new: { '1': [] } };
    expect(Object.keys(mirrored(deps({ allow: ['app==2.0'] }), graph)).sort()).toEqual(['app', 'new']);
  });

  test('37: with every project allowed nothing changes', () => {
    const f = deps({});
    expect(resolve(f, { app: { '1.0': ['lib'] }, lib: LIB }).demands).toEqual({});
    expect(f.dependencies).toBe(false);
    expect(filters({}).dependencies).toBe(false);
  });
});
