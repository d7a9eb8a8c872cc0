import { type ChildProcess } from 'node:child_process';
/** The real bot (`bot/src/index.ts`) as a child process, its JSON log lines kept for assertions. */
export interface BotProcess {
    proc: ChildProcess;
    logs: Array<Record<string, unknown>>;
    healthUrl: string;
    /** Send a signal and resolve with the exit code. */
    stop(signal?: NodeJS.Signals): Promise<number | null>;
    dumpLogs(): string;
}
export declare function runScript(script: string, env: Record<string, string>, timeoutMs?: number, args?: string[]): Promise<{
    code: number | null;
    output: string;
}>;
export declare function startBotProcess(env: Record<string, string>, opts?: {
    readyTimeoutMs?: number;
}): Promise<BotProcess>;
