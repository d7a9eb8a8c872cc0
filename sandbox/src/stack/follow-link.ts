/**
 * Follow an OAuth link the way a browser would (redirects, cookies per host), approving at the X
 * double's consent page as the given X account. Returns the final response's URL and status.
 */
export async function followOAuthLink(
  start: string,
  opts: { xOrigin: string; approveAs: string; maxHops?: number; timeoutMs?: number },
): Promise<{ url: string; status: number; body: string }> {
  const jar = new Map<string, Map<string, string>>();
  let url = new URL(start);
  for (let hop = 0; hop < (opts.maxHops ?? 12); hop++) {
    if (url.origin === opts.xOrigin && url.pathname.endsWith('/oauth2/authorize') && !url.searchParams.has('as')) {
      url.searchParams.set('as', opts.approveAs);
    }
    const cookies = jar.get(url.host);
    const res = await fetch(url, {
      redirect: 'manual',
      headers: cookies?.size ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {},
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq < 1) continue;
      const bucket = jar.get(url.host) ?? new Map<string, string>();
      bucket.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      jar.set(url.host, bucket);
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      url = new URL(location, url);
      continue;
    }
    return { url: url.toString(), status: res.status, body: (await res.text()).slice(0, 2000) };
  }
  throw new Error(`too many redirects following ${start}`);
}

/** Every http(s) URL in a bot message: content, embeds and link buttons. */
export function linksIn(message: { content: string; embeds: Array<Record<string, unknown>>; components: Array<Record<string, unknown>> }): string[] {
  const found: string[] = [];
  const scan = (v: unknown) => {
    if (typeof v === 'string') for (const m of v.matchAll(/https?:\/\/[^\s)>\]"']+/g)) found.push(m[0]);
    else if (Array.isArray(v)) v.forEach(scan);
    else if (v && typeof v === 'object') Object.values(v).forEach(scan);
  };
  scan(message.components);
  scan(message.embeds);
  scan(message.content);
  return [...new Set(found)];
}
