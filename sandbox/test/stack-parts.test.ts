import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followOAuthLink, isSandbox, lineLevel, linksIn, loadStackConfig, portIsFree, startLocalRedis, startService, startStack, supervise } from '../src/stack';
import { startXDouble, type XDouble } from '../src/x';

describe('local redis-server of npm start', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'et-stack-redis-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps its data in the data folder across a restart', async () => {
    const first = await startLocalRedis({ dir });
    const a = new Redis(first.url);
    await a.set('engagement:probe', 'kept');
    a.disconnect();
    await first.stop();
    const second = await startLocalRedis({ dir, preferredPort: first.port });
    const b = new Redis(second.url);
    try {
      expect(await b.get('engagement:probe')).toBe('kept');
      expect(second.port).toBe(first.port);
    } finally {
      b.disconnect();
      await second.stop();
    }
    expect(await portIsFree(second.port)).toBe(true);
  });

  it('takes another port when the preferred one is busy', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const busy = (blocker.address() as AddressInfo).port;
    const r = await startLocalRedis({ dir: join(dir, 'other'), preferredPort: busy });
    try {
      expect(r.port).not.toBe(busy);
    } finally {
      await r.stop();
      blocker.close();
    }
  });

  it('explains what to do when redis-server cannot start', async () => {
    await expect(startLocalRedis({ dir: join(dir, 'x'), bin: '/nonexistent/redis-server' })).rejects.toThrow(/REDIS_URL/);
  });
});

describe('npm start refusals', () => {
  it('says which setting to change when the console port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    try {
      await expect(startStack(loadStackConfig({ ADMIN_API_PORT: String(port), REDIS_URL: 'redis://127.0.0.1:1' }), { echo: () => undefined })).rejects.toThrow(/ADMIN_API_PORT/);
    } finally {
      blocker.close();
    }
  });
});

describe('process supervisor', () => {
  it('logs every line to a file, reports the level, and stops on SIGTERM', async () => {
    const logDir = await mkdtemp(join(tmpdir(), 'et-stack-logs-'));
    const script = join(logDir, 'child.mjs');
    await writeFile(
      script,
      `console.log(JSON.stringify({level:'info',msg:'hello'}));console.log(JSON.stringify({level:50,msg:'bad'}));
       process.on('SIGTERM',()=>{console.log('bye');process.exit(0)});setInterval(()=>{},1000);`,
    );
    const lines: string[] = [];
    const svc = await startService({ name: 'child', command: process.execPath, args: [script], cwd: logDir, env: process.env, logDir, onLine: (_s, l) => lines.push(l) });
    await expect.poll(() => lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.map(lineLevel)).toEqual([30, 50]);
    expect(svc.running()).toBe(true);
    await svc.stop(5000);
    expect(svc.running()).toBe(false);
    expect(await svc.exited).toEqual({ code: 0, signal: null });
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(join(logDir, 'child.log'), 'utf8')).toContain('bye');
    await rm(logDir, { recursive: true, force: true });
  });
});

describe('restarting crashed processes', () => {
  it('restarts a process killed with -9 after a backoff and reports it; stop() ends supervision', async () => {
    const logDir = await mkdtemp(join(tmpdir(), 'et-stack-sup-'));
    const script = join(logDir, 'worker.mjs');
    await writeFile(script, `process.on('SIGTERM',()=>process.exit(0));setInterval(()=>{},1000);`);
    const reports: Array<{ signal: string | null; restart: number; delayMs: number }> = [];
    const svc = await supervise('worker', () => startService({ name: 'worker', command: process.execPath, args: [script], cwd: logDir, env: process.env, logDir }), {
      baseDelayMs: 50,
      onRestart: (e) => reports.push({ signal: e.signal, restart: e.restart, delayMs: e.delayMs }),
    });
    try {
      const first = svc.pid!;
      process.kill(first, 'SIGKILL');
      await expect.poll(() => svc.pid !== first && svc.running(), { timeout: 10_000 }).toBe(true);
      expect(reports).toEqual([{ signal: 'SIGKILL', restart: 1, delayMs: 50 }]);
      const second = svc.pid!;
      process.kill(second, 'SIGKILL');
      await expect.poll(() => svc.pid !== second && svc.running(), { timeout: 10_000 }).toBe(true);
      expect(reports.map((r) => r.delayMs)).toEqual([50, 100]);
    } finally {
      await svc.stop(5000);
    }
    expect(svc.running()).toBe(false);
    expect(svc.restarts()).toBe(2);
    // Stopped on purpose: ended, and not restarted again.
    await svc.exited;
    await new Promise((r) => setTimeout(r, 200));
    expect(svc.restarts()).toBe(2);
    await rm(logDir, { recursive: true, force: true });
  });

  it('gives up on a process that keeps crashing', async () => {
    const logDir = await mkdtemp(join(tmpdir(), 'et-stack-sup-'));
    let starts = 0;
    const svc = await supervise(
      'crashy',
      () => {
        starts += 1;
        return startService({ name: 'crashy', command: process.execPath, args: ['-e', 'process.exit(3)'], cwd: logDir, env: process.env, logDir });
      },
      { baseDelayMs: 20, maxCrashes: 3 },
    );
    expect(await svc.gaveUp).toEqual({ service: 'crashy', code: 3 });
    expect(starts).toBe(4);
    expect(svc.restarts()).toBe(3);
    await rm(logDir, { recursive: true, force: true });
  });
});

