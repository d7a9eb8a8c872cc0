import type { IncomingMessage, ServerResponse } from 'node:http';

/** Minimal request/response helpers and a regex router for the double's REST surface. */
export interface Req {
  method: string;
  /** Path below `/api` with any `/v<N>` version segment removed, e.g. `/gateway/bot`. */
  path: string;
  rawPath: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  params: string[];
}

export class HttpError extends Error {
  constructor(readonly status: number, readonly code: number, message: string, readonly extra: Record<string, unknown> = {}, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export type Handler = (req: Req) => Promise<Reply> | Reply;
export type Reply = { status?: number; json?: unknown; redirect?: string; headers?: Record<string, string> } | undefined;

export class Router {
  private readonly routes: Array<{ method: string; re: RegExp; handler: Handler }> = [];
  on(method: string, pattern: string, handler: Handler): this {
    const re = new RegExp(`^${pattern.replace(/:[a-z]+/gi, '([^/]+)')}$`);
    this.routes.push({ method, re, handler });
    return this;
  }
  match(method: string, path: string): { handler: Handler; params: string[] } | null {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.re.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method === method) return { handler: r.handler, params: m.slice(1).map(decodeURIComponent) };
    }
    if (pathMatched) throw new HttpError(405, 0, '405: Method Not Allowed');
    return null;
  }
}

export async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (!raw) return {};
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  if (type.includes('multipart/form-data')) {
    const m = /name="payload_json"\r\n(?:[^\r\n]*\r\n)*\r\n([\s\S]*?)\r\n--/.exec(raw);
    if (m?.[1]) return JSON.parse(m[1]) as Record<string, unknown>;
    return {};
  }
  try {
    return JSON.parse(raw) as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 50109, 'The request body contains invalid JSON.');
  }
}

export function send(res: ServerResponse, reply: Reply): void {
  const headers = { ...reply?.headers };
  if (reply?.redirect) {
    res.writeHead(302, { ...headers, location: reply.redirect }).end();
    return;
  }
  if (reply?.json === undefined) {
    res.writeHead(reply?.status ?? 204, headers).end();
    return;
  }
  res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(reply.json));
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (err instanceof HttpError) {
    send(res, { status: err.status, json: { code: err.code, message: err.message, ...err.extra }, headers: err.headers });
    return;
  }
  send(res, { status: 500, json: { code: 0, message: `500: Internal Server Error (${(err as Error).message})` } });
}
