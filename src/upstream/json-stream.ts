/**
 * Streams a JSON object of the shape `{"<meta>": {...}, "<items>": [{...}, ...]}` (a
 * PEP 691 root listing) without holding it whole: each element of the items array and
 * the meta object are cut out as raw text and handed over one by one, to be parsed and
 * validated on their own. PyPI's listing is tens of MB; parsed whole it would cost
 * hundreds of MB of heap for 750,000 small objects we mostly drop.
 *
 * It scans bytes: in UTF-8 no byte of a multi-byte character is an ASCII quote, brace or
 * backslash, so structure is found without decoding. It checks structure only as far as
 * cutting needs (nesting, strings, the top-level keys); each piece is then checked by
 * `JSON.parse` and a schema, and a document that ends early is an error.
 */
import { JubjubError } from '../errors.js';

export interface ScanLimits {
  /** Largest single item (or the meta object), in bytes. */
  maxItemBytes: number;
}

export interface ScanSinks {
  onMeta(raw: string): void;
  onItem(raw: string): void;
}

type Where = 'start' | 'key' | 'colon' | 'value' | 'after' | 'end';
type Capture = 'key' | 'meta' | 'item' | null;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export class ListingScanner {
  private depth = 0;
  private where: Where = 'start';
  private inString = false;
  private escaped = false;
  private key = '';
  /** The current top-level value is the items array. */
  private inItems = false;
  private capture: Capture = null;
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private seenMeta = false;
  private seenItems = false;

  constructor(
    private readonly metaKey: string,
    private readonly itemsKey: string,
    private readonly sinks: ScanSinks,
    private readonly limits: ScanLimits,
    private readonly what: string,
  ) {}

  private fail(why: string): never {
    throw new JubjubError('E_INVALID_UPSTREAM', `${this.what}: ${why}`);
  }

  write(chunk: Buffer): void {
    let from = this.capture ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as number;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.capture === 'key') {
            this.key = this.parseKey(this.finish(chunk, from, i + 1));
            from = -1;
            this.where = 'colon';
          } else if (this.depth === 1 && this.where === 'value') this.where = 'after';
        }
        continue;
      }
      if (isSpace(c)) continue;
      if (this.depth === 0) {
        if (this.where !== 'start' || c !== 0x7b) this.fail(this.where === 'end' ? 'data after the end of the document' : 'not a JSON object');
        this.depth = 1;
        this.where = 'key';
        continue;
      }
      if (c === QUOTE) {
        this.inString = true;
        if (this.depth === 1 && this.where === 'key') {
          this.capture = 'key';
          from = i;
        } else if (this.depth === 2 && this.inItems && !this.capture) this.fail(`${this.itemsKey} holds a non-object`);
        continue;
      }
      if (c === 0x7b || c === 0x5b) {
        if (this.depth === 1) {
          if (this.where !== 'value') this.fail('malformed object');
          if (this.key === this.metaKey && c === 0x7b) {
            this.capture = 'meta';
            this.seenMeta = true;
            from = i;
          }
          if (this.key === this.itemsKey) {
            if (c !== 0x5b) this.fail(`${this.itemsKey} is not an array`);
            this.inItems = true;
            this.seenItems = true;
          }
        } else if (this.depth === 2 && this.inItems) {
          if (c !== 0x7b) this.fail(`${this.itemsKey} holds a non-object`);
          this.capture = 'item';
          from = i;
        }
        this.depth++;
        continue;
      }
      if (c === 0x7d || c === 0x5d) {
        this.depth--;
        if (this.depth === 0) {
          if (c !== 0x7d || (this.where !== 'after' && this.where !== 'key' && this.where !== 'value')) this.fail('malformed object');
          this.where = 'end';
        } else if (this.depth === 1) {
          if (this.capture === 'meta') {
            const raw = this.finish(chunk, from, i + 1);
            from = -1;
            this.sinks.onMeta(raw);
          }
          this.capture = null;
          this.inItems = false;
          this.where = 'after';
        } else if (this.depth === 2 && this.capture === 'item') {
          this.sinks.onItem(this.finish(chunk, from, i + 1));
          from = -1;
        }
        continue;
      }
      if (this.depth === 1) {
        if (c === 0x3a && this.where === 'colon') this.where = 'value';
        else if (c === 0x2c && this.where === 'after') this.where = 'key';
        else if (this.where === 'value' || this.where === 'after') this.where = 'after'; // a scalar's characters
        else this.fail('malformed object');
      } else if (this.depth === 2 && this.inItems && !this.capture && c !== 0x2c) {
        this.fail(`${this.itemsKey} holds a non-object`);
      }
    }
    if (this.capture && from >= 0) this.keep(chunk.subarray(from));
  }

  /** Checks that the document ended where an object may end. */
  end(): void {
    if (this.where !== 'end') this.fail('the document ends early');
    if (!this.seenMeta) this.fail(`no ${this.metaKey} object`);
    if (!this.seenItems) this.fail(`no ${this.itemsKey} array`);
  }

  private parseKey(raw: string): string {
    try {
      return JSON.parse(raw) as string;
    } catch {
      return this.fail('malformed key');
    }
  }

  private keep(part: Buffer): void {
    this.partsBytes += part.length;
    if (this.partsBytes > this.limits.maxItemBytes) this.fail(`an entry is over ${this.limits.maxItemBytes} bytes`);
    // A copy: the chunk's memory belongs to the stream and may be reused.
    this.parts.push(Buffer.from(part));
  }

  private finish(chunk: Buffer, from: number, to: number): string {
    const tail = chunk.subarray(Math.max(0, from), to);
    if (this.partsBytes + tail.length > this.limits.maxItemBytes) this.fail(`an entry is over ${this.limits.maxItemBytes} bytes`);
    const text = this.parts.length === 0 ? tail.toString('utf8') : Buffer.concat([...this.parts, tail]).toString('utf8');
    this.parts = [];
    this.partsBytes = 0;
    this.capture = null;
    return text;
  }
}
