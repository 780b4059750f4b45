/**
 * Schemas for upstream documents, checked at the boundary: a document that fails here
 * fails its project, never the run. They accept what PyPI and other indexes send (extra
 * keys pass through, optional fields may be absent) and nothing that would break a page.
 */
import { z } from 'zod';

const sha256Hex = z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected a hex sha256').transform((s) => s.toLowerCase());

export const coreMetadataSchema = z.union([
  z.boolean(),
  z.looseObject({ sha256: sha256Hex.optional() }),
]);

export const jsonApiFileSchema = z.looseObject({
  filename: z.string().min(1).max(512),
  url: z.string().min(1).max(4096),
  digests: z.looseObject({ sha256: sha256Hex }),
  size: z.number().int().nonnegative(),
  packagetype: z.string().max(64).nullish(),
  python_version: z.string().max(64).nullish(),
  requires_python: z.string().max(1024).nullish(),
  yanked: z.boolean().nullish(),
  yanked_reason: z.string().max(4096).nullish(),
  upload_time_iso_8601: z.string().max(64).nullish(),
  upload_time: z.string().max(64).nullish(),
  'core-metadata': coreMetadataSchema.optional(),
  'data-dist-info-metadata': coreMetadataSchema.optional(),
});

export const jsonApiProjectSchema = z.looseObject({
  info: z.looseObject({ name: z.string().min(1).max(512) }),
  last_serial: z.number().int().nonnegative().optional(),
  releases: z.record(z.string().max(256), z.array(jsonApiFileSchema)),
});

export type JsonApiFile = z.output<typeof jsonApiFileSchema>;
export type JsonApiProject = z.output<typeof jsonApiProjectSchema>;

/** PEP 691 project page, read only for `core-metadata` when the JSON API lacks it. */
export const simpleProjectSchema = z.looseObject({
  files: z.array(
    z.looseObject({
      filename: z.string(),
      'core-metadata': coreMetadataSchema.optional(),
      'dist-info-metadata': coreMetadataSchema.optional(),
    }),
  ),
});

/** PEP 691 root listing: `meta` with the index's serial (a PyPI extension, also written by jubjub). */
export const simpleListingMetaSchema = z.looseObject({
  'api-version': z.string().max(32).optional(),
  '_last-serial': z.number().int().nonnegative().optional(),
});

export const simpleListingItemSchema = z.looseObject({
  name: z.string().min(1).max(512),
  '_last-serial': z.number().int().nonnegative(),
});

const yankedSchema = z.union([z.boolean(), z.string().max(4096)]);

/** A file of a PEP 691 project page, with the PEP 700 fields (size, upload-time) a mirror needs. */
export const simpleFileSchema = z.looseObject({
  filename: z.string().min(1).max(512),
  url: z.string().min(1).max(4096),
  hashes: z.record(z.string().max(64), z.string().max(256)),
  size: z.number().int().nonnegative().optional(),
  'upload-time': z.string().max(64).nullish(),
  'requires-python': z.string().max(1024).nullish(),
  yanked: yankedSchema.nullish(),
  'core-metadata': coreMetadataSchema.optional(),
  'dist-info-metadata': coreMetadataSchema.optional(),
});

/** A whole PEP 691 project page, read as per-project truth when the upstream has no JSON API. */
export const simpleProjectPageSchema = z.looseObject({
  meta: z.looseObject({ 'api-version': z.string().max(32).optional(), '_last-serial': z.number().int().nonnegative().optional() }).optional(),
  name: z.string().min(1).max(512),
  versions: z.array(z.string().max(256)).optional(),
  files: z.array(simpleFileSchema),
});

export type SimpleFile = z.output<typeof simpleFileSchema>;
export type SimpleProjectPage = z.output<typeof simpleProjectPageSchema>;
