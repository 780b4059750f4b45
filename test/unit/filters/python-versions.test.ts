import { describe, expect, test } from 'vitest';
import { installableOn, parsePythonVersion, type PythonVersion } from '../../../src/planner/filters/python-versions.js';

const v = (s: string): PythonVersion => {
  const p = parsePythonVersion(s);
  if (!p) throw new Error(s);
  return p;
};
const wheel = (filename: string, requiresPython: string | null = null) => ({ filename, packagetype: 'bdist_wheel', pythonVersion: 'py3', requiresPython });

describe('python_versions', () => {
  test.each([
    // [filename, listed versions, kept]
    ['numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.whl', ['3.11'], true],
    ['numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.whl', ['3.12'], false],
    ['numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.whl', ['3.10', '3.11'], true],
    ['cryptography-43.0.0-cp39-abi3-manylinux_2_28_x86_64.whl', ['3.12'], true],
    ['cryptography-43.0.0-cp39-abi3-manylinux_2_28_x86_64.whl', ['3.8'], false],
    ['requests-2.32.3-py3-none-any.whl', ['3.8'], true],
    ['requests-2.32.3-py3-none-any.whl', ['2.7'], false],
    ['six-1.16.0-py2.py3-none-any.whl', ['2.7'], true],
    ['tomli-2.0.1-py38-none-any.whl', ['3.7'], false],
    ['tomli-2.0.1-py38-none-any.whl', ['3.12'], true],
    ['pkg-1.0-pp310-pypy310_pp73-manylinux_2_17_x86_64.whl', ['3.10'], false],
    ['pkg-1.0-cp311-cp311-win_amd64.whl', [], true],
  ] as const)('%s on %j: %s', (filename, versions, kept) => {
    expect(installableOn(wheel(filename), versions.map(v))).toBe(kept);
  });

  test('requires-python applies to every file, sdists included, at any patch release of the minor', () => {
    expect(installableOn(wheel('a-1.0-py3-none-any.whl', '>=3.12'), [v('3.11')])).toBe(false);
    expect(installableOn({ filename: 'a-1.0.tar.gz', packagetype: 'sdist', pythonVersion: 'source', requiresPython: '>=3.12' }, [v('3.11')])).toBe(false);
    expect(installableOn({ filename: 'a-1.0.tar.gz', packagetype: 'sdist', pythonVersion: 'source', requiresPython: '>=3.12' }, [v('3.11'), v('3.12')])).toBe(true);
    expect(installableOn({ filename: 'a-1.0.tar.gz', packagetype: 'sdist', pythonVersion: 'source', requiresPython: '>=3.11.4' }, [v('3.11')])).toBe(true);
    expect(installableOn({ filename: 'a-1.0.tar.gz', packagetype: 'sdist', pythonVersion: 'source', requiresPython: '<3.11.1' }, [v('3.11')])).toBe(true);
    expect(installableOn({ filename: 'a-1.0.tar.gz', packagetype: 'sdist', pythonVersion: 'source', requiresPython: 'not a spec' }, [v('3.11')])).toBe(true);
  });

  test('eggs and installers by python_version; any/source fit every version', () => {
    expect(installableOn({ filename: 'a-1.0-py2.7.egg', packagetype: 'bdist_egg', pythonVersion: '2.7', requiresPython: null }, [v('3.11')])).toBe(false);
    expect(installableOn({ filename: 'a-1.0-py3.11.egg', packagetype: 'bdist_egg', pythonVersion: '3.11', requiresPython: null }, [v('3.11')])).toBe(true);
    expect(installableOn({ filename: 'a-1.0.win32.exe', packagetype: 'bdist_wininst', pythonVersion: 'any', requiresPython: null }, [v('3.11')])).toBe(true);
  });

  test('version strings', () => {
    expect(parsePythonVersion('3.10')).toEqual({ major: 3, minor: 10 });
    expect(parsePythonVersion('3')).toBeNull();
    expect(parsePythonVersion('3.10.1')).toBeNull();
  });
});
