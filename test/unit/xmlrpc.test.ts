import { describe, expect, test } from 'vitest';
import { JubjubError } from '../../src/errors.js';
import { encodeCall } from '../../src/upstream/xmlrpc-encode.js';
import { XmlRpcResponseParser, type XmlRpcValue } from '../../src/upstream/xmlrpc-parse.js';

function response(value: string): string {
  return `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value>${value}</value>\n</param>\n</params>\n</methodResponse>\n`;
}

function fault(code: number, text: string): string {
  return (
    `<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n` +
    `<member>\n<name>faultCode</name>\n<value><int>${code}</int></value>\n</member>\n` +
    `<member>\n<name>faultString</name>\n<value><string>${text}</string></value>\n</member>\n` +
    `</struct></value>\n</fault>\n</methodResponse>\n`
  );
}

function parse(xml: string | Buffer): XmlRpcValue {
  const p = new XmlRpcResponseParser();
  p.write(Buffer.isBuffer(xml) ? xml : Buffer.from(xml, 'utf8'));
  return p.end();
}

function parseChunked(xml: string, size: number): XmlRpcValue {
  const bytes = Buffer.from(xml, 'utf8');
  const p = new XmlRpcResponseParser();
  for (let i = 0; i < bytes.length; i += size) p.write(bytes.subarray(i, i + size));
  return p.end();
}

/** Runs `fn`, expects a JubjubError, returns it. Write and end errors both count. */
function caught(fn: () => unknown): JubjubError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(JubjubError);
    return err as JubjubError;
  }
  throw new Error('expected an error');
}

describe('XmlRpcResponseParser: scalars', () => {
  test.each([
    ['<int>42</int>', 42],
    ['<i4>-7</i4>', -7],
    ['<i8>25000000000</i8>', 25_000_000_000],
    ['<int> 12 </int>', 12],
    ['<string>hello world</string>', 'hello world'],
    ['<string></string>', ''],
    ['plain text', 'plain text'],
    ['', ''],
    ['<boolean>1</boolean>', true],
    ['<boolean>0</boolean>', false],
    ['<double>3.25</double>', 3.25],
    ['<double>-0.5</double>', -0.5],
    ['<nil/>', null],
    ['<string>a &amp; b &lt;c&gt; &quot;d&quot; &#233;</string>', 'a & b <c> "d" é'],
    ['<string><![CDATA[<raw> & stuff]]></string>', '<raw> & stuff'],
    ['<string>  spaced  </string>', '  spaced  '],
  ])('%s', (inner, expected) => {
    expect(parse(response(inner))).toEqual(expected);
  });

  test('whitespace around a typed value is ignored', () => {
    expect(parse(response('\n   <int>5</int>\n  '))).toBe(5);
    expect(parse(response('\n  <nil/>\n'))).toBeNull();
  });

  test('an int that is not an integer is invalid', () => {
    expect(caught(() => parse(response('<int>12abc</int>'))).code).toBe('E_INVALID_UPSTREAM');
    expect(caught(() => parse(response('<i8>99999999999999999999</i8>'))).code).toBe('E_INVALID_UPSTREAM');
  });
});

