/** Shared handling of upstream JSON documents: size limit, parsing, schema errors. */
import { JubjubError } from '../errors.js';

/** PyPI's largest project documents are a few MB; anything far beyond is refused. */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** Core metadata (`.metadata`) files are a few KB; PyPI caps them well below this. */
export const MAX_METADATA_BYTES = 16 * 1024 * 1024;

export function parseJson(body: Buffer, url: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new JubjubError('E_INVALID_UPSTREAM', `${url}: not JSON (${(err as Error).message})`);
  }
}

export function schemaError(url: string, issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): JubjubError {
  const first = issues[0];
  const where = first ? first.path.map(String).join('.') : '';
  return new JubjubError('E_INVALID_UPSTREAM', `${url}: invalid document at ${where || 'top level'}: ${first?.message ?? 'invalid'}`);
}
