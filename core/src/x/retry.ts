/**
 * Retry an idempotent X read (a GET: reading twice changes nothing) when the request never got a
 * whole answer (connection closed or reset, timeout, a response cut short) or X answered 5xx. Other
 * answers (4xx, 429) are returned to the caller at once.
 */
export async function retryRead<T>(read: () => Promise<T>, opts: { retries?: number; baseDelayMs?: number } = {}): Promise<T> {
  const retries = opts.retries ?? 2;
  for (let attempt = 0; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (attempt >= retries || !transient(err)) throw err;
      await new Promise((r) => setTimeout(r, (opts.baseDelayMs ?? 200) * 3 ** attempt));
    }
  }
}

/** twitter-api-v2 errors: `type` 'request' (no answer) or 'partial-response' (cut short), or a 5xx `code`. */
export function transient(err: unknown): boolean {
  const e = err as { type?: unknown; code?: unknown };
  if (e?.type === 'request' || e?.type === 'partial-response') return true;
  return typeof e?.code === 'number' && e.code >= 500 && e.code < 600;
}
