import { fetchUtils, HttpError } from 'react-admin';

/** The double-submit CSRF token the admin API sets in a readable cookie. */
export function csrfToken(): string | undefined {
  const m = document.cookie.match(/(?:^|;\s*)et_csrf=([^;]+)/);
  return m?.[1] ? decodeURIComponent(m[1]) : undefined;
}

/** fetchJson with the session cookie and, on every non-GET request, the CSRF header. */
export function httpClient(url: string, options: fetchUtils.Options = {}) {
  const headers = new Headers(options.headers ?? { Accept: 'application/json' });
  const method = (options.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') {
    const token = csrfToken();
    if (token) headers.set('x-csrf-token', token);
  }
  return fetchUtils.fetchJson(url, { ...options, headers, credentials: 'same-origin' }).catch((err: unknown) => {
    throw friendlyError(err);
  });
}

/** What the console says while the admin API answers 503 because Redis is unreachable. */
export const DATABASE_UNREACHABLE = 'The database is unreachable, retrying…';

/** True for the admin API's 503 `dependency_unavailable` answer (Redis down). */
export function isDatabaseDown(err: unknown): boolean {
  return err instanceof HttpError && err.status === 503 && (err.body as { error?: string } | undefined)?.error === 'dependency_unavailable';
}

/** Turn the API's JSON error bodies ({error, message}) into messages a person can act on. */
function friendlyError(err: unknown): unknown {
  if (!(err instanceof HttpError)) {
    if (err instanceof TypeError) return new HttpError('Cannot reach the admin API. Check that it is running and try again.', 0);
    return err;
  }
  const body = err.body as { message?: string; error?: string } | undefined;
  const message = body?.message ?? (typeof body?.error === 'string' ? body.error : undefined);
  if (err.status === 401) return new HttpError('Your session has ended. Please sign in again.', 401, body);
  if (err.status === 403) return new HttpError(message ?? 'Your role is not allowed to do this.', 403, body);
  if (err.status === 503 && body?.error === 'dependency_unavailable') return new HttpError(DATABASE_UNREACHABLE, 503, body);
  if (err.status >= 500) return new HttpError(message ?? 'The admin API failed. Try again in a moment; if it keeps failing, check its logs.', err.status, body);
  return new HttpError(message ?? err.message, err.status, body);
}

/** A JSON request outside the data provider (auth, custom actions). */
export async function apiJson<T>(url: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const { json } = await httpClient(url, {
    method: init.method ?? 'GET',
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return json as T;
}
