/**
 * Where a worker thread's script is: beside the bundle (`dist/<name>.mjs`, what
 * `bin/jubjub.js` runs), beside the compiled module (`dist/<dir>/<name>.js`), or, for
 * tests that import the TypeScript sources, in `dist/` (`npm test` builds it first).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { JubjubError } from './errors.js';

export function threadScript(dir: string, name: string): string {
  const candidates = [`./${name}.mjs`, `./${dir}/${name}.js`, `../dist/${dir}/${name}.js`];
  for (const rel of candidates) {
    const file = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(file)) return file;
  }
  throw new JubjubError('E_STORAGE', `cannot find the thread script ${name} next to ${fileURLToPath(import.meta.url)}: run npm run build`);
}
