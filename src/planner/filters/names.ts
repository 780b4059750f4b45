/**
 * Project names. Every comparison in the filters goes through `normalizeName`, so
 * `Foo.Bar_baz`, `foo-bar-baz` and `FOO__bar-.baz` all name one project.
 */

/** PEP 503: lowercase, and every run of `-`, `_`, `.` becomes one `-`. */
export function normalizeName(s: string): string {
  return s.replace(/[-_.]+/g, '-').toLowerCase();
}

const PROJECT_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

/**
 * Longest name accepted. PEP 508 sets no limit, but a name becomes file names in the
 * state (`meta/<name>.json`) and the tree, and no file system takes more than 255 bytes.
 */
export const MAX_NAME_LENGTH = 200;

/** PEP 508 name grammar, within MAX_NAME_LENGTH; a normalized valid name is still valid. */
export function isValidProjectName(s: string): boolean {
  return s.length <= MAX_NAME_LENGTH && PROJECT_NAME.test(s);
}
