/** The raw-download baseline: curl's own parallel mode over a config file of URLs. */
import { writeFile } from 'node:fs/promises';
import { timed, type Timed } from './proc.js';

export interface Download {
  /** URL path on the server, e.g. `/packages/ab/cd/.../x.whl`. */
  path: string;
  /** Where to write it (`/dev/null` to measure the server alone). */
  output: string;
}

export async function writeCurlConfig(file: string, base: string, downloads: Download[]): Promise<void> {
  const lines: string[] = [];
  for (const d of downloads) lines.push(`url = "${base}${d.path}"`, `output = "${d.output}"`);
  await writeFile(file, `${lines.join('\n')}\n`);
}

/** `curl -Z --parallel-max N -K config`: every URL in parallel, N at a time, failing on HTTP errors. */
export function curlParallel(config: string, parallel: number, opts: { createDirs: boolean }): Promise<Timed> {
  const args = ['-Z', '--parallel-max', String(parallel), '-s', '-S', '--fail', '--connect-timeout', '10', '--max-time', '120'];
  if (opts.createDirs) args.push('--create-dirs');
  args.push('-K', config);
  return timed('curl', args, { timeoutMs: 30 * 60_000 });
}
