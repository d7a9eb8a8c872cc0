import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { summarize, type CaseResult } from './harness/verdict';

declare module 'vitest' {
  export interface ProvidedContext {
    faultsResults: string;
  }
}

/**
 * The fault suite's global setup: every case appends its result to one file; at the end the suite
 * prints one JSON line (cases run, faults injected, awards lost and doubled, runs left running,
 * false failure records).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'et-faults-'));
  const file = join(dir, 'results.jsonl');
  project.provide('faultsResults', file);
  return async () => {
    const text = await readFile(file, 'utf8').catch(() => '');
    const results = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as CaseResult);
    process.stdout.write(`${JSON.stringify(summarize(results))}\n`);
    await rm(dir, { recursive: true, force: true });
  };
}
