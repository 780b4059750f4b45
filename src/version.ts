import { readFileSync } from 'node:fs';

/** Read once from package.json so the User-Agent and `--version` never drift from the release. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
