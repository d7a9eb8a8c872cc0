import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DoubleState } from './state';

/** Gateway opcodes (https://discord.com/developers/docs/topics/opcodes-and-status-codes). */
export const Op = { Dispatch: 0, Heartbeat: 1, Identify: 2, Resume: 6, Reconnect: 7, InvalidSession: 9, Hello: 10, HeartbeatAck: 11 } as const;

/** Gateway intents (bit flags given at IDENTIFY). */
export const Intent = { Guilds: 1 << 0, GuildMembers: 1 << 1 } as const;

/** Events Discord sends only to sessions that asked for an intent (the rest need none). */
const INTENT_OF: Record<string, number> = {
  GUILD_ROLE_CREATE: Intent.Guilds,
  GUILD_ROLE_UPDATE: Intent.Guilds,
  GUILD_ROLE_DELETE: Intent.Guilds,
  // Privileged: without GUILD_MEMBERS a bot hears nothing of members joining, leaving or changing roles.
  GUILD_MEMBER_ADD: Intent.GuildMembers,
  GUILD_MEMBER_UPDATE: Intent.GuildMembers,
  GUILD_MEMBER_REMOVE: Intent.GuildMembers,
};

interface Session {
  id: string;
  seq: number;
  /** Recent dispatches, replayed on RESUME. */
  backlog: Array<{ s: number; t: string; d: unknown }>;
  socket: WebSocket | null;
  intents: number;
}

export interface GatewayOptions {
  heartbeatIntervalMs: number;
  /** ws:// url the double advertises (set once the HTTP server listens). */
  url: () => string;
}

/**
 * The gateway half of the double: HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats, RESUME with
 * replay of missed dispatches, op 7 reconnect requests. JSON encoding only, no compression.
 */
export class Gateway {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  /** Count of IDENTIFY and RESUME handshakes seen, for tests of reconnection. */
  readonly stats = { identifies: 0, resumes: 0, heartbeats: 0, connections: 0 };

  constructor(private readonly state: DoubleState, private readonly opts: GatewayOptions) {
    this.wss.on('connection', (ws) => this.onConnection(ws));
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  /** True when a bot session is connected and identified. */
  get connected(): boolean {
    return [...this.sessions.values()].some((s) => s.socket !== null);
  }

  /** True once any bot has identified (even if its socket is down and it may resume). */
  get hasSession(): boolean {
    return this.sessions.size > 0;
  }

  /** Dispatch an event to every live session that asked for its intent (and keep it for replay to sessions that resume). */
  dispatch(t: string, d: unknown): number {
    let delivered = 0;
    const intent = INTENT_OF[t];
    for (const s of this.sessions.values()) {
      if (intent !== undefined && (s.intents & intent) === 0) continue;
      const ev = { s: ++s.seq, t, d };
      s.backlog.push(ev);
      if (s.backlog.length > 1000) s.backlog.shift();
      if (s.socket) {
        s.socket.send(JSON.stringify({ op: Op.Dispatch, ...ev }));
        delivered++;
      }
    }
    return delivered;
  }

  /** Drop every connection abruptly (close code 4000 keeps the session resumable), as an outage would. */
  dropConnections(code = 4000): void {
    for (const s of this.sessions.values()) {
      s.socket?.close(code, 'dropped by the double');
      s.socket = null;
    }
  }

  /** Ask connected clients to reconnect and resume (op 7). */
  requestReconnect(): void {
    for (const s of this.sessions.values()) s.socket?.send(JSON.stringify({ op: Op.Reconnect, d: null }));
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onConnection(ws: WebSocket): void {
    this.stats.connections++;
    let session: Session | null = null;
    ws.send(JSON.stringify({ op: Op.Hello, d: { heartbeat_interval: this.opts.heartbeatIntervalMs } }));
    ws.on('message', (raw) => {
      let msg: { op: number; d: unknown };
      try {
        msg = JSON.parse(String(raw));
      } catch {
        ws.close(4002, 'Error while decoding payload.');
        return;
      }
      switch (msg.op) {
        case Op.Heartbeat:
          this.stats.heartbeats++;
          ws.send(JSON.stringify({ op: Op.HeartbeatAck, d: null }));
          break;
        case Op.Identify: {
          const d = msg.d as { token?: string; intents?: number };
          if (d?.token !== this.state.botToken && d?.token !== `Bot ${this.state.botToken}`) {
            ws.close(4004, 'Authentication failed.');
            return;
          }
          this.stats.identifies++;
          session = { id: randomUUID().replaceAll('-', ''), seq: 0, backlog: [], socket: ws, intents: d.intents ?? 0 };
          this.sessions.set(session.id, session);
          this.send(session, 'READY', {
            v: 10,
            user: this.state.botUser,
            guilds: [...this.state.guilds.keys()].map((id) => ({ id, unavailable: true })),
            session_id: session.id,
            resume_gateway_url: this.opts.url(),
            shard: [0, 1],
            application: { id: this.state.applicationId, flags: 0 },
            private_channels: [],
            relationships: [],
            presences: [],
            guild_join_requests: [],
            user_settings: {},
            geo_ordered_rtc_regions: [],
          });
          for (const g of this.state.guilds.values()) this.send(session, 'GUILD_CREATE', this.state.guildPayload(g));
          break;
        }
        case Op.Resume: {
          const d = msg.d as { token?: string; session_id?: string; seq?: number };
          const prior = d?.session_id ? this.sessions.get(d.session_id) : undefined;
          if (!prior || (d.token !== this.state.botToken && d.token !== `Bot ${this.state.botToken}`)) {
            ws.send(JSON.stringify({ op: Op.InvalidSession, d: false }));
            return;
          }
          this.stats.resumes++;
          prior.socket?.close(4000, 'resumed elsewhere');
          prior.socket = ws;
          session = prior;
          for (const ev of prior.backlog) if (ev.s > (d.seq ?? 0)) ws.send(JSON.stringify({ op: Op.Dispatch, ...ev }));
          this.send(prior, 'RESUMED', {});
          break;
        }
        default:
          break; // presence updates, request guild members, voice: ignored
      }
    });
    ws.on('close', () => {
      if (session && session.socket === ws) session.socket = null;
    });
    ws.on('error', () => {});
  }

  private send(s: Session, t: string, d: unknown): void {
    const ev = { s: ++s.seq, t, d };
    s.backlog.push(ev);
    s.socket?.send(JSON.stringify({ op: Op.Dispatch, ...ev }));
  }
}
