/**
 * A small PEP 508 parser: just enough to take a requirement apart into the name and
 * specifier set the filters use, and to reject malformed text with a message that
 * says what is wrong. Extras are checked and kept; markers are kept as text and never
 * evaluated (the filters ignore both).
 */
import { isValidProjectName, normalizeName } from './names.js';
import { formatSpecifier, parseSpecifier, type Clause } from './specifier.js';
import { RequirementSyntaxError } from './syntax-error.js';

export interface Requirement {
  /** PEP 503 normalized. */
  name: string;
  /** Normalized like names (PEP 685). */
  extras: string[];
  /** Canonical specifier set, e.g. `>=1.2,<2`; '' when there is none (or for a URL requirement). */
  specifier: string;
  /** The environment marker after `;`, as written; null when there is none. */
  marker: string | null;
  /** Versions named by `==` (not `==X.*`) or `===` clauses: releases this requirement pins. */
  pins: string[];
  /** The URL of a `name @ URL` requirement, else null. */
  url: string | null;
}

const NAME_START = /^[A-Za-z0-9][A-Za-z0-9._-]*/;

function fail(message: string): never {
  throw new RequirementSyntaxError(message);
}

/** Splits `rest` (what follows a closing bracket, URL, ...) into an optional marker. */
function parseMarker(rest: string, after: string): string | null {
  const tail = rest.trim();
  if (tail === '') return null;
  if (!tail.startsWith(';')) fail(`unexpected text '${tail}' after ${after}`);
  const marker = tail.slice(1).trim();
  if (marker === '') fail(`missing environment marker after ';'`);
  return marker;
}

function parseExtras(inner: string): string[] {
  if (inner.trim() === '') return [];
  return inner.split(',').map((e) => {
    const extra = e.trim();
    if (!isValidProjectName(extra)) fail(`invalid extra '${extra}'`);
    return normalizeName(extra);
  });
}

function pinsOf(clauses: readonly Clause[]): string[] {
  return clauses.filter((c) => c.op === '===' || (c.op === '==' && !c.wildcard)).map((c) => c.text);
}

export function parseRequirement(input: string): Requirement {
  const s = input.trim();
  if (s === '') fail('empty requirement');
  const rawName = NAME_START.exec(s)?.[0];
  if (rawName === undefined) fail(`expected a project name at the start of '${s}'`);
  if (!isValidProjectName(rawName)) fail(`invalid project name '${rawName}'`);
  const name = normalizeName(rawName);
  let rest = s.slice(rawName.length).trimStart();

  let extras: string[] = [];
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) fail(`unclosed '[' in the extras of '${rawName}'`);
    extras = parseExtras(rest.slice(1, close));
    rest = rest.slice(close + 1).trimStart();
  }

  if (rest.startsWith('@')) {
    const url = /^\S+/.exec(rest.slice(1).trimStart())?.[0];
    if (url === undefined) fail(`missing URL after '@' in '${s}'`);
    const afterUrl = rest.slice(1).trimStart().slice(url.length);
    const marker = parseMarker(afterUrl, `the URL of '${rawName}'`);
    return { name, extras, specifier: '', marker, pins: [], url };
  }

  let specText: string;
  let marker: string | null;
  if (rest.startsWith('(')) {
    const close = rest.indexOf(')');
    if (close < 0) fail(`unclosed '(' in the version specifier of '${rawName}'`);
    specText = rest.slice(1, close);
    marker = parseMarker(rest.slice(close + 1), `the version specifier of '${rawName}'`);
  } else {
    const semi = rest.indexOf(';');
    specText = semi < 0 ? rest : rest.slice(0, semi);
    marker = semi < 0 ? null : parseMarker(rest.slice(semi), `'${rawName}'`);
    if (specText.trim() !== '' && !/^[<>=!~]/.test(specText)) {
      fail(`unexpected text '${specText.trim()}' after '${rawName}'`);
    }
  }
  const clauses = parseSpecifier(specText);
  return { name, extras, specifier: formatSpecifier(clauses), marker, pins: pinsOf(clauses), url: null };
}
