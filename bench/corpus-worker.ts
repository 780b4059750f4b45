/** Builds a share of the corpus's files (real wheels/sdists) in a worker thread; see corpus.ts. */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { buildArtifact } from '../test/fake-pypi/artifact.js';
import type { BuildJob, BuildResult } from './corpus.js';

const { staging, jobs } = workerData as { staging: string; jobs: BuildJob[] };
for (const j of jobs) {
  const a = buildArtifact({
    displayName: j.display,
    version: j.version,
    kind: j.spec.kind,
    tags: j.spec.tags,
    size: j.spec.size,
    requiresPython: '>=3.8',
    requiresDist: [],
  });
  writeFileSync(path.join(staging, String(j.index)), a.bytes);
  if (a.metadata) writeFileSync(path.join(staging, `${j.index}.metadata`), a.metadata);
  const result: BuildResult = {
    index: j.index,
    filename: a.filename,
    size: a.bytes.length,
    sha256: createHash('sha256').update(a.bytes).digest('hex'),
    md5: createHash('md5').update(a.bytes).digest('hex'),
    metadataSha256: a.metadata ? createHash('sha256').update(a.metadata).digest('hex') : null,
    metadataSize: a.metadata?.length ?? 0,
    packagetype: a.packagetype,
    pythonVersion: a.pythonVersion,
  };
  parentPort?.postMessage(result);
}
