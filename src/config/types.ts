import type { FilterSettings } from '../planner/filters/settings.js';

/** The effective configuration: defaults applied, paths absolute, units converted. */
export interface Config {
  /** Absolute path of the mirror.yaml this came from. */
  file: string;
  upstream: {
    /** Index root without a trailing slash. */
    url: string;
    changes: 'xmlrpc' | 'simple';
    filesUrl: string | null;
    /** Every host a file (or metadata) URL may point at, lowercase, with port if any. */
    fileHosts: string[];
    timeoutMs: number;
    retries: number;
    metadataConcurrency: number;
    downloadConcurrency: number;
    userAgent: string;
  };
  mirror: {
    root: string;
    state: string;
    formats: Array<'html' | 'json'>;
    jsonApi: boolean;
    coreMetadata: boolean;
    /** Absolute URL the root is served at, ending in `/`; null for relative links. */
    baseUrl: string | null;
    upstreamDeletions: 'delete' | 'keep';
  };
  schedule: string;
  filters: FilterSettings;
  log: { level: 'trace' | 'debug' | 'info' | 'warn' | 'error'; format: 'auto' | 'json' | 'pretty' };
  metrics: { textfile: string | null };
}
