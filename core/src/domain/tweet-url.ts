/**
 * Parse the tweet links members paste. Tweet ids are snowflakes above 2^53: they stay strings.
 */
export type ParsedTweetUrl = { ok: true; tweetId: string; handle?: string } | { ok: false; reason: string };

const HOSTS = new Set([
  'x.com', 'twitter.com', 'mobile.twitter.com', 'mobile.x.com', 'www.twitter.com', 'www.x.com',
  'm.twitter.com', 'fxtwitter.com', 'www.fxtwitter.com', 'vxtwitter.com', 'www.vxtwitter.com',
  'fixupx.com', 'www.fixupx.com', 'fixvx.com', 'twittpr.com', 'd.fxtwitter.com',
]);
const ID_RE = /^\d{1,20}$/;
const HANDLE_RE = /^[A-Za-z0-9_]{1,15}$/;

export function parseTweetUrl(input: string): ParsedTweetUrl {
  const raw = (input ?? '').trim().replace(/^<(.*)>$/, '$1');
  if (!raw) return { ok: false, reason: 'Paste a link to a post on X, like https://x.com/user/status/123.' };
  if (raw.length > 500) return { ok: false, reason: 'That link is too long to be a post on X.' };
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    return { ok: false, reason: 'That is not a link. Paste a link to a post on X, like https://x.com/user/status/123.' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, reason: 'Links must start with https://.' };
  }
  const host = url.hostname.toLowerCase();
  if (!HOSTS.has(host)) {
    return { ok: false, reason: `Links from ${host} are not posts on X. Use an x.com or twitter.com link.` };
  }
  const parts = url.pathname.split('/').filter(Boolean);
  // /i/web/status/ID and /i/status/ID
  if (parts[0] === 'i') {
    const idx = parts.indexOf('status');
    const id = idx >= 0 ? parts[idx + 1] : undefined;
    return checkId(id);
  }
  // /handle/status/ID[/photo/1] and /handle/statuses/ID
  if (parts.length >= 3 && (parts[1] === 'status' || parts[1] === 'statuses')) {
    const handle = parts[0]!;
    const res = checkId(parts[2]);
    if (!res.ok) return res;
    return HANDLE_RE.test(handle) ? { ...res, handle } : res;
  }
  return { ok: false, reason: 'That link does not point to a single post. Open the post and copy its link (it contains /status/).' };
}

function checkId(id: string | undefined): ParsedTweetUrl {
  if (!id || !ID_RE.test(id) || /^0+$/.test(id)) {
    return { ok: false, reason: 'The post id in that link is not valid.' };
  }
  return { ok: true, tweetId: id.replace(/^0+/, '') };
}

/** Canonical link for a tweet id. */
export function tweetUrl(tweetId: string, handle?: string): string {
  return `https://x.com/${handle ?? 'i/web'}/status/${tweetId}`;
}

/** Compare two snowflake ids held as strings without converting them to numbers. */
export function compareSnowflakes(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
