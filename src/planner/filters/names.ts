/**
 * Project names. Every comparison in the filters goes through `normalizeName`, so
 * `Foo.Bar_baz`, `foo-bar-baz` and `FOO__bar-.baz` all name one project.
 */

/** PEP 503: lowercase, and every run of `-`, `_`, `.` becomes one `-`. */
export function normalizeName(s: string): string {
  return s.replace(/[-_.]+/g, '-').toLowerCase();
}

const PROJECT_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

/** PEP 508 name grammar; a normalized valid name is still valid. */
export function isValidProjectName(s: string): boolean {
  return PROJECT_NAME.test(s);
}
