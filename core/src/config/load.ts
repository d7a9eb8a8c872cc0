import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example for every setting.`);
    this.name = 'ConfigError';
  }
}

/**
 * Validate environment variables against a zod object schema, reporting every missing or invalid
 * variable at once. Empty strings count as unset.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') cleaned[k] = v;
  const res = schema.safeParse(cleaned);
  if (res.success) return res.data;
  throw new ConfigError(
    res.error.issues.map((i) => {
      const key = i.path.join('.') || '(root)';
      return i.code === 'invalid_type' && cleaned[key] === undefined ? `${key} is required` : `${key}: ${i.message}`;
    }),
  );
}

/** Reusable field helpers. */
export const env = {
  port: (def: number) => z.coerce.number().int().min(0).max(65535).default(def),
  int: (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(def),
  bool: (def: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(def ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  url: () => z.url({ protocol: /^(https?|redis|rediss|wss?)$/ }),
  list: () => z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
  snowflakes: () =>
    z
      .string()
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
      .refine((ids) => ids.every((id) => /^\d{5,20}$/.test(id)), 'must be comma-separated Discord ids'),
};
