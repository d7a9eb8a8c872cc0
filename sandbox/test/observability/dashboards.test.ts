import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DASHBOARDS, dashboardFile, dashboardJson, dashboardQueries } from '../../src/observability/dashboards';
import { REPO_ROOT } from '../../src/stack/product';

const run = promisify(execFile);

describe('Grafana dashboards as code', () => {
  it('are checked in exactly as generated (run `npm run dashboards` after editing the source)', async () => {
    for (const name of Object.keys(DASHBOARDS)) {
      expect(await readFile(join(REPO_ROOT, dashboardFile(name)), 'utf8'), dashboardFile(name)).toBe(dashboardJson(name));
    }
  });

  it('have stable, unique uids, a datasource variable every panel uses, and at least one query per panel', () => {
    expect(Object.fromEntries(Object.entries(DASHBOARDS).map(([n, d]) => [n, d.uid]))).toEqual({
      overview: 'engagement-tracker-overview',
      batch: 'engagement-tracker-batch',
      bot: 'engagement-tracker-bot',
      'admin-api': 'engagement-tracker-admin-api',
    });
    for (const name of Object.keys(DASHBOARDS)) {
      const d = JSON.parse(dashboardJson(name)) as { templating: { list: Array<{ name: string; type: string }> }; panels: Array<{ title: string; datasource: { uid: string }; targets: Array<{ expr: string; datasource: { uid: string } }>; gridPos: { x: number; w: number } }> };
      expect(d.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource' }));
      for (const p of d.panels) {
        expect(p.datasource.uid, p.title).toBe('${datasource}');
        expect(p.targets.length, p.title).toBeGreaterThan(0);
        for (const t of p.targets) expect(t.datasource.uid).toBe('${datasource}');
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      }
      expect(new Set(d.panels.map((p) => p.title)).size).toBe(d.panels.length);
    }
  });

  it('only hold valid PromQL on engagement-tracker metrics (promtool parses every query)', async () => {
    const queries = dashboardQueries();
    for (const q of queries) expect(q.expr, `${q.dashboard} / ${q.panel}`).toMatch(/engagement_tracker_[a-z_]+/);
    const dir = await mkdtemp(join(tmpdir(), 'et-dash-'));
    try {
      const file = join(dir, 'queries.yaml');
      await writeFile(file, stringify({ groups: [{ name: 'dashboards', rules: queries.map((q, i) => ({ record: `dashboard:query:${i}`, expr: q.expr })) }] }));
      const { stdout } = await run(process.env.PROMTOOL_BIN ?? 'promtool', ['check', 'rules', file]);
      expect(stdout).toContain(`SUCCESS: ${queries.length} rules found`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
