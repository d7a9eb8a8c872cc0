import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseKey } from './token-cipher';

/**
 * Signed, expiring tokens for the X account linking flow. Two kinds share one format:
 *  - `ticket`: minted by the bot for a member's /connect link (who is linking);
 *  - `state`: the OAuth `state` parameter the admin API sends to X (which PKCE record to use).
 * Format: base64url(JSON payload) + "." + base64url(HMAC-SHA256). The HMAC key is derived (HKDF)
 * from TOKEN_ENCRYPTION_KEY, so bot and admin API share no extra secret. Single use is enforced in
 * Redis by the consumer (see connect-store.ts): a valid signature alone is not enough.
 */
export type ConnectTokenKind = 'ticket' | 'state';

export interface ConnectTicket {
  kind: ConnectTokenKind;
  discordId: string;
  displayName: string;
  /** Random id; single use is tracked by it. */
  nonce: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** How long a /connect link stays valid. */
export const CONNECT_TICKET_TTL_MS = 10 * 60_000;

function hmacKey(encryptionKey: string | Buffer): Buffer {
  const ikm = typeof encryptionKey === 'string' ? parseKey(encryptionKey) : encryptionKey;
  return Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), 'engagement-tracker connect-ticket v1', 32));
}

export class ConnectTicketSigner {
  private readonly key: Buffer;

  constructor(encryptionKey: string | Buffer, private readonly now: () => number = Date.now) {
    this.key = hmacKey(encryptionKey);
  }

  sign(input: { kind: ConnectTokenKind; discordId: string; displayName: string; ttlMs?: number }): { token: string; ticket: ConnectTicket } {
    const ticket: ConnectTicket = {
      kind: input.kind,
      discordId: input.discordId,
      displayName: input.displayName.slice(0, 100),
      nonce: randomBytes(16).toString('base64url'),
      expiresAt: this.now() + (input.ttlMs ?? CONNECT_TICKET_TTL_MS),
    };
    const body = Buffer.from(JSON.stringify({ k: ticket.kind, d: ticket.discordId, n: ticket.displayName, j: ticket.nonce, e: ticket.expiresAt })).toString('base64url');
    return { token: `${body}.${this.mac(body)}`, ticket };
  }

  /** The ticket, or a reason it is refused: bad signature/format, wrong kind, or expired. */
  verify(token: string, kind: ConnectTokenKind): { ok: true; ticket: ConnectTicket } | { ok: false; reason: 'invalid' | 'expired' } {
    const [body, mac, extra] = String(token ?? '').split('.');
    if (!body || !mac || extra !== undefined || body.length > 2000) return { ok: false, reason: 'invalid' };
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'invalid' };
    let p: { k?: unknown; d?: unknown; n?: unknown; j?: unknown; e?: unknown };
    try {
      p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (p.k !== kind || typeof p.d !== 'string' || typeof p.n !== 'string' || typeof p.j !== 'string' || typeof p.e !== 'number') {
      return { ok: false, reason: 'invalid' };
    }
    if (p.e <= this.now()) return { ok: false, reason: 'expired' };
    return { ok: true, ticket: { kind, discordId: p.d, displayName: p.n, nonce: p.j, expiresAt: p.e } };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

/** The link a member opens to start linking their X account. */
export function connectStartUrl(publicBaseUrl: string, token: string): string {
  const u = new URL('/connect/x/start', publicBaseUrl);
  u.searchParams.set('ticket', token);
  return u.toString();
}