describe('XmlRpcResponseParser: collections', () => {
  test('an array of changelog rows with nil', () => {
    const row = (name: string, version: string | null, ts: number, action: string, serial: number) =>
      `<value><array><data>` +
      `<value><string>${name}</string></value>` +
      `<value>${version === null ? '<nil/>' : `<string>${version}</string>`}</value>` +
      `<value><int>${ts}</int></value>` +
      `<value>${action}</value>` +
      `<value><i4>${serial}</i4></value>` +
      `</data></array></value>`;
    const xml = response(
      `<array><data>${row('Foo_Bar', '1.0', 1700000000, 'new release', 100)}${row('baz', null, 1700000001, 'create', 101)}</data></array>`,
    );
    expect(parse(xml)).toEqual([
      ['Foo_Bar', '1.0', 1700000000, 'new release', 100],
      ['baz', null, 1700000001, 'create', 101],
    ]);
  });

  test('an empty array and an empty struct', () => {
    expect(parse(response('<array><data></data></array>'))).toEqual([]);
    const s = parse(response('<struct></struct>'));
    expect(s).toBeInstanceOf(Map);
    expect((s as Map<string, XmlRpcValue>).size).toBe(0);
  });

  test('a struct becomes a Map, in document order, with bare and typed values', () => {
    const xml = response(
      '<struct>' +
        '<member><name>Django</name><value><int>5</int></value></member>' +
        '<member><name>requests</name><value><i4>7</i4></value></member>' +
        '<member><name>zope.interface</name><value>bare</value></member>' +
        '<member><name>a &amp; b</name><value><boolean>1</boolean></value></member>' +
        '</struct>',
    );
    const v = parse(xml);
    expect(v).toBeInstanceOf(Map);
    expect([...(v as Map<string, XmlRpcValue>).entries()]).toEqual([
      ['Django', 5],
      ['requests', 7],
      ['zope.interface', 'bare'],
      ['a & b', true],
    ]);
  });

  test('nested arrays and structs', () => {
    const xml = response(
      '<struct>' +
        '<member><name>list</name><value><array><data>' +
        '<value><int>1</int></value>' +
        '<value><array><data><value><string>x</string></value><value><nil/></value></data></array></value>' +
        '<value><struct><member><name>k</name><value><double>1.5</double></value></member></struct></value>' +
        '</data></array></value></member>' +
        '<member><name>inner</name><value><struct><member><name>deep</name><value><struct>' +
        '<member><name>x</name><value>y</value></member></struct></value></member></struct></value></member>' +
        '</struct>',
    );
    const v = parse(xml) as Map<string, XmlRpcValue>;
    const list = v.get('list') as XmlRpcValue[];
    expect(list[0]).toBe(1);
    expect(list[1]).toEqual(['x', null]);
    expect(list[2]).toEqual(new Map([['k', 1.5]]));
    expect(v.get('inner')).toEqual(new Map([['deep', new Map([['x', 'y']])]]));
  });

  test('a large struct streamed in 1-byte chunks with multi-byte UTF-8 names parses identically', () => {
    const names = ['café', 'naïve-pkg', '日本語', 'emoji-😀-pkg', 'plain', 'Ωmega_ß'];
    const members = names
      .map((n, i) => `<member><name>${n}</name><value><int>${i + 1}</int></value></member>`)
      .join('\n');
    const xml = response(
      `<array><data><value><struct>${members}</struct></value><value><string>végétal ✓ 😀</string></value></data></array>`,
    );
    const whole = parse(xml);
    const oneByte = parseChunked(xml, 1);
    const threeBytes = parseChunked(xml, 3);
    expect(oneByte).toEqual(whole);
    expect(threeBytes).toEqual(whole);
    const [map, text] = whole as [Map<string, XmlRpcValue>, string];
    expect([...map.keys()]).toEqual(names);
    expect(map.get('emoji-😀-pkg')).toBe(4);
    expect(text).toBe('végétal ✓ 😀');
  });
});

describe('XmlRpcResponseParser: faults', () => {
  test('a fault is a typed, permanent error', () => {
    const err = caught(() => parse(fault(-32601, 'method not found: frobnicate')));
    expect(err.code).toBe('E_XMLRPC_FAULT');
    expect(err.transient).toBe(false);
    expect(err.message).toContain('-32601');
    expect(err.message).toContain('method not found: frobnicate');
  });

  test('fault -32500 is a transient rate limit', () => {
    const err = caught(() => parse(fault(-32500, 'HTTPTooManyRequests: The action could not be performed because there were too many requests')));
    expect(err.code).toBe('E_RATE_LIMITED');
    expect(err.transient).toBe(true);
  });

  test('a faultString starting with HTTPTooManyRequests is a rate limit whatever the code', () => {
    const err = caught(() => parse(fault(1, 'HTTPTooManyRequests: slow down')));
    expect(err.code).toBe('E_RATE_LIMITED');
    expect(err.transient).toBe(true);
  });

  test('a fault split into 1-byte chunks', () => {
    const err = caught(() => parseChunked(fault(-32602, 'bad params'), 1));
    expect(err.code).toBe('E_XMLRPC_FAULT');
  });
});

