/**
 * Does a filename belong to the project it is listed under? Real names from PyPI's
 * history must all pass (dropping a legitimate file is the costly mistake); files of
 * another project must not, wherever the format makes the project part unambiguous.
 */
import { describe, expect, test } from 'vitest';
import { filenameProject, foreignFilename } from '../../src/upstream/filename-project.js';

describe('legitimate files pass', () => {
  test.each([
    // Wheels: PEP 427 escaping, and older wheels that kept case and dots.
    ['typing-extensions', 'typing_extensions-4.12.2-py3-none-any.whl'],
    ['charset-normalizer', 'charset_normalizer-3.3.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl'],
    ['zope-interface', 'zope.interface-6.1-cp312-cp312-win_amd64.whl'],
    ['django', 'Django-5.0-py3-none-any.whl'],
    ['pyyaml', 'PyYAML-6.0.1-cp311-cp311-macosx_11_0_arm64.whl'],
    ['python-dateutil', 'python_dateutil-2.8.2-py2.py3-none-any.whl'],
    ['pyobjc-framework-cocoa', 'pyobjc_framework_Cocoa-10.3.1-cp36-abi3-macosx_10_9_universal2.whl'],
    ['backports-zoneinfo', 'backports.zoneinfo-0.2.1-cp38-cp38-manylinux1_x86_64.whl'],
    ['torch', 'torch-2.3.1-1-cp311-cp311-manylinux1_x86_64.whl'], // with a build tag
    // sdists: PEP 625, and the unescaped names that came before it.
    ['zope-interface', 'zope.interface-6.1.tar.gz'],
    ['zope-interface', 'zope_interface-7.0.tar.gz'],
    ['django', 'Django-5.0.tar.gz'],
    ['pyyaml', 'PyYAML-6.0.1.tar.gz'],
    ['python-dateutil', 'python-dateutil-2.8.2.tar.gz'],
    ['mysql-python', 'MySQL-python-1.2.5.zip'],
    ['pyserial', 'pyserial-2.5.zip'],
    ['docopt', 'docopt-0.6.2.tar.gz'],
    ['setuptools', 'setuptools-0.6c11.tar.gz'],
    ['pytz', 'pytz-2004d.tar.bz2'], // legacy version
    ['foo', 'foo-1.0.0-SNAPSHOT.tar.gz'], // legacy version holding a `-`
    ['foo', 'foo-1.0-2.tar.gz'], // PEP 440 post-release spelled with a `-`
    ['foo-bar', 'foo-bar.tar.gz'], // no version at all
    ['pycrypto', 'pycrypto-2.6.1.tgz'],
    ['lxml', 'lxml-2.0.alpha1.tar.gz'],
    // Eggs, bdist_wininst, bdist_msi, bdist_dumb, rpm.
    ['simplejson', 'simplejson-2.0.9-py2.7-linux-x86_64.egg'],
    ['simplejson', 'simplejson-2.0.9-py2.7.egg'],
    ['setuptools', 'setuptools-0.6c11-py2.4.egg'],
    ['zope-interface', 'zope.interface-3.8.0-py2.7-win32.egg'],
    ['foo-bar', 'foo-bar-1.0-py2.7.egg'], // hand-made egg: `-` left in the name
    ['pywin32', 'pywin32-306.win-amd64-py3.12.exe'],
    ['python-ldap', 'python-ldap-2.4.10.win32-py2.7.exe'],
    ['pyqt4', 'PyQt4-4.8.1-gpl-py2.7-Qt4.7.1-x86.exe'],
    ['egenix-mx-base', 'egenix-mx-base-3.2.9.win-amd64-py2.7.msi'],
    ['foo', 'foo-1.0.linux-x86_64.tar.gz'],
    ['foo', 'foo-1.0.win32.zip'],
    ['foo', 'foo-1.0-1.noarch.rpm'],
  ])('%s: %s', (project, filename) => {
    expect(foreignFilename(filename, project)).toBeNull();
  });
});

describe('files of another project are refused', () => {
  test.each([
    ['foo', 'requests-99.0.tar.gz', 'names project requests, not foo'],
    ['foo', 'requests-99.0-py3-none-any.whl', 'names project requests, not foo'],
    ['foo', 'requests-99.0-py2.7.egg', 'names project requests, not foo'],
    ['foo', 'requests-99.0.win32.exe', 'does not start with the name of project foo'],
    ['foo', 'requests-99.0.zip', 'names project requests, not foo'],
    // The project's name as a prefix is not enough where the format says where the name ends.
    ['foo', 'foo_bar-1.0.tar.gz', 'names project foo-bar, not foo'],
    ['foo', 'foo_bar-1.0-py3-none-any.whl', 'names project foo-bar, not foo'],
    ['foo', 'foo.bar-1.0-py2.7.egg', 'names project foo-bar, not foo'],
    ['foo-bar', 'foo-1.0.tar.gz', 'names project foo, not foo-bar'],
    ['foo', 'fooo-1.0.tar.bz2', 'names project fooo, not foo'],
    ['foo', 'foobar-1.0.win32.exe', 'does not start with the name of project foo'],
    ['foo', 'bar-foo-1.0-2.tar.gz', 'does not start with the name of project foo'],
    // A wheel name with a `-` in the name is read as pip reads it.
    ['foo-bar', 'foo-bar-1.0-py3-none-any.whl', 'names project foo, not foo-bar'],
  ])('%s: %s', (project, filename, reason) => {
    expect(foreignFilename(filename, project)).toBe(reason);
  });
});

describe('filenameProject', () => {
  test('names the project only where the format leaves no doubt', () => {
    expect(filenameProject('Foo.Bar-1.0-py3-none-any.whl')).toBe('foo-bar');
    expect(filenameProject('Foo.Bar-1.0.tar.gz')).toBe('foo-bar');
    expect(filenameProject('Foo_Bar-1.0-py2.7-linux-x86_64.egg')).toBe('foo-bar');
    // Pre-PEP 625 sdists with several `-`, legacy versions, wininst, and malformed wheels.
    expect(filenameProject('python-dateutil-2.8.2.tar.gz')).toBeNull();
    expect(filenameProject('pytz-2004d.tar.gz')).toBeNull();
    expect(filenameProject('pywin32-306.win-amd64-py3.12.exe')).toBeNull();
    expect(filenameProject('foo-1.0.whl')).toBeNull();
    expect(filenameProject('foo--1.0-py3-none-any.whl')).toBeNull();
    expect(filenameProject('README')).toBeNull();
  });

  test('the prefix rule, where the name is ambiguous, accepts what pip would read as a version', () => {
    // pip reads this as `requests` at version `toolbelt-1.0`, which is no valid version:
    // harmless on the page, and indistinguishable by name from a legacy `foo-alpha-3`.
    expect(foreignFilename('requests-toolbelt-1.0.1.tar.gz', 'requests')).toBeNull();
    expect(foreignFilename('foo-alpha-3.tar.gz', 'foo')).toBeNull();
  });
});
