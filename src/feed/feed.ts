/**
 * The change feed: which projects changed since a serial. Any row for a project, whatever
 * its action, means "re-fetch that project's current state", so unknown or future action
 * strings can never break a sync.
 */
import type { Logger } from 'pino';
import { isValidProjectName, normalizeName } from '../planner/filters/names.js';
import type { XmlRpcClient } from '../upstream/xmlrpc-client.js';

export interface ProjectSerial {
  display: string;
  serial: number;
}

export interface Snapshot {
  /** Serial to record once every listed project is mirrored. */
  serial: number;
  projects: Map<string, ProjectSerial>;
}

export interface Changes {
  serial: number;
  /** Normalized name → the highest serial the feed showed for it. */
  changed: Map<string, number>;
}

export interface ChangeFeed {
  /** The upstream's current serial, without listing anything. */
  lastSerial(): Promise<number>;
  /** Every project the upstream has, keeping only those `wanted` accepts (by normalized name). */
  snapshot(wanted: (name: string) => boolean): Promise<Snapshot>;
  since(serial: number): Promise<Changes>;
}

function note(map: Map<string, number>, name: string, serial: number): void {
  const prev = map.get(name);
  if (prev === undefined || serial > prev) map.set(name, serial);
}

export class XmlRpcFeed implements ChangeFeed {
  constructor(
    private readonly rpc: XmlRpcClient,
    private readonly log: Logger,
  ) {}

  lastSerial(): Promise<number> {
    return this.rpc.changelogLastSerial();
  }

  async snapshot(wanted: (name: string) => boolean): Promise<Snapshot> {
    // Ask for the serial first: anything that changes while the listing streams in is
    // after it, so the next run's changelog picks it up.
    const serial = await this.rpc.changelogLastSerial();
    const projects = new Map<string, ProjectSerial>();
    const invalid = new Set<string>();
    const collisions: string[] = [];
    await this.rpc.listPackagesWithSerial((display, s) => {
      if (!isValidProjectName(display)) {
        invalid.add(display);
        return;
      }
      const name = normalizeName(display);
      if (!wanted(name)) return;
      // Two spellings of one name are one project (PEP 503); keep the later serial.
      const seen = projects.get(name);
      if (seen && seen.display !== display) collisions.push(`${seen.display} / ${display}`);
      if (!seen || s > seen.serial) projects.set(name, { display, serial: s });
    });
    if (invalid.size > 0) {
      this.log.warn({ invalid: invalid.size, first: [...invalid].slice(0, 10).map((n) => n.slice(0, 100)) }, 'skipped projects with invalid names');
    }
    if (collisions.length > 0) {
      this.log.warn({ collisions: collisions.length, first: collisions.slice(0, 10) }, 'listing names one project under several spellings; they are mirrored as one');
    }
    return { serial, projects };
  }

  async since(serial: number): Promise<Changes> {
    const rows = await this.rpc.changelogSince(serial);
    const changed = new Map<string, number>();
    let last = serial;
    for (const row of rows) {
      last = Math.max(last, row.serial);
      if (!isValidProjectName(row.name)) {
        this.log.warn({ name: row.name.slice(0, 100), serial: row.serial }, 'skipped changelog row with an invalid project name');
        continue;
      }
      note(changed, normalizeName(row.name), row.serial);
    }
    return { serial: last, changed };
  }
}
