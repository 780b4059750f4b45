/**
 * A root-listing render thread (see fragment-pool.ts): takes a shard's TSV, answers
 * with its HTML and JSON fragments. Pure: it reads and writes no file.
 */
import { parentPort } from 'node:worker_threads';
import { rootHtmlFragment, rootJsonFragment } from './root-pages.js';
import { decodeSorted } from './root-shards.js';

export interface FragmentJob {
  key: string;
  digest: string;
  tsv: string;
}

export interface FragmentResult {
  key: string;
  digest: string;
  html: string;
  json: string;
}

parentPort?.on('message', (job: FragmentJob) => {
  const entries = decodeSorted(job.tsv);
  const result: FragmentResult = { key: job.key, digest: job.digest, html: rootHtmlFragment(entries), json: rootJsonFragment(entries) };
  parentPort?.postMessage(result);
});
