/**
 * Splicing a root page must give, byte for byte, the page a full render of the same
 * shards gives, and record where each fragment landed; and it must copy what it can.
 */
import { describe, expect, test } from 'vitest';
import { assemblePage, copiesWholeBody, planPage, type LayoutPart, type Step } from '../../src/publish/root-splice.js';

/** Shards as fragments: key → [digest, body]. */
type Shards = Map<string, [string, string]>;

async function build(shards: Shards, old: { bytes: Buffer; parts: LayoutPart[] } | null, sep: string): Promise<{ bytes: Buffer; parts: LayoutPart[]; steps: Step[]; rendered: string[] }> {
  const want = [...shards.keys()].sort().map((k) => [k, shards.get(k)?.[0] ?? ''] as const);
  const steps = planPage(old?.parts ?? [], want, sep.length);
  const rendered: string[] = [];
  const out: Buffer[] = [];
  const parts: LayoutPart[] = [];
  await assemblePage(steps, {
    head: 'HEAD[',
    sep,
    tail: ']TAIL',
    read: async (offset, into) => (old ? old.bytes.copy(into, 0, offset, offset + into.length) : 0),
    render: async (key) => {
      rendered.push(key);
      return shards.get(key)?.[1] ?? '';
    },
  }, async (buf) => {
    out.push(Buffer.from(buf));
  }, parts);
  return { bytes: Buffer.concat(out), parts, steps, rendered };
}

function full(shards: Shards, sep: string): string {
  return `HEAD[${[...shards.keys()].sort().map((k) => shards.get(k)?.[1]).filter((b) => b !== '').join(sep)}]TAIL`;
}

/** A deterministic pseudo-random generator, so a failure repeats. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('planPage', () => {
  test('adjacent unchanged shards merge into one copy, separator included', () => {
    const old: LayoutPart[] = [['aa', 'd1', 5, 3], ['ab', 'd2', 9, 4], ['ac', 'd3', 14, 2]];
    const steps = planPage(old, [['aa', 'd1'], ['ab', 'd2'], ['ac', 'd3']], 1);
    expect(steps).toEqual([{ kind: 'copy', offset: 5, length: 11, parts: old }]);
  });

  test('a changed digest, a new shard or a gap left by a removed shard breaks the run', () => {
    const old: LayoutPart[] = [['aa', 'd1', 5, 3], ['ab', 'd2', 9, 4], ['ac', 'd3', 14, 2], ['ad', 'd4', 17, 2]];
    const steps = planPage(old, [['aa', 'd1'], ['ab', 'NEW'], ['ac', 'd3'], ['ae', 'd5']], 1);
    expect(steps.map((s) => (s.kind === 'copy' ? `copy ${s.offset}+${s.length}` : `render ${s.key}`))).toEqual(['copy 5+3', 'render ab', 'copy 14+2', 'render ae']);
    const gap = planPage(old, [['aa', 'd1'], ['ac', 'd3']], 1);
    expect(gap.filter((s) => s.kind === 'copy')).toHaveLength(2);
  });

  test('a shard whose new state renders the old bytes is copied, under its new digest', () => {
    const old: LayoutPart[] = [['aa', 'd1', 5, 3], ['ab', 'd2', 9, 4], ['ac', 'd3', 14, 2]];
    const want = [['aa', 'd1'], ['ab', 'NEW'], ['ac', 'd3']] as const;
    expect(copiesWholeBody(planPage(old, want, 1), old)).toBe(false);
    const steps = planPage(old, want, 1, new Set(['ab']));
    expect(steps).toEqual([{ kind: 'copy', offset: 5, length: 11, parts: [['aa', 'd1', 5, 3], ['ab', 'NEW', 9, 4], ['ac', 'd3', 14, 2]] }]);
    expect(copiesWholeBody(steps, old)).toBe(true);
    // One shard fewer is not the whole body, even as one run.
    expect(copiesWholeBody(planPage(old, [['aa', 'd1'], ['ab', 'd2']], 1), old)).toBe(false);
  });

  test('no previous layout renders everything', () => {
    expect(planPage([], [['aa', 'x'], ['bb', 'y']], 0).every((s) => s.kind === 'render')).toBe(true);
  });
});

describe('assemblePage', () => {
  for (const sep of ['', ',']) {
    test(`random edits give the bytes of a full render (separator ${JSON.stringify(sep)})`, async () => {
      const rand = rng(sep.length + 7);
      const shards: Shards = new Map();
      let version = 0;
      const body = (key: string) => `<${key}:${'x'.repeat(Math.floor(rand() * 40))}:${version}>`;
      for (let i = 0; i < 60; i++) {
        const key = `k${String(i).padStart(2, '0')}`;
        shards.set(key, [`v${version}`, body(key)]);
      }
      let page = await build(shards, null, sep);
      expect(page.bytes.toString()).toBe(full(shards, sep));
      for (let round = 0; round < 25; round++) {
        version++;
        const changed = new Set<string>();
        for (let n = 0; n < 1 + Math.floor(rand() * 6); n++) {
          const key = `k${String(Math.floor(rand() * 70)).padStart(2, '0')}`;
          changed.add(key);
          const r = rand();
          if (r < 0.2) shards.delete(key);
          else shards.set(key, [`v${version}-${key}`, body(key)]);
        }
        const next = await build(shards, page, sep);
        expect(next.bytes.toString()).toBe(full(shards, sep));
        // Only what changed is rendered; the rest is copied from the old page.
        expect(next.rendered.every((k) => changed.has(k))).toBe(true);
        // The recorded layout points at each fragment's bytes in the new page.
        for (const [key, digest, offset, length] of next.parts) {
          expect(next.bytes.subarray(offset, offset + length).toString()).toBe(shards.get(key)?.[1]);
          expect(digest).toBe(shards.get(key)?.[0]);
        }
        page = next;
      }
    });
  }

  test('an old page shorter than its layout fails instead of writing a torn page', async () => {
    const shards: Shards = new Map([['aa', ['d', 'AAAA']], ['bb', ['e', 'BBBB']]]);
    const page = await build(shards, null, ',');
    const truncated = { bytes: page.bytes.subarray(0, 8), parts: page.parts };
    await expect(build(new Map([['aa', ['d', 'AAAA']], ['bb', ['f', 'CC']]]), truncated, ',')).rejects.toThrow(/short read/);
  });
});
