/**
 * XML-RPC wire format, shaped like Python's xmlrpc.client output (what Warehouse emits),
 * so the client under test meets the same layout, `<nil/>` rows and escaping as on PyPI.
 */

export type XmlRpcValue = number | string | null | XmlRpcValue[] | { struct: Array<[string, XmlRpcValue]> };

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (_, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[e.toLowerCase()] ?? '';
  });
}

function encodeValue(v: XmlRpcValue, out: string[]): void {
  if (v === null) out.push('<value><nil/></value>');
  else if (typeof v === 'number') out.push(`<value><int>${v}</int></value>`);
  else if (typeof v === 'string') out.push(`<value><string>${escapeXml(v)}</string></value>`);
  else if (Array.isArray(v)) {
    out.push('<value><array><data>\n');
    for (const item of v) {
      encodeValue(item, out);
      out.push('\n');
    }
    out.push('</data></array></value>');
  } else {
    out.push('<value><struct>\n');
    for (const [k, item] of v.struct) {
      out.push(`<member>\n<name>${escapeXml(k)}</name>\n`);
      encodeValue(item, out);
      out.push('\n</member>\n');
    }
    out.push('</struct></value>');
  }
}

export function encodeResponse(v: XmlRpcValue): string {
  const out = ["<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n"];
  encodeValue(v, out);
  out.push('\n</param>\n</params>\n</methodResponse>\n');
  return out.join('');
}

export function encodeFault(code: number, message: string): string {
  return (
    "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n" +
    `<member>\n<name>faultCode</name>\n<value><int>${code}</int></value>\n</member>\n` +
    `<member>\n<name>faultString</name>\n<value><string>${escapeXml(message)}</string></value>\n</member>\n` +
    '</struct></value>\n</fault>\n</methodResponse>\n'
  );
}

/** A parameter the fake cannot use; the method handler turns it into fault -32602. */
export const UNSUPPORTED = Symbol('unsupported xml-rpc parameter');
export type Param = number | string | boolean | typeof UNSUPPORTED;

export interface MethodCall {
  method: string;
  params: Param[];
}

function parseScalar(inner: string): Param {
  const m = /^\s*<(int|i4|i8|string|boolean)>([\s\S]*?)<\/\1>\s*$/.exec(inner) ?? /^\s*<(string)\/>\s*$/.exec(inner);
  if (!m) return /</.test(inner) ? UNSUPPORTED : unescapeXml(inner); // bare text is a string
  const [, type, text = ''] = m;
  if (type === 'string') return unescapeXml(text);
  if (type === 'boolean') return text.trim() === '1';
  return /^\s*[-+]?\d+\s*$/.test(text) ? Number(text) : UNSUPPORTED;
}

/** Request bodies are tiny and written by the client under test; a regex parse suffices. */
export function parseMethodCall(xml: string): MethodCall | null {
  const name = /<methodCall>\s*<methodName>([^<]*)<\/methodName>/.exec(xml);
  if (!name?.[1]) return null;
  const params: Param[] = [];
  for (const m of xml.matchAll(/<param>\s*<value>([\s\S]*?)<\/value>\s*<\/param>/g)) params.push(parseScalar(m[1] ?? ''));
  return { method: name[1].trim(), params };
}
