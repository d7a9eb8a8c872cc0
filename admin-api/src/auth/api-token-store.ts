import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Keys, RedisClient } from '@engagement-tracker/core';
import type { Permission, Role } from './principal';

export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  scopes: Permission[];
  createdBy: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
}

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Scoped API tokens for automation, `et_<id>_<secret>`. Only a SHA-256 of the token is stored
 * (`keys.apiToken(id)`); the token itself is shown once, on creation.
 */
export class ApiTokenStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly now: () => number = Date.now,
  ) {}

  private key(id: string): string {
    return this.keys.apiToken(id);
  }

  private index(): string {
    return this.keys.apiTokens();
  }

  async create(input: { name: string; role: Role; scopes: Permission[]; createdBy: string; ttlMs?: number }): Promise<{ token: string; record: ApiToken }> {
    const id = randomBytes(6).toString('hex');
    const token = `et_${id}_${randomBytes(24).toString('base64url')}`;
    const now = this.now();
    const record: ApiToken = { id, name: input.name, role: input.role, scopes: input.scopes, createdBy: input.createdBy, createdAt: now, expiresAt: input.ttlMs ? now + input.ttlMs : null, lastUsedAt: null };
    await this.redis.multi().set(this.key(id), JSON.stringify({ ...record, hash: hash(token) })).zadd(this.index(), now, id).exec();
    return { token, record };
  }

  /** The token's record when the presented secret matches and it has not expired. */
  async verify(token: string): Promise<ApiToken | null> {
    const m = /^et_([0-9a-f]{12})_[A-Za-z0-9_-]{32}$/.exec(token);
    if (!m) return null;
    const raw = await this.redis.get(this.key(m[1]!));
    if (!raw) return null;
    const { hash: stored, ...record } = JSON.parse(raw) as ApiToken & { hash: string };
    const presented = Buffer.from(hash(token), 'hex');
    if (!timingSafeEqual(presented, Buffer.from(stored, 'hex'))) return null;
    const now = this.now();
    if (record.expiresAt !== null && record.expiresAt <= now) return null;
    if (!record.lastUsedAt || now - record.lastUsedAt > 60_000) {
      record.lastUsedAt = now;
      await this.redis.set(this.key(record.id), JSON.stringify({ ...record, hash: stored }), 'XX');
    }
    return record;
  }

  async list(offset: number, limit: number): Promise<{ items: ApiToken[]; total: number }> {
    const [total, ids] = await Promise.all([this.redis.zcard(this.index()), this.redis.zrevrange(this.index(), offset, offset + limit - 1)]);
    if (!ids.length) return { items: [], total };
    const raws = await this.redis.mget(...ids.map((id) => this.key(id)));
    const items = raws.filter((r): r is string => r !== null).map((r) => {
      const { hash: _h, ...rec } = JSON.parse(r) as ApiToken & { hash: string };
      return rec;
    });
    return { items, total };
  }

  async get(id: string): Promise<ApiToken | null> {
    const raw = await this.redis.get(this.key(id));
    if (!raw) return null;
    const { hash: _h, ...rec } = JSON.parse(raw) as ApiToken & { hash: string };
    return rec;
  }

  async revoke(id: string): Promise<ApiToken | null> {
    const rec = await this.get(id);
    if (!rec) return null;
    await this.redis.multi().del(this.key(id)).zrem(this.index(), id).exec();
    return rec;
  }
}
