/**
 * `changes: simple`: follows any index that serves the PEP 691 JSON listing with
 * per-project `_last-serial` (PyPI, another jubjub mirror behind a static server).
 *
 * The listing is fetched whole each time it changed, so it is a conditional GET: the
 * validators (ETag, Last-Modified) of the last listing are saved with its serial, and
 * sent only when the mirror's serial is that one, i.e. the run planned from that listing
 * completed. A 304 then means nothing changed: one small request, a no-op run.
 *
 * On a changed listing a project is visited when
 * - the mirror lists it and the listing shows another serial than its pages;
 * - the mirror does not list it and its serial is above the mirror's;
 * - the filters select it, the mirror does not list it, and has neither fetched it nor
 *   visited it at that serial: an upstream mirror may publish a project late with an
 *   older serial (one that failed there, or that `min_age` held back);
 * - the mirror lists it and the listing no longer does (removed upstream: its truth is
 *   then a 404, and it is removed here too).
 */
import type { Logger } from 'pino';
import { isValidProjectName, normalizeName } from '../planner/filters/names.js';
import type { Storage } from '../storage/storage.js';
import type { ListingValidators, SimpleListingClient } from '../upstream/simple-listing.js';
import { ListingCollector } from './collect.js';
import type { ChangeFeed, Changes, Snapshot } from './feed.js';

/** What the feed needs to know of the mirror it feeds. */
export interface MirrorView {
  /** Every project the mirror lists, with the serial its pages show. */
  listed(): Promise<Map<string, number>>;
  selected(name: string): boolean;
  /** The serial the upstream showed when the project was last fetched (or found absent), if known. */
  fetchedSerial(name: string): Promise<number | undefined>;
}

interface SavedListing extends ListingValidators {
  serial: number;
  /** Unlisted projects visited for the third rule above, at the serial they showed. */
  visited: Record<string, number>;
}

const SAVED = 'feed/simple-listing.json';

export class SimpleFeed implements ChangeFeed {
  /** Display names seen in the listing, for project pages (which carry normalized names only). */
  readonly displayNames = new Map<string, string>();

  constructor(
    private readonly listing: SimpleListingClient,
    private readonly storage: Storage,
    private readonly mirror: MirrorView,
    private readonly log: Logger,
  ) {}

  async lastSerial(): Promise<number> {
    const res = await this.listing.fetch(() => undefined, { metaOnly: true });
    if (res.unchanged) throw new Error('unreachable: an unconditional request got 304');
    return res.serial;
  }

  async snapshot(wanted: (name: string) => boolean): Promise<Snapshot> {
    let collector = new ListingCollector(wanted);
    const res = await this.listing.fetch((display, s) => collector.add(display, s), {
      onResponse: () => {
        collector = new ListingCollector(wanted);
      },
    });
    if (res.unchanged) throw new Error('unreachable: an unconditional request got 304');
    collector.report(this.log);
    for (const [name, p] of collector.projects) this.displayNames.set(name, p.display);
    return { serial: res.serial, projects: collector.projects };
  }

  async since(serial: number): Promise<Changes> {
    const saved = await this.load();
    // Usable only if the run that planned from that listing completed.
    const current = saved?.serial === serial ? saved : null;
    let listed = new Map<string, number>();
    let unseen = new Set<string>();
    let changed = new Map<string, number>();
    let unlisted: Array<[string, number]> = [];
    let invalid = 0;
    const res = await this.listing.fetch(
      (display, s) => {
        if (!isValidProjectName(display)) {
          invalid++;
          return;
        }
        const name = normalizeName(display);
        unseen.delete(name);
        const held = listed.get(name);
        if (held !== undefined ? s !== held : s > serial) {
          changed.set(name, Math.max(s, changed.get(name) ?? 0));
          this.displayNames.set(name, display);
        } else if (held === undefined && this.mirror.selected(name)) {
          unlisted.push([name, s]);
          this.displayNames.set(name, display);
        }
      },
      {
        validators: current,
        // Only now that the listing changed is the mirror's own listing worth reading.
        onResponse: async () => {
          listed = await this.mirror.listed();
          unseen = new Set(listed.keys());
          changed = new Map();
          unlisted = [];
          invalid = 0;
        },
      },
    );
    if (res.unchanged) {
      this.log.debug({ serial }, 'upstream listing unchanged');
      return { serial, changed: new Map() };
    }
    if (invalid > 0) this.log.warn({ invalid }, 'skipped projects with invalid names');
    const visited: Record<string, number> = Object.create(null) as Record<string, number>;
    for (const [name, s] of unlisted) {
      if (current?.visited[name] === s) {
        visited[name] = s;
        continue;
      }
      const fetched = await this.mirror.fetchedSerial(name);
      if (fetched !== undefined && s <= fetched) continue;
      changed.set(name, s);
      visited[name] = s;
    }
    // Gone upstream: re-fetching finds a 404, which removes the project. No serial to promise.
    for (const name of unseen) changed.set(name, 0);
    if (res.serial < serial) this.log.warn({ serial, upstream: res.serial }, 'upstream serial went backwards; following it');
    await this.save({ serial: res.serial, ...res.validators, visited });
    return { serial: res.serial, changed };
  }

  private async load(): Promise<SavedListing | null> {
    const buf = await this.storage.read('state', SAVED);
    if (!buf) return null;
    try {
      const saved = JSON.parse(buf.toString('utf8')) as SavedListing;
      return { ...saved, visited: saved.visited ?? {} };
    } catch {
      return null;
    }
  }

  private save(saved: SavedListing): Promise<void> {
    return this.storage.writeFile('state', SAVED, JSON.stringify(saved));
  }
}
