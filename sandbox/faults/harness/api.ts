import { freePort } from '@engagement-tracker/core/testing';
import type { Case } from './case';
import { ENTRY, Proc, waitForStatus } from './proc';

/** The admin API as a process on the case's key prefix, launching manual runs as local batch processes. */
export class ApiProcess {
  proc!: Proc;
  private cookie = '';
  private csrf = '';

  private constructor(
    private readonly c: Case,
    readonly port: number,
  ) {}

  static async start(c: Case): Promise<ApiProcess> {
    const api = new ApiProcess(c, await freePort());
    await api.restart();
    return api;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Start the process (again) and wait until it is ready. */
  async restart(): Promise<void> {
    this.proc = new Proc('admin-api', ENTRY.api, [], this.c.env({
      ADMIN_API_PORT: String(this.port),
      PUBLIC_BASE_URL: this.url,
      ADMIN_WEB_DIST: '/nonexistent',
      BATCH_LAUNCHER: 'local',
      // One process per run (no tsx wrapper), so the API's SIGTERM reaches the program.
      BATCH_LOCAL_COMMAND: `${process.execPath} --import tsx batch-job/src/main.ts run`,
      API_RATE_LIMIT_PER_MINUTE: '100000',
    }));
    this.c.procs.push(this.proc);
    await waitForStatus(`${this.url}/readyz`, 120_000, () => this.proc.running());
  }

  async signIn(): Promise<void> {
    const res = await fetch(`${this.url}/auth/sandbox-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'admin' }) });
    if (res.status !== 200) throw new Error(`sandbox sign-in failed: ${res.status}`);
    const cookies = Object.fromEntries(res.headers.getSetCookie().map((c) => c.split(';')[0]!.split('=') as [string, string]));
    this.cookie = `et_session=${cookies.et_session}; et_csrf=${cookies.et_csrf}`;
    this.csrf = decodeURIComponent(cookies.et_csrf ?? '');
  }

  /** POST /api/batches (a manual run): the status and the body. */
  async startRun(): Promise<{ status: number; body: { id?: string; jobName?: string; error?: string } }> {
    const res = await fetch(`${this.url}/api/batches`, { method: 'POST', headers: { cookie: this.cookie, 'x-csrf-token': this.csrf, 'content-type': 'application/json' }, body: '{}' });
    return { status: res.status, body: (await res.json()) as { id?: string; jobName?: string } };
  }
}
