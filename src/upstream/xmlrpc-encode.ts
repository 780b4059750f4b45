/** Builds XML-RPC method calls. Integers go out as real `<int>`s: Warehouse rejects strings. */

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function encodeCall(method: string, params: Array<number | string>): string {
  const values = params
    .map((p) =>
      typeof p === 'number'
        ? `<param><value><int>${Math.trunc(p)}</int></value></param>`
        : `<param><value><string>${escapeXml(p)}</string></value></param>`,
    )
    .join('');
  return `<?xml version="1.0"?>\n<methodCall><methodName>${escapeXml(method)}</methodName><params>${values}</params></methodCall>\n`;
}
