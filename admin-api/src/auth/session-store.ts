import { createHash, randomBytes } from 'node:crypto';
import type { Keys, RedisClient } from '@engagement-tracker/core';
import type { Role } from './principal';

export interface Session {
  userId: string;
  name: string;
  role: Role;
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
}

/**
 * Console sessions in Redis (`keys.session(sha256(id))`): the cookie carries a random id, Redis
 * only its hash. Idle expiry is the key's TTL (slid on use); absolute expiry is checked on read.
 */
export class SessionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly idleMs: number,
    private readonly maxMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private key(id: string): string {
    return this.keys.session(createHash('sha256').update(id).digest('hex'));
  }

  async create(user: { userId: string; name: string; role: Role }): Promise<{ id: string; session: Session }> {
    const id = randomBytes(32).toString('base64url');
    const now = this.now();
    const session: Session = { ...user, csrf: randomBytes(24).toString('base64url'), createdAt: now, lastSeenAt: now };
    await this.redis.set(this.key(id), JSON.stringify(session), 'PX', Math.min(this.idleMs, this.maxMs));
    return { id, session };
  }

  /** The live session for a cookie value, sliding its idle expiry (at most once a minute). */
  async get(id: string): Promise<Session | null> {
    if (!id || id.length > 100) return null;
    const key = this.key(id);
    const raw = await this.redis.get(key);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    const now = this.now();
    const left = s.createdAt + this.maxMs - now;
    if (left <= 0 || now - s.lastSeenAt > this.idleMs) {
      await this.redis.del(key);
      return null;
    }
    if (now - s.lastSeenAt > 60_000) {
      s.lastSeenAt = now;
      // XX: a sign-out (or expiry) that happened since the read must not be undone by this write.
      await this.redis.set(key, JSON.stringify(s), 'PX', Math.min(this.idleMs, left), 'XX');
    }
    return s;
  }

  async destroy(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }
}
