/** The listing sink: members of the top-level struct stream out instead of being stored. */
import { describe, expect, test } from 'vitest';
import { JubjubError } from '../../src/errors.js';
import { XmlRpcResponseParser, type XmlRpcValue } from '../../src/upstream/xmlrpc-parse.js';

function members(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += `<member><name>p${i}</name><value><int>${i}</int></value></member>`;
  return s;
}

function feed(xml: string, chunk = 7): { result: XmlRpcValue; seen: Array<[string, XmlRpcValue]> } {
  const seen: Array<[string, XmlRpcValue]> = [];
  const parser = new XmlRpcResponseParser((name, value) => seen.push([name, value]));
  const buf = Buffer.from(xml);
  for (let i = 0; i < buf.length; i += chunk) parser.write(buf.subarray(i, i + chunk));
  return { result: parser.end(), seen };
}

describe('XmlRpcResponseParser with a member sink', () => {
  test('top-level struct members go to the sink in order and are not stored', () => {
    const xml = `<?xml version="1.0"?><methodResponse><params><param><value><struct>${members(1000)}</struct></value></param></params></methodResponse>`;
    const { result, seen } = feed(xml);
    expect(seen).toHaveLength(1000);
    expect(seen[0]).toEqual(['p0', 0]);
    expect(seen[999]).toEqual(['p999', 999]);
    expect(result).toBeInstanceOf(Map);
    expect((result as Map<string, XmlRpcValue>).size).toBe(0);
  });

  test('members of nested structs stay inside their values', () => {
    const xml = `<methodResponse><params><param><value><struct><member><name>outer</name><value><struct>${members(2)}</struct></value></member></struct></value></param></params></methodResponse>`;
    const { seen } = feed(xml);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.[0]).toBe('outer');
    expect([...(seen[0]?.[1] as Map<string, XmlRpcValue>).keys()]).toEqual(['p0', 'p1']);
  });

  test('a fault is still a fault, never fed to the sink', () => {
    const xml = `<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>-32500</int></value></member><member><name>faultString</name><value><string>HTTPTooManyRequests</string></value></member></struct></value></fault></methodResponse>`;
    const seen: string[] = [];
    const parser = new XmlRpcResponseParser((name) => seen.push(name));
    parser.write(Buffer.from(xml));
    let err: unknown;
    try {
      parser.end();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(JubjubError);
    expect((err as JubjubError).code).toBe('E_RATE_LIMITED');
    expect(seen).toEqual([]);
  });
});
