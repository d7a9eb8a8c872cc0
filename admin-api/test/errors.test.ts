import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import type { Logger } from '@engagement-tracker/core';
import { errorHandler } from '../src/middleware/errors';

const lines: Array<{ msg?: string }> = [];
const log = { error: (_obj: unknown, msg?: string) => void lines.push({ msg }) } as unknown as Logger;
let server: Server | undefined;
afterAll(() => server?.close());

describe('errorHandler', () => {
  it('logs a failure after the response started and closes the connection (no hung download)', async () => {
    const app = express();
    app.get('/stream', async (_req, res) => {
      res.write('rank,points\n');
      await new Promise((r) => setTimeout(r, 10));
      throw new Error('redis went away');
    });
    app.use(errorHandler(log));
    server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/stream`, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200);
    // The body ends in an error (connection cut), not a timeout.
    const err = await res.text().then(() => null, (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error & { cause?: unknown }).cause ?? err)).not.toMatch(/timeout|aborted due to timeout/i);
    expect(lines.some((l) => l.msg === 'request failed after the response started')).toBe(true);
  });
});