describe('XmlRpcResponseParser: hostile and broken input', () => {
  const laughs =
    `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n` +
    ` <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n` +
    ` <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n` +
    ` <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">\n` +
    ` <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">\n` +
    ` <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">\n` +
    ` <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">\n` +
    ` <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">\n` +
    ` <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">\n]>\n` +
    `<methodResponse><params><param><value><string>&lol9;</string></value></param></params></methodResponse>\n`;

  test('billion laughs is refused without expansion', () => {
    const started = performance.now();
    const err = caught(() => parse(laughs));
    expect(err.code).toBe('E_INVALID_UPSTREAM');
    expect(err.message).not.toContain('lollol');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test('billion laughs is refused when streamed too', () => {
    expect(caught(() => parseChunked(laughs, 7)).code).toBe('E_INVALID_UPSTREAM');
  });

  test('an external entity is refused and never read', () => {
    const xml =
      `<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n` +
      `<methodResponse><params><param><value><string>&x;</string></value></param></params></methodResponse>`;
    const err = caught(() => parse(xml));
    expect(err.code).toBe('E_INVALID_UPSTREAM');
    expect(err.message).not.toContain('root:');
  });

  test('an undeclared entity is refused', () => {
    expect(caught(() => parse(response('<string>&nbsp;</string>'))).code).toBe('E_INVALID_UPSTREAM');
  });

  test('after a write error, further writes are ignored and end rethrows the same error', () => {
    const p = new XmlRpcResponseParser();
    const first = caught(() => p.write(Buffer.from('<!DOCTYPE r [<!ENTITY a "b">]><methodResponse>')));
    expect(() => p.write(Buffer.from('<params>'))).not.toThrow();
    expect(caught(() => p.end())).toBe(first);
  });

  test.each([
    ['cut inside a value', response('<int>42</int>').slice(0, 60)],
    ['cut before the closing root tag', response('<int>42</int>').replace('</methodResponse>\n', '')],
    ['no value at all', `<?xml version='1.0'?><methodResponse><params></params></methodResponse>`],
    ['not XML', 'HTTP 502 Bad Gateway'],
    ['empty body', ''],
    ['mismatched tags', `<methodResponse><params><param><value><int>1</string></value></param></params></methodResponse>`],
  ])('%s fails', (_label, xml) => {
    expect(caught(() => parse(xml)).code).toBe('E_INVALID_UPSTREAM');
  });
});

describe('encodeCall', () => {
  test('integers are real <int>s', () => {
    const xml = encodeCall('changelog_since_serial', [12345]);
    expect(xml).toContain('<methodName>changelog_since_serial</methodName>');
    expect(xml).toContain('<param><value><int>12345</int></value></param>');
    expect(xml).not.toContain('<string>12345</string>');
    expect(xml.startsWith('<?xml version="1.0"?>')).toBe(true);
  });

  test('no params gives an empty <params>', () => {
    expect(encodeCall('changelog_last_serial', [])).toContain('<methodCall><methodName>changelog_last_serial</methodName><params></params></methodCall>');
  });

  test('strings are escaped', () => {
    const xml = encodeCall('release_urls', ['a<b>&c', '1.0']);
    expect(xml).toContain('<param><value><string>a&lt;b&gt;&amp;c</string></value></param>');
    expect(xml).toContain('<param><value><string>1.0</string></value></param>');
    expect(xml).not.toContain('a<b>');
  });

  test('a call round-trips through the response parser', () => {
    // The call's param block parses like a response's: int and escaped string survive.
    const call = encodeCall('m', [7, 'x & <y>']);
    const params = call.slice(call.indexOf('<params>'), call.indexOf('</params>') + '</params>'.length);
    const asResponse = `<methodResponse>${params}</methodResponse>`;
    const p = new XmlRpcResponseParser();
    p.write(Buffer.from(asResponse));
    // The parser returns the first top-level value.
    expect(p.end()).toBe(7);
    const single = encodeCall('m', ['x & <y>']);
    const p2 = new XmlRpcResponseParser();
    p2.write(Buffer.from(`<methodResponse>${single.slice(single.indexOf('<params>'), single.indexOf('</methodCall>'))}</methodResponse>`));
    expect(p2.end()).toBe('x & <y>');
  });
});
