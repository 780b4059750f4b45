/**
 * The change feed and the per-project source for `upstream.changes`:
 * - `xmlrpc`: the changelog, and the JSON API. Against pypi.org a first (full) listing
 *   reads the CDN-cached PEP 691 listing instead of list_packages_with_serial.
 * - `simple`: the PEP 691 listing, and the JSON API or, for an index without one, the
 *   PEP 691 project pages.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import { XmlRpcFeed, type ChangeFeed } from '../feed/feed.js';
import { SimpleFeed, type MirrorView } from '../feed/simple-feed.js';
import type { CompiledFilters } from '../planner/filters/compile.js';
import { isProjectSelected } from '../planner/filters/project.js';
import type { RootIndex } from '../publish/root-index.js';
import type { StateStore } from '../state/store.js';
import type { UpstreamHttp } from '../upstream/http.js';
import { IndexProjectClient } from '../upstream/index-projects.js';
import { JsonApiClient, type ProjectSource } from '../upstream/json-api.js';
import { SimpleListingClient } from '../upstream/simple-listing.js';
import { SimpleProjectClient } from '../upstream/simple-project.js';
import { XmlRpcClient } from '../upstream/xmlrpc-client.js';

export interface UpstreamSources {
  feed: ChangeFeed;
  projects: ProjectSource;
}

/** The index whose listing is known to be a cached GET while its XML-RPC listing is built per call. */
const CACHED_LISTING_HOSTS = new Set(['pypi.org']);

export function createUpstreamSources(
  cfg: Config,
  deps: { http: UpstreamHttp; state: StateStore; rootIndex: RootIndex; filters: () => CompiledFilters; log: Logger },
): UpstreamSources {
  const { http, log } = deps;
  const host = new URL(cfg.upstream.url).host.toLowerCase();
  const opts = { url: cfg.upstream.url, hosts: [host], fileHosts: cfg.upstream.fileHosts, coreMetadata: cfg.mirror.coreMetadata };
  const json = new JsonApiClient(http, opts, log);
  const listing = new SimpleListingClient(http, cfg.upstream.url, [host]);
  if (cfg.upstream.changes === 'xmlrpc') {
    const rpc = new XmlRpcClient(http, cfg.upstream.url, [host]);
    return { feed: new XmlRpcFeed(rpc, log, CACHED_LISTING_HOSTS.has(host) ? listing : null), projects: json };
  }
  const feed = new SimpleFeed(listing, deps.state.storage, mirrorView(deps), log);
  return { feed, projects: new IndexProjectClient(json, new SimpleProjectClient(http, opts, log), feed.displayNames, log) };
}

function mirrorView(deps: { state: StateStore; rootIndex: RootIndex; filters: () => CompiledFilters }): MirrorView {
  let absent: Promise<Record<string, number>> | undefined;
  return {
    async listed() {
      const out = new Map<string, number>();
      for (const name of await deps.rootIndex.names()) {
        const entry = await deps.rootIndex.get(name);
        if (entry) out.set(name, entry.serial);
      }
      return out;
    },
    // A getter: the filters may grow during the run (the dependency closure).
    selected: (name) => isProjectSelected(deps.filters(), name),
    async fetchedSerial(name) {
      const meta = await deps.state.meta(name);
      if (meta) return meta.lastSerial;
      absent ??= deps.state.mirror().then((m) => m.absent);
      return (await absent)[name];
    },
  };
}
