/**
 * The change feed: which projects changed since a serial. Any row for a project, whatever
 * its action, means "re-fetch that project's current state", so unknown or future action
 * strings can never break a sync.
 */
import type { Logger } from 'pino';
import { errorCode, errorMessage } from '../errors.js';
import { isValidProjectName, normalizeName } from '../planner/filters/names.js';
import type { SimpleListingClient } from '../upstream/simple-listing.js';
import type { XmlRpcClient } from '../upstream/xmlrpc-client.js';
import { ListingCollector, type ProjectSerial } from './collect.js';

export type { ProjectSerial } from './collect.js';

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
    /** The PEP 691 listing, tried first for a full listing: see `snapshot`. */
    private readonly listing: SimpleListingClient | null = null,
  ) {}

  lastSerial(): Promise<number> {
    return this.rpc.changelogLastSerial();
  }

  async snapshot(wanted: (name: string) => boolean): Promise<Snapshot> {
    // Ask for the serial first: anything that changes while the listing streams in is
    // after it, so the next run's changelog picks it up.
    const serial = await this.rpc.changelogLastSerial();
    const viaListing = await this.snapshotFromListing(wanted, serial);
    if (viaListing) return viaListing;
    const collector = new ListingCollector(wanted);
    await this.rpc.listPackagesWithSerial((display, s) => collector.add(display, s));
    collector.report(this.log);
    return { serial, projects: collector.projects };
  }

  /**
   * The PEP 691 listing names every project with its serial too, and costs far less than
   * list_packages_with_serial (a cached, compressed GET instead of tens of MB of XML the
   * server spends seconds building). A CDN may serve it up to half an hour old: the
   * changelog then continues from the older of its serial and `serial`, so nothing is
   * missed, only a few projects are visited twice. Null when the upstream has no usable
   * listing: XML-RPC does it.
   */
  private async snapshotFromListing(wanted: (name: string) => boolean, serial: number): Promise<Snapshot | null> {
    if (!this.listing) return null;
    let collector = new ListingCollector(wanted);
    try {
      const res = await this.listing.fetch((display, s) => collector.add(display, s), {
        onResponse: () => {
          collector = new ListingCollector(wanted);
        },
      });
      if (res.unchanged) return null;
      collector.report(this.log);
      return { serial: Math.min(serial, res.serial), projects: collector.projects };
    } catch (err) {
      this.log.info({ code: errorCode(err), err: errorMessage(err) }, 'no usable PEP 691 listing; listing projects over XML-RPC');
      return null;
    }
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
