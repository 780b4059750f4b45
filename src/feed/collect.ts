/**
 * Collects a full project listing (XML-RPC or PEP 691) into normalized names, keeping
 * only what the caller wants. Names that are not valid project names are skipped, and
 * two spellings of one name are one project (PEP 503); both are reported once, not per
 * name, since a listing of PyPI's size may hold many.
 */
import type { Logger } from 'pino';
import { isValidProjectName, normalizeName } from '../planner/filters/names.js';

export interface ProjectSerial {
  display: string;
  serial: number;
}

export class ListingCollector {
  readonly projects = new Map<string, ProjectSerial>();
  private readonly invalid = new Set<string>();
  private readonly collisions: string[] = [];

  constructor(private readonly wanted: (name: string) => boolean) {}

  /** Safe to call again for the same name (a retried listing starts over). */
  add(display: string, serial: number): void {
    if (!isValidProjectName(display)) {
      this.invalid.add(display);
      return;
    }
    const name = normalizeName(display);
    if (!this.wanted(name)) return;
    const seen = this.projects.get(name);
    if (seen && seen.display !== display) this.collisions.push(`${seen.display} / ${display}`);
    if (!seen || serial > seen.serial) this.projects.set(name, { display, serial });
  }

  report(log: Logger): void {
    if (this.invalid.size > 0) {
      log.warn({ invalid: this.invalid.size, first: [...this.invalid].slice(0, 10).map((n) => n.slice(0, 100)) }, 'skipped projects with invalid names');
    }
    if (this.collisions.length > 0) {
      log.warn({ collisions: this.collisions.length, first: this.collisions.slice(0, 10) }, 'listing names one project under several spellings; they are mirrored as one');
    }
  }
}
