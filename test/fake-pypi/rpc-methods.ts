import type { Catalog } from './catalog.js';
import { encodeFault, encodeResponse, UNSUPPORTED, type Param, type XmlRpcValue } from './xmlrpc.js';

/** The three change-feed methods a mirror uses, with Warehouse's fault codes. */

export interface RpcOptions {
  maxChangelogRows: number;
  hostile?: { rpc?(method: string, result: XmlRpcValue): XmlRpcValue } | null;
}

function intParams(params: Param[], count: number): number[] | null {
  if (params.length !== count) return null;
  const out: number[] = [];
  for (const p of params) {
    if (p === UNSUPPORTED || typeof p !== 'number' || !Number.isSafeInteger(p)) return null;
    out.push(p);
  }
  return out;
}

const METHODS: Record<string, (c: Catalog, params: Param[], o: RpcOptions) => XmlRpcValue | undefined> = {
  changelog_last_serial(c, params) {
    return intParams(params, 0) ? c.serial : undefined;
  },
  changelog_since_serial(c, params, o) {
    const since = intParams(params, 1)?.[0];
    if (since === undefined) return undefined;
    // Serials are the changelog's 1-based positions, so the first newer row is at index `since`.
    const start = Math.max(0, Math.min(since, c.changelog.length));
    return c.changelog.slice(start, start + o.maxChangelogRows).map((row) => [...row]);
  },
  list_packages_with_serial(c, params) {
    if (!intParams(params, 0)) return undefined;
    return { struct: [...c.projects.values()].map((p): [string, XmlRpcValue] => [p.displayName, p.lastSerial]) };
  },
};

export function callMethod(c: Catalog, method: string, params: Param[], o: RpcOptions): string {
  const impl = Object.hasOwn(METHODS, method) ? METHODS[method] : undefined;
  if (!impl) return encodeFault(-32601, `client error; method not found: ${method}`);
  const result = impl(c, params, o);
  if (result === undefined) return encodeFault(-32602, `client error; invalid method parameters for ${method}`);
  return encodeResponse(o.hostile?.rpc?.(method, result) ?? result);
}
