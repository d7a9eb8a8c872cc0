/** `npm run dashboards`: write the Grafana dashboards (sandbox/src/observability/dashboards.ts) into the chart. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../stack/product';
import { DASHBOARDS, dashboardFile, dashboardJson } from './dashboards';

for (const name of Object.keys(DASHBOARDS)) {
  const file = join(REPO_ROOT, dashboardFile(name));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, dashboardJson(name));
  process.stdout.write(`${dashboardFile(name)}\n`);
}
