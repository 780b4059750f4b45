/**
 * The bench's upstream: the test suite's fake PyPI (XML-RPC, JSON API, simple API,
 * request counting), its catalog filled from the cached corpus instead of built file by
 * file. `FakePypi.addFile` builds each artifact and hashes it with a pure-JS BLAKE2b,
 * minutes for 50,000 files; the corpus has the same real bytes and digests precomputed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Catalog, type FileRecord } from '../test/fake-pypi/catalog.js';
import { FakePypi } from '../test/fake-pypi/index.js';
import type { BuiltFile, BuiltProject, Corpus } from './corpus.js';

/** The catalog's deterministic clock (catalog.ts): times are this plus the serial. */
const EPOCH = Date.UTC(2024, 0, 1) / 1000;
const REQUIRES_PYTHON = '>=3.8';

function catalogOf(fake: FakePypi): Catalog {
  const c = (fake as unknown as { catalog?: unknown }).catalog;
  if (!(c instanceof Catalog)) throw new Error('bench: FakePypi no longer keeps its catalog in `catalog`; update bench/upstream.ts');
  return c;
}

/** File bytes, read once from the corpus and shared by every fake that lists the file. */
export class FileBytes {
  private readonly cache = new Map<string, { bytes: Buffer; metadata: Buffer | null }>();
  constructor(private readonly docroot: string) {}

  get(f: BuiltFile): { bytes: Buffer; metadata: Buffer | null } {
    let hit = this.cache.get(f.path);
    if (!hit) {
      const file = path.join(this.docroot, f.path);
      hit = { bytes: readFileSync(file), metadata: f.metadataSha256 ? readFileSync(`${file}.metadata`) : null };
      if (hit.bytes.length !== f.size) throw new Error(`bench: corpus file ${file} has ${hit.bytes.length} bytes, manifest says ${f.size}`);
      this.cache.set(f.path, hit);
    }
    return hit;
  }
}

/** What `Catalog.addFile` records, with the corpus's precomputed bytes and digests. */
function addBuiltFile(fake: FakePypi, f: BuiltFile, store: FileBytes): void {
  const c = catalogOf(fake);
  const p = c.project(f.project);
  const r = c.release(f.project, f.version);
  const { bytes, metadata } = store.get(f);
  const serial = c.serial + 1;
  const upload = new Date((EPOCH + serial) * 1000);
  const rec: FileRecord = {
    filename: f.filename,
    project: p.name,
    version: f.version,
    bytes,
    metadata,
    sha256: f.sha256,
    md5: f.md5,
    blake2b256: f.blake2b256,
    metadataSha256: f.metadataSha256,
    packagetype: f.packagetype,
    pythonVersion: f.pythonVersion,
    requiresPython: REQUIRES_PYTHON,
    uploadTimeIso: `${upload.toISOString().slice(0, 19)}.${String((serial * 7919) % 1_000_000).padStart(6, '0')}Z`,
    path: f.path,
    corrupt: null,
  };
  if (c.files.has(rec.filename)) throw new Error(`bench: file ${rec.filename} listed twice`);
  r.files.set(rec.filename, rec);
  c.files.set(rec.filename, rec);
  c.filesByPath.set(rec.path, rec);
  // Catalog.record: one changelog row and serial per change.
  c.serial = serial;
  p.lastSerial = serial;
  c.changelog.push([p.displayName, f.version, EPOCH + serial, `add ${rec.pythonVersion} file ${rec.filename}`, serial]);
}

export function addRelease(fake: FakePypi, display: string, version: string, files: BuiltFile[], store: FileBytes): void {
  fake.addRelease(display, version, { requiresPython: REQUIRES_PYTHON });
  for (const f of files) addBuiltFile(fake, f, store);
}

export function addProjects(fake: FakePypi, projects: BuiltProject[], store: FileBytes): void {
  for (const p of projects) {
    fake.addProject(p.display);
    for (const r of p.releases) addRelease(fake, p.display, r.version, r.files, store);
  }
}

export async function startUpstream(projects: BuiltProject[], store: FileBytes): Promise<FakePypi> {
  const fake = await FakePypi.start();
  addProjects(fake, projects, store);
  return fake;
}

/** Total requests the fake answered of the metadata kinds (XML-RPC, JSON API, simple API). */
export function metadataRequests(fake: FakePypi): { xmlrpc: number; json: number; simple: number; total: number } {
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const xmlrpc = sum(fake.requests.xmlrpc);
  const json = sum(fake.requests.json);
  return { xmlrpc, json, simple: fake.requests.simple, total: fake.requests.total };
}

export type { Corpus };
