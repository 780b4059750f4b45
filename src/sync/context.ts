/** Everything one run needs, built once from the configuration. */
import PQueue from 'p-queue';
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import { XmlRpcFeed, type ChangeFeed } from '../feed/feed.js';
import { loadFilters, type CompiledFilters } from '../planner/filters/compile.js';
import { RootIndex } from '../publish/root-index.js';
import { StateStore } from '../state/store.js';
import { Storage } from '../storage/storage.js';
import { UpstreamHttp } from '../upstream/http.js';
import { JsonApiClient } from '../upstream/json-api.js';
import { XmlRpcClient } from '../upstream/xmlrpc-client.js';

export interface SyncContext {
  cfg: Config;
  log: Logger;
  http: UpstreamHttp;
  storage: Storage;
  state: StateStore;
  rootIndex: RootIndex;
  filters: CompiledFilters;
  feed: ChangeFeed;
  projects: JsonApiClient;
  metadataQueue: PQueue;
  downloadQueue: PQueue;
  /** Set by SIGTERM/SIGINT: start no new project, finish what is in flight. */
  stopping: { requested: boolean };
  /** Counters of the run in progress, for a terminal's progress line (never logged). */
  progress: RunProgress;
}

export interface RunProgress {
  projectsTotal: number;
  projectsDone: number;
  /** Files the planned projects need to download; grows as projects are planned. */
  filesTotal: number;
  filesDone: number;
}

export async function createContext(cfg: Config, log: Logger): Promise<SyncContext> {
  const filters = await loadFilters(cfg.filters);
  const http = new UpstreamHttp({
    timeoutMs: cfg.upstream.timeoutMs,
    retries: cfg.upstream.retries,
    userAgent: cfg.upstream.userAgent,
    log,
  });
  const upstreamHost = new URL(cfg.upstream.url).host.toLowerCase();
  const storage = new Storage(cfg.mirror.root, cfg.mirror.state);
  return {
    cfg,
    log,
    http,
    storage,
    state: new StateStore(storage),
    rootIndex: new RootIndex(storage),
    filters,
    feed: new XmlRpcFeed(new XmlRpcClient(http, cfg.upstream.url, [upstreamHost]), log),
    projects: new JsonApiClient(
      http,
      { url: cfg.upstream.url, hosts: [upstreamHost], fileHosts: cfg.upstream.fileHosts, coreMetadata: cfg.mirror.coreMetadata },
      log,
    ),
    metadataQueue: new PQueue({ concurrency: cfg.upstream.metadataConcurrency }),
    downloadQueue: new PQueue({ concurrency: cfg.upstream.downloadConcurrency }),
    stopping: { requested: false },
    progress: { projectsTotal: 0, projectsDone: 0, filesTotal: 0, filesDone: 0 },
  };
}
