/**
 * Query parameters never recorded on spans: OpenTelemetry's own list plus the OAuth ones this product
 * carries in URLs (authorization codes, states, /connect tickets, tokens).
 */
export const REDACTED_QUERY_PARAMS = [
  'sig', 'Signature', 'AWSAccessKeyId', 'X-Goog-Signature', 'X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Security-Token',
  'code', 'state', 'ticket', 'token', 'access_token', 'refresh_token', 'code_verifier', 'client_secret',
];

/** url.full and url.query with REDACTED_QUERY_PARAMS values replaced, when the URL carries any of them. */
export function redactedUrlAttributes(origin: string, path: string): Record<string, string> {
  let url: URL;
  try {
    url = new URL(path, origin);
  } catch {
    return {};
  }
  const hits = REDACTED_QUERY_PARAMS.filter((p) => url.searchParams.has(p));
  if (!hits.length) return {};
  for (const p of hits) url.searchParams.set(p, 'REDACTED');
  return { 'url.full': url.toString(), 'url.query': url.search };
}
