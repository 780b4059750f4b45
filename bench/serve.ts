/**
 * Starts the bench's upstream (the fake PyPI with the cached corpus, and nginx for its
 * files) and leaves it running, for profiling jubjub by hand:
 *
 *   node bench/dist/bench/serve.js [--quick] [--dir DIR]
 *   node --cpu-prof bin/jubjub.js sync -c DIR/mirror.yaml      # in another terminal
 *   strace -f -c node bin/jubjub.js sync -c DIR/mirror.yaml
 *
 * Ctrl-C stops both servers.
 */
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadCorpus } from './corpus.js';
import { writeConfig, type Mirror } from './mirror.js';
import { Nginx } from './nginx.js';
import { SCALES } from './scales.js';
import { FileBytes, startUpstream } from './upstream.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const dirAt = argv.indexOf('--dir');
const dir = path.resolve(dirAt >= 0 && argv[dirAt + 1] ? argv[dirAt + 1]! : path.join(os.tmpdir(), 'jubjub-bench-serve'));
const cache = process.env.JUBJUB_BENCH_CACHE ?? path.join(os.tmpdir(), 'jubjub-bench-cache');
const log = (s: string) => process.stdout.write(`${s}\n`);

const corpus = await loadCorpus(cache, SCALES[quick ? 'quick' : 'full'].corpus, log);
const fake = await startUpstream(corpus.projects, new FileBytes(corpus.docroot));
await rm(dir, { recursive: true, force: true });
await mkdir(dir, { recursive: true });
const nginx = await Nginx.start(corpus.docroot, path.join(dir, 'nginx'), 1);
const m: Mirror = { dir, config: path.join(dir, 'mirror.yaml'), root: path.join(dir, 'web'), state: path.join(dir, 'state'), log: path.join(dir, 'jubjub.log') };
await writeConfig(m, { url: fake.url, filesUrl: nginx.url });
log(`fake PyPI ${fake.url} (${corpus.projects.length} projects), nginx ${nginx.url}`);
log(`mirror configuration: ${m.config} (tree ${m.root}, state ${m.state})`);
log('Ctrl-C to stop');
const stop = async () => {
  await nginx.stop();
  await fake.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
