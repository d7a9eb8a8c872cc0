import type { IncomingMessage } from 'node:http';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** raw HTML / text body instead of JSON */
  text?: string;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({ status, body, headers });

export const problem = (status: number, title: string, detail: string, type = 'about:blank'): Reply =>
  json(status, { title, detail, type, status });

export const invalidRequest = (message: string, parameters: Record<string, string[]> = {}): Reply =>
  json(400, {
    errors: [{ parameters, message }],
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: 'https://api.twitter.com/2/problems/invalid-request',
  });

export async function readBody(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (!raw) return {};
  const type = req.headers['content-type'] ?? '';
  if (type.includes('json') || raw.trimStart().startsWith('{')) {
    try {
      const parsed = JSON.parse(raw) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)]));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

/**
 * Opaque pagination tokens: base64url of `<kind>.<cursor>`, the kind naming the listing that issued
 * it ('i' post/user id lists, 'l' like lists). A token the double did not issue for that kind of
 * listing is refused (X answers 400), so a client cannot page with a stale or foreign token unnoticed.
 */
export const encodeToken = (kind: 'i' | 'l', cursor: string) => Buffer.from(`${kind}.${cursor}`).toString('base64url');
export function decodeToken(token: string | null, kind: 'i' | 'l'): string | null {
  if (!token) return null;
  const raw = Buffer.from(token, 'base64url').toString('utf8');
  return raw.startsWith(`${kind}.`) && raw.length > 2 && /^[0-9]+$/.test(raw.slice(2)) ? raw.slice(2) : null;
}

export function maxResults(q: URLSearchParams, min: number, max: number, def: number): number | Reply {
  const raw = q.get('max_results');
  if (raw === null) return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    return invalidRequest(`The \`max_results\` query parameter value [${raw}] is not between ${min} and ${max}`, { max_results: [raw] });
  }
  return n;
}
