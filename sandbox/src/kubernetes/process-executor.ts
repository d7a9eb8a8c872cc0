import { spawn } from 'node:child_process';
import type { JobExecutor } from './server';
import type { KubeObject } from './store';

interface Container {
  env?: Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath?: string } } }>;
}

/**
 * A JobExecutor that runs a command as a local process in place of the Job's container, with the
 * container's literal env values and the downward-API fields the double can resolve (the Job name);
 * `overrideEnv` wins over the container's values (e.g. a local REDIS_URL instead of the cluster's). Lets the admin API's Kubernetes path run for real on a laptop.
 */
export function processExecutor(opts: { command: string[]; cwd?: string; overrideEnv?: NodeJS.ProcessEnv; stdio?: 'inherit' | 'ignore' }): JobExecutor {
  return (job: KubeObject) =>
    new Promise((resolve, reject) => {
      const name = job.metadata?.name ?? '';
      const spec = job.spec as { template?: { spec?: { containers?: Container[] } } } | undefined;
      const env: Record<string, string> = {};
      for (const e of spec?.template?.spec?.containers?.[0]?.env ?? []) {
        if (e.value !== undefined) env[e.name] = e.value;
        else if (e.valueFrom?.fieldRef?.fieldPath?.includes('job-name')) env[e.name] = name;
        else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name') env[e.name] = `${name}-pod`;
      }
      const [cmd, ...args] = opts.command;
      if (!cmd) return reject(new Error('no command'));
      const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...env, ...opts.overrideEnv }, stdio: ['ignore', opts.stdio ?? 'inherit', opts.stdio ?? 'inherit'] });
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve({ exitCode: code ?? (signal === 'SIGKILL' ? 137 : 143) }));
    });
}