describe('stack configuration', () => {
  it('runs in sandbox mode unless a Discord or X credential is set (the rule every process follows)', () => {
    expect(isSandbox(loadStackConfig({}))).toBe(true);
    expect(isSandbox(loadStackConfig({ DISCORD_BOT_TOKEN: 't', DISCORD_CLIENT_SECRET: 's' }))).toBe(false);
    expect(isSandbox(loadStackConfig({ TWITTER_BEARER_TOKEN: 'b' }))).toBe(false);
    const real = { DISCORD_BOT_TOKEN: 't', DISCORD_CLIENT_SECRET: 's', TWITTER_CLIENT_ID: 'c', TWITTER_BEARER_TOKEN: 'b' };
    expect(isSandbox(loadStackConfig(real))).toBe(false);
    expect(isSandbox(loadStackConfig({ ...real, SANDBOX: 'true' }))).toBe(true);
    expect(() => loadStackConfig({ ADMIN_API_PORT: 'eighty' })).toThrow(/ADMIN_API_PORT/);
  });
});

describe('following an OAuth link like a member would', () => {
  let x: XDouble;
  let app: Server;
  let appUrl = '';
  const received: Array<{ code: string | null; state: string | null; cookie: string | undefined }> = [];
  const verifier = randomBytes(32).toString('base64url');

  beforeAll(async () => {
    x = await startXDouble({ clients: { 'stack-test': 'secret' } });
    // A stand-in for the product's connect endpoint: sets a cookie, redirects to X, receives the code.
    app = createServer((req, res) => {
      const url = new URL(req.url ?? '/', appUrl);
      if (url.pathname === '/connect') {
        const authorize = new URL(`${x.url}/i/oauth2/authorize`);
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        for (const [k, v] of Object.entries({ response_type: 'code', client_id: 'stack-test', redirect_uri: `${appUrl}/callback`, scope: 'tweet.read users.read like.read offline.access', state: 's1', code_challenge: challenge, code_challenge_method: 'S256' })) authorize.searchParams.set(k, v);
        res.writeHead(302, { location: authorize.toString(), 'set-cookie': 'flow=abc; Path=/; HttpOnly' }).end();
      } else if (url.pathname === '/callback') {
        received.push({ code: url.searchParams.get('code'), state: url.searchParams.get('state'), cookie: req.headers.cookie });
        res.writeHead(200, { 'content-type': 'text/html' }).end('<p>Linked</p>');
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    app?.close();
    await x?.close();
  });

  it('approves as the given X account and brings the code back with the cookies', async () => {
    const bob = x.state.addUser({ username: 'bob_stack' });
    x.state.addUser({ username: 'someone_else' });
    const end = await followOAuthLink(`${appUrl}/connect`, { xOrigin: new URL(x.url).origin, approveAs: bob.id });
    expect(end.status).toBe(200);
    expect(end.body).toContain('Linked');
    expect(received).toHaveLength(1);
    expect(received[0]!.state).toBe('s1');
    expect(received[0]!.cookie).toBe('flow=abc');
    const tokenRes = await fetch(`${x.url}/2/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('stack-test:secret').toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: received[0]!.code!, redirect_uri: `${appUrl}/callback`, code_verifier: verifier }),
    });
    expect(tokenRes.status).toBe(200);
    const tokens = (await tokenRes.json()) as { access_token: string };
    const me = await fetch(`${x.url}/2/users/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(((await me.json()) as { data: { username: string } }).data.username).toBe('bob_stack');
  });

  it('finds links in bot replies: buttons first, then embeds and text', () => {
    const links = linksIn({
      content: 'Open https://example.test/text to continue.',
      embeds: [{ description: 'or https://example.test/embed' }],
      components: [{ type: 1, components: [{ type: 2, style: 5, url: 'https://example.test/button' }] }],
    });
    expect(links).toEqual(['https://example.test/button', 'https://example.test/embed', 'https://example.test/text']);
  });
});
