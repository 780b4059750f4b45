/**
 * PEP 691 content negotiation. The most specific media range that matches a format
 * gives its q-value; JSON wins only when asked for more strongly than HTML, so a
 * missing Accept, `*\/*` or `text/html` all get HTML.
 */

export const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
export const SIMPLE_HTML = 'application/vnd.pypi.simple.v1+html';

const HTML = 'text/html; charset=utf-8';

export interface Choice {
  format: 'json' | 'html';
  contentType: string;
  /** Content type of the other format when the client also accepts it, else null. */
  alternative: string | null;
}

interface Range {
  type: string;
  q: number;
}

function parseAccept(header: string): Range[] {
  return header
    .split(',')
    .map((part) => {
      const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const qParam = params.find((p) => p.startsWith('q='));
      const q = qParam ? Number(qParam.slice(2)) : 1;
      return { type, q: Number.isFinite(q) ? Math.min(1, Math.max(0, q)) : 0 };
    })
    .filter((r) => r.type !== '');
}

/** q of the most specific range matching `type` (exact beats `a/*` beats `*\/*`), or 0. */
function qualityOf(ranges: Range[], type: string): number {
  const major = type.split('/')[0];
  let best = -1;
  let q = 0;
  for (const r of ranges) {
    const specificity = r.type === type ? 2 : r.type === `${major}/*` ? 1 : r.type === '*/*' ? 0 : -1;
    if (specificity > best) {
      best = specificity;
      q = r.q;
    }
  }
  return q;
}

/** The format to serve, or null when the client accepts neither (406). */
export function negotiate(accept: string | undefined): Choice | null {
  if (!accept || accept.trim() === '') return { format: 'html', contentType: HTML, alternative: null };
  const ranges = parseAccept(accept);
  const json = qualityOf(ranges, SIMPLE_JSON);
  const v1html = qualityOf(ranges, SIMPLE_HTML);
  const text = qualityOf(ranges, 'text/html');
  // On a tie (`*/*`) plain text/html wins, as Warehouse answers.
  const htmlType = v1html > text ? SIMPLE_HTML : text > 0 ? HTML : null;
  if (json > 0 && json > Math.max(v1html, text)) return { format: 'json', contentType: SIMPLE_JSON, alternative: htmlType };
  if (htmlType) return { format: 'html', contentType: htmlType, alternative: json > 0 ? SIMPLE_JSON : null };
  return null;
}
