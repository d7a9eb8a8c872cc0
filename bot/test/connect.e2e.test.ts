import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDS, startStack, type Stack } from './support/stack';

let s: Stack;

beforeAll(async () => {
  s = await startStack();
}, 90_000);

afterAll(async () => {
  await s?.close();
});

/** Run /connect as a member and return the link on its button. */
async function connectLink(as: string): Promise<string> {
  const reply = await (await s.discord.interact({ as, command: 'connect' })).reply();
  expect(reply.ephemeral).toBe(true);
  const button = (reply.components[0]!.components as Array<{ style: number; url: string }>)[0]!;
  expect(button.style).toBe(5); // link button
  return button.url;
}

/** Follow the browser's redirects: admin API start -> X authorize -> admin API callback. */
async function authorize(link: string): Promise<{ authorizeUrl: URL; callbackUrl: string; page: Response; cookie: string }> {
  const start = await fetch(link, { redirect: 'manual' });
  expect(start.status).toBe(302);
  // The admin API binds the authorization to this browser with a cookie; carry it to the callback.
  const cookie = start.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
  expect(cookie).toMatch(/^et_connect=/);
  const authorizeUrl = new URL(start.headers.get('location')!);
  const consent = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const callbackUrl = consent.headers.get('location')!;
  return { authorizeUrl, callbackUrl, cookie, page: await fetch(callbackUrl, { redirect: 'manual', headers: { cookie } }) };
}

describe('/connect round trip: bot -> admin API -> X double authorize + token -> stored link -> member told', () => {
  it('links the X account with PKCE, stores tokens encrypted and DMs the member', async () => {
    const xUser = s.x.state.addUser({ username: 'carol_x' });
    s.x.state.authorizeAs = xUser.id;
    const link = await connectLink(IDS.carol);
    expect(link.startsWith(`${s.adminUrl}/connect/x/start?ticket=`)).toBe(true);

    const { authorizeUrl, callbackUrl, page, cookie } = await authorize(link);
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe(`${s.x.url}/i/oauth2/authorize`);
    expect(authorizeUrl.searchParams.get('code_challenge_method')?.toUpperCase()).toBe('S256');
    expect(authorizeUrl.searchParams.get('scope')?.split(' ').sort()).toEqual(['like.read', 'offline.access', 'tweet.read', 'users.read']);
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(`${s.adminUrl}/connect/x/callback`);
    expect(authorizeUrl.toString()).not.toMatch(/code_verifier/);
    expect(callbackUrl.startsWith(`${s.adminUrl}/connect/x/callback?`)).toBe(true);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Linked @carol_x');

    const conn = await s.stores.connections.get(IDS.carol);
    expect(conn).toMatchObject({ xUserId: xUser.id, handle: 'carol_x', status: 'linked' });
    expect(conn!.scopes.sort()).toEqual(['like.read', 'offline.access', 'tweet.read', 'users.read']);
    const tokens = await s.stores.connections.getTokens(IDS.carol);
    expect(tokens?.accessToken).toBeTruthy();
    const raw = await s.redis.client().get(s.stores.keys.tokens(IDS.carol));
    expect(raw).not.toContain(tokens!.accessToken); // encrypted at rest
    // The X double accepts the stored token as carol.
    const me = await fetch(`${s.x.url}/2/users/me`, { headers: { authorization: `Bearer ${tokens!.accessToken}` } });
    expect(((await me.json()) as { data: { username: string } }).data.username).toBe('carol_x');

    const dm = await s.discord.waitForDm(IDS.carol, (m) => m.content.includes('@carol_x is now linked'));
    expect(dm.content).toMatch(/^✅/);

    // Single use: the same ticket and the same callback are refused.
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(409);
    expect((await fetch(callbackUrl, { redirect: 'manual', headers: { cookie } })).status).toBe(409);
    expect((await fetch(callbackUrl, { redirect: 'manual' })).status).toBe(403); // and never from another browser

    const stats = await (await s.discord.interact({ as: IDS.carol, command: 'stats' })).reply();
    expect(JSON.stringify(stats.embeds)).toContain('Linked to [@carol_x]');
  });

  it('refuses an X account already linked to another member, with a clear message', async () => {
    const link = await connectLink(IDS.bob); // X still approves as carol_x
    const { page } = await authorize(link);
    expect(page.status).toBe(409);
    expect(await page.text()).toContain('already linked to another member');
    expect(await s.stores.connections.get(IDS.bob)).toBeNull();
    const dm = await s.discord.waitForDm(IDS.bob, (m) => m.content.includes('already linked'));
    expect(dm.content).toMatch(/@carol_x/);
    expect((await s.stores.connections.get(IDS.carol))?.handle).toBe('carol_x');
  });

  it('/disconnect deletes the link and tokens and revokes the token at X', async () => {
    const tokens = (await s.stores.connections.getTokens(IDS.carol))!;
    const r = await (await s.discord.interact({ as: IDS.carol, command: 'disconnect' })).reply();
    expect(r.content).toMatch(/Unlinked @carol_x/);
    expect(await s.stores.connections.get(IDS.carol)).toBeNull();
    expect(await s.stores.connections.getByHandle('carol_x')).toBeNull();
    await expect
      .poll(async () => (await fetch(`${s.x.url}/2/users/me`, { headers: { authorization: `Bearer ${tokens.accessToken}` } })).status, { timeout: 5000 })
      .toBe(401);
    // The account is free again: carol links it back.
    const { page } = await authorize(await connectLink(IDS.carol));
    expect(page.status).toBe(200);
  });

  it('refuses tampered tickets and offers a reconnect to linked members', async () => {
    const link = new URL(await connectLink(IDS.dave));
    const ticket = link.searchParams.get('ticket')!;
    const [body, mac] = ticket.split('.');
    const forged = JSON.parse(Buffer.from(body!, 'base64url').toString());
    forged.d = IDS.alice;
    link.searchParams.set('ticket', `${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${mac}`);
    const res = await fetch(link, { redirect: 'manual' });
    expect(res.status).toBe(400);
    const again = await (await s.discord.interact({ as: IDS.carol, command: 'connect' })).reply();
    expect(again.content).toMatch(/You are linked to @carol_x/);
  });
});
