/**
 * A streaming XML-RPC response parser on saxes. The body is fed chunk by chunk, so a
 * `list_packages_with_serial` answer of tens of MB never sits in memory as text. A
 * DOCTYPE is refused outright (XML-RPC never has one), and saxes itself neither expands
 * declared entities nor fetches anything, so entity bombs and external entities fail.
 * Structs come back as Map, arrays as Array, `<nil/>` as null.
 */
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser } from 'saxes';
import { JubjubError } from '../errors.js';

export type XmlRpcValue = string | number | boolean | null | XmlRpcValue[] | Map<string, XmlRpcValue>;

type Frame =
  | { kind: 'value'; typed: boolean; result: XmlRpcValue; text: string }
  | { kind: 'array'; items: XmlRpcValue[] }
  | { kind: 'struct'; map: Map<string, XmlRpcValue> }
  | { kind: 'member'; name: string; value: XmlRpcValue | undefined }
  | { kind: 'scalar'; tag: string; text: string }
  | { kind: 'name'; text: string };

const SCALARS = new Set(['int', 'i4', 'i8', 'string', 'boolean', 'double', 'nil', 'dateTime.iso8601', 'base64']);

function invalid(message: string): JubjubError {
  return new JubjubError('E_INVALID_UPSTREAM', `invalid XML-RPC response: ${message}`);
}

function scalar(tag: string, text: string): XmlRpcValue {
  switch (tag) {
    case 'int':
    case 'i4':
    case 'i8': {
      const n = Number(text.trim());
      if (!Number.isSafeInteger(n)) throw invalid(`bad <${tag}> ${JSON.stringify(text.slice(0, 40))}`);
      return n;
    }
    case 'double':
      return Number(text.trim());
    case 'boolean':
      return text.trim() === '1';
    case 'nil':
      return null;
    default:
      return text;
  }
}

/** Receives each member of the response's top-level struct instead of it being stored. */
export type MemberSink = (name: string, value: XmlRpcValue) => void;

export class XmlRpcResponseParser {
  private readonly sax = new SaxesParser({ xmlns: false });
  private readonly decoder = new StringDecoder('utf8');
  private readonly stack: Frame[] = [];
  private result: XmlRpcValue | undefined;
  private fault = false;
  private error: Error | undefined;

  /**
   * With `onTopMember`, the members of a top-level struct go to the sink as they are
   * parsed, so a listing of 750,000 projects is never held as one value.
   */
  constructor(private readonly onTopMember?: MemberSink) {
    this.sax.on('doctype', () => {
      throw invalid('DOCTYPE is not allowed');
    });
    this.sax.on('opentag', (tag) => this.open(tag.name));
    this.sax.on('closetag', (tag) => this.close(tag.name));
    this.sax.on('text', (t) => this.text(t));
    this.sax.on('cdata', (t) => this.text(t));
    this.sax.on('error', (err) => {
      throw err instanceof JubjubError ? err : invalid(err.message);
    });
  }

  write(chunk: Buffer): void {
    if (this.error) return;
    try {
      this.sax.write(this.decoder.write(chunk));
    } catch (err) {
      this.error = err instanceof JubjubError ? err : invalid((err as Error).message);
      throw this.error;
    }
  }

  /** Ends the document; returns the single param, or throws the fault as a typed error. */
  end(): XmlRpcValue {
    if (this.error) throw this.error;
    try {
      this.sax.write(this.decoder.end());
      this.sax.close();
    } catch (err) {
      throw err instanceof JubjubError ? err : invalid((err as Error).message);
    }
    if (this.result === undefined) throw invalid('no value in response');
    if (this.fault) throw faultError(this.result);
    return this.result;
  }

  private top(): Frame | undefined {
    return this.stack[this.stack.length - 1];
  }

  private open(name: string): void {
    if (name === 'fault') this.fault = true;
    if (name === 'value') this.stack.push({ kind: 'value', typed: false, result: '', text: '' });
    else if (name === 'array') this.stack.push({ kind: 'array', items: [] });
    else if (name === 'struct') this.stack.push({ kind: 'struct', map: new Map() });
    else if (name === 'member') this.stack.push({ kind: 'member', name: '', value: undefined });
    else if (name === 'name') this.stack.push({ kind: 'name', text: '' });
    else if (SCALARS.has(name)) this.stack.push({ kind: 'scalar', tag: name, text: '' });
  }

  private text(t: string): void {
    const top = this.top();
    if (top && (top.kind === 'scalar' || top.kind === 'name' || top.kind === 'value')) top.text += t;
  }

  private setValue(v: XmlRpcValue): void {
    const top = this.top();
    if (top?.kind !== 'value') throw invalid('value outside <value>');
    top.typed = true;
    top.result = v;
  }

  private close(name: string): void {
    const top = this.top();
    if (!top) return;
    if (top.kind === 'scalar' && name === top.tag) {
      this.stack.pop();
      this.setValue(scalar(top.tag, top.text));
    } else if (top.kind === 'name' && name === 'name') {
      this.stack.pop();
      const member = this.top();
      if (member?.kind === 'member') member.name = top.text;
    } else if ((top.kind === 'array' && name === 'array') || (top.kind === 'struct' && name === 'struct')) {
      this.stack.pop();
      this.setValue(top.kind === 'array' ? top.items : top.map);
    } else if (top.kind === 'member' && name === 'member') {
      this.stack.pop();
      const struct = this.top();
      if (struct?.kind !== 'struct' || top.value === undefined) return;
      // Stack here: [value, struct]: a member of the top-level struct (not of a fault).
      if (this.onTopMember && this.stack.length === 2 && !this.fault) this.onTopMember(top.name, top.value);
      else struct.map.set(top.name, top.value);
    } else if (top.kind === 'value' && name === 'value') {
      this.stack.pop();
      const v = top.typed ? top.result : top.text;
      const parent = this.top();
      if (parent?.kind === 'array') parent.items.push(v);
      else if (parent?.kind === 'member') parent.value = v;
      else if (!parent && this.result === undefined) this.result = v;
    }
  }
}

function faultError(value: XmlRpcValue): JubjubError {
  const map = value instanceof Map ? value : new Map<string, XmlRpcValue>();
  const code = map.get('faultCode');
  const text = String(map.get('faultString') ?? '');
  const rateLimited = code === -32500 || text.startsWith('HTTPTooManyRequests');
  return new JubjubError(rateLimited ? 'E_RATE_LIMITED' : 'E_XMLRPC_FAULT', `XML-RPC fault ${String(code)}: ${text.slice(0, 200)}`, {
    transient: rateLimited,
  });
}
