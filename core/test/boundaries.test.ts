import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: ROOT, ignore: false });

/** Rule ids lint reports for `code` placed at `file` (relative to the repository root). */
async function violations(file: string, code: string): Promise<string[]> {
  const [res] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return res!.messages.map((m) => m.ruleId ?? m.message);
}

describe('layer boundaries and cycles are enforced by lint', () => {
  it('refuses core importing an app or the sandbox, by package name or relative path', async () => {
    expect(await violations('core/src/probe.ts', "import { startXDouble } from '@engagement-tracker/sandbox/x';\nexport const s = startXDouble;\n")).toContain('import-x/no-restricted-paths');
    expect(await violations('core/src/redis/probe.ts', "import { loadBotConfig } from '../../../bot/src/config';\nexport const l = loadBotConfig;\n")).toContain('import-x/no-restricted-paths');
  });

  it("refuses an app's product code importing the sandbox or another app; tests may use the sandbox", async () => {
    expect(await violations('admin-api/src/probe.ts', "import { startXDouble } from '@engagement-tracker/sandbox/x';\nexport const s = startXDouble;\n")).toContain('import-x/no-restricted-paths');
    expect(await violations('bot/src/probe.ts', "import { loadAdminApiConfig } from '../../admin-api/src/config';\nexport const l = loadAdminApiConfig;\n")).toContain('import-x/no-restricted-paths');
    expect(await violations('bot/test/probe.test.ts', "import { startXDouble } from '@engagement-tracker/sandbox/x';\nexport const s = startXDouble;\n")).toEqual([]);
    expect(await violations('bot/src/probe.ts', "import { createLogger } from '@engagement-tracker/core';\nexport const c = createLogger;\n")).toEqual([]);
  });

  it('refuses an import cycle', async () => {
    const [res] = await eslint.lintFiles([join(ROOT, 'core/test/fixtures/lint/cycle-a.ts')]);
    expect(res!.messages.map((m) => m.ruleId)).toContain('import-x/no-cycle');
  });
});
