/**
 * What a filename or URL from upstream metadata must look like before any path or
 * request is derived from it. Upstream metadata is input from the internet.
 */

/**
 * Filesystems cap a name at 255 bytes, not characters, and a wheel's `<name>.metadata`
 * sits beside it: a longer name would fail on our own disk, which ends the whole run.
 */
export const MAX_FILENAME_BYTES = 255 - '.metadata'.length;

/** Null when the filename is safe to use as one path segment, else the reason. */
export function unsafeFilename(name: string): string | null {
  if (name.length === 0 || Buffer.byteLength(name, 'utf8') > MAX_FILENAME_BYTES) return 'empty or too long';
  if (name.includes('/') || name.includes('\\')) return 'contains a path separator';
  if (name.includes('\0')) return 'contains NUL';
  if (name.startsWith('.')) return 'starts with a dot';
  if (name.includes('..')) return 'contains ..';
  // Control characters and quotes would need escaping in every page and log line.
  if (/[\u0000-\u001f\u007f"<>`]/.test(name)) return 'contains a control or markup character';
  return null;
}

/** Resolves `url` against the document it came from and checks its scheme and host. */
export function checkFileUrl(url: string, base: string, hosts: readonly string[]): { url: string } | { reason: string; host?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch {
    return { reason: 'not a URL' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { reason: `scheme ${parsed.protocol} is not http(s)` };
  if (!hosts.includes(parsed.host.toLowerCase())) return { reason: `host ${parsed.host} is not an allowed file host`, host: parsed.host.toLowerCase() };
  parsed.hash = '';
  return { url: parsed.href };
}
