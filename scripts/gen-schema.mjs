/**
 * Writes mirror.schema.json, the JSON Schema editors use for mirror.yaml, from the zod
 * schema the loader validates with (src/config/schema.ts), so the two cannot drift:
 * test/unit/config-schema.test.ts regenerates it and compares. Run `npm run schema`
 * (which builds first: this plain-ESM script reads dist/, the repo has no TS runner).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';

const SCHEMA_FILE = fileURLToPath(new URL('../mirror.schema.json', import.meta.url));

/**
 * The published schema for `configSchema`.
 *
 * - draft-07: the newest draft yaml-language-server (VS Code's YAML extension and most
 *   editors' YAML support) validates; its 2019-09/2020-12 support is not released.
 * - io 'input': the file as written, where every defaulted key is optional.
 * - Every top-level section, and the document itself, may also be null, because the
 *   loader reads an empty `filters:` (or an empty file) as all defaults before zod sees
 *   it (emptySectionsToDefaults in src/config/load.ts); `schedule` stays a string there.
 *
 * @param {import('zod').ZodType} configSchema
 * @returns {Record<string, unknown>}
 */
export function buildMirrorSchema(configSchema) {
  // 'throw' so a transform or other type without a JSON form fails here instead of
  // publishing `{}`; refinements (.refine) have no JSON form either and are left out,
  // which is why schema.ts pairs the ones editors should see with a .regex().
  const generated = z.toJSONSchema(configSchema, { target: 'draft-07', io: 'input', unrepresentable: 'throw' });
  const { $schema, ...rest } = generated;
  const properties = /** @type {Record<string, { type?: unknown }>} */ (rest.properties ?? {});
  for (const section of Object.values(properties)) {
    if (section.type === 'object') section.type = ['object', 'null'];
  }
  return {
    $schema,
    $id: 'urn:jubjub:mirror.schema.json',
    title: 'jubjub mirror.yaml',
    description:
      'Configuration of a jubjub mirror. Every key is optional. Reference: docs/configuration.md. ' +
      'Generated from src/config/schema.ts by `npm run schema`; do not edit.',
    ...rest,
    type: ['object', 'null'],
  };
}

/**
 * The file's text: the generator's key order, two-space indent, final newline.
 * @param {import('zod').ZodType} configSchema
 */
export function renderMirrorSchema(configSchema) {
  return `${JSON.stringify(buildMirrorSchema(configSchema), null, 2)}\n`;
}

async function main() {
  const { configSchema } = await import('../dist/config/schema.js');
  await writeFile(SCHEMA_FILE, renderMirrorSchema(configSchema));
  console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE) || SCHEMA_FILE}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
