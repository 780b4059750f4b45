/** Everything one run needs, built once from the configuration. */
import PQueue from 'p-queue';
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import type { ChangeFeed } from '../feed/feed.js';
import { FilePool } from '../download/file-pool.js';
import { loadFilters, type CompiledFilters } from '../planner/filters/compile.js';
import { RootIndex } from '../publish/root-index.js';
import { StateStore } from '../state/store.js';
import { Storage } from '../storage/storage.js';
import { UpstreamHttp } from '../upstream/http.js';
import type { ProjectSource } from '../upstream/json-api.js';
import { RequiresDistClient } from '../upstream/requires-dist.js';
import type { ProjectMeta } from '../model.js';
import { createUpstreamSources } from './upstream-sources.js';

export interface SyncContext {
  cfg: Config;
  log: Logger;
  http: UpstreamHttp;
  /** Download threads, started by the first download. */
  files: FilePool;
  storage: Storage;
  state: StateStore;
  rootIndex: RootIndex;
  /**
   * What the run plans with: the configured filters, or with `dependencies: true` those
   * grown by the dependency closure (set once the closure is resolved).
   */
  filters: CompiledFilters;
  /** The filters as configured. */
  baseFilters: CompiledFilters;
  feed: ChangeFeed;
  projects: ProjectSource;
  requiresDist: RequiresDistClient;
  /** Project metadata fetched by this process (the closure fetches before the run plans). */
  metaMemo: Map<string, ProjectMeta | null>;
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

/**
 * SIGTERM/SIGINT: no new project starts, downloads in flight finish, and downloads that
 * were handed to a thread but not begun end as `E_INTERRUPTED` (the resumed run does
 * them), as do requests waiting out a backoff.
 */
export function requestStop(ctx: SyncContext): void {
  ctx.stopping.requested = true;
  ctx.files.cancelWaiting();
  ctx.http.stop();
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
  const state = new StateStore(storage);
  const rootIndex = new RootIndex(storage);
  // The feed asks what the run selects, and the run's filters may grow (the closure).
  const self: { ctx?: SyncContext } = {};
  const upstream = createUpstreamSources(cfg, { http, state, rootIndex, filters: () => self.ctx?.filters ?? filters, log });
  return (self.ctx = {
    cfg,
    log,
    http,
    files: new FilePool({ userAgent: cfg.upstream.userAgent, timeoutMs: cfg.upstream.timeoutMs }, cfg.upstream.downloadConcurrency),
    storage,
    state,
    rootIndex,
    filters,
    baseFilters: filters,
    feed: upstream.feed,
    projects: upstream.projects,
    requiresDist: new RequiresDistClient(http, { url: cfg.upstream.url, hosts: [upstreamHost], fileHosts: cfg.upstream.fileHosts }),
    metaMemo: new Map(),
    metadataQueue: new PQueue({ concurrency: cfg.upstream.metadataConcurrency }),
    // Twice the requests in flight: the download threads cap the requests themselves
    // (`FilePool`) and hold the other half ready, so that a download finishing while the
    // main thread is busy is followed by the next at once.
    downloadQueue: new PQueue({ concurrency: cfg.upstream.downloadConcurrency * 2 }),
    stopping: { requested: false },
    progress: { projectsTotal: 0, projectsDone: 0, filesTotal: 0, filesDone: 0 },
  });
}
