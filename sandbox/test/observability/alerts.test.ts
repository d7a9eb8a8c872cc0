import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../src/stack/product';

const run = promisify(execFile);
const RULES = join(REPO_ROOT, 'charts', 'engagement-tracker', 'files', 'alerts.yaml');
const TESTS = join(import.meta.dirname, 'alerts.promtool.yaml');
const PROMTOOL = process.env.PROMTOOL_BIN ?? 'promtool';

interface Rule { alert: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }
const rules = (parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);
const cases = (parse(readFileSync(TESTS, 'utf8')) as { tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }> }).tests.flatMap((t) => t.alert_rule_test);

describe('alert rules (the file the chart embeds)', () => {
  it('pass promtool check rules', async () => {
    const { stdout } = await run(PROMTOOL, ['check', 'rules', RULES]);
    expect(stdout).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('pass promtool test rules, with a firing and a quiet case for every alert', async () => {
    for (const r of rules) {
      const mine = cases.filter((c) => c.alertname === r.alert);
      expect(mine.some((c) => c.exp_alerts.length > 0), `${r.alert} has a firing case`).toBe(true);
      expect(mine.some((c) => c.exp_alerts.length === 0), `${r.alert} has a quiet case`).toBe(true);
    }
    const { stdout } = await run(PROMTOOL, ['test', 'rules', TESTS], { cwd: import.meta.dirname, timeout: 120_000 });
    expect(stdout).toContain('SUCCESS');
  }, 150_000);

  it('name alerts in CamelCase with one prefix, with a severity, a summary, a description and a runbook', () => {
    expect(rules.length).toBeGreaterThanOrEqual(13);
    for (const r of rules) {
      expect(r.alert).toMatch(/^EngagementTracker([A-Z][a-z0-9]*)+$/);
      expect(['critical', 'warning', 'info']).toContain(r.labels?.severity);
      expect(r.annotations?.summary, r.alert).toBeTruthy();
      expect(r.annotations?.description, r.alert).toBeTruthy();
      expect(r.annotations?.runbook_url).toBe(`docs/runbooks/${r.alert}.md`);
      const runbook = join(REPO_ROOT, r.annotations!.runbook_url!);
      expect(existsSync(runbook), runbook).toBe(true);
      const text = readFileSync(runbook, 'utf8');
      for (const section of ['Meaning', 'Impact', 'Diagnosis', 'Mitigation']) expect(text, `${r.alert}: ${section}`).toContain(`## ${section}\n`);
    }
  });
});
