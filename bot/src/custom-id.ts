/**
 * Component custom ids: `<prefix>:<arg>:<arg>...`, at most 100 characters (Discord's limit).
 * Every button the bot sends builds its id here, and handlers match on the prefix.
 */
export const CUSTOM_ID_PREFIXES = { leaderboardPage: 'lb' } as const;
export type CustomIdPrefix = (typeof CUSTOM_ID_PREFIXES)[keyof typeof CUSTOM_ID_PREFIXES];

export function buildCustomId(prefix: CustomIdPrefix, ...args: Array<string | number>): string {
  const id = [prefix, ...args.map(String)].join(':');
  if (id.length > 100) throw new RangeError(`custom id too long (${id.length} > 100): ${id.slice(0, 40)}...`);
  if (args.some((a) => String(a).includes(':'))) throw new RangeError('custom id arguments must not contain ":"');
  return id;
}

export function parseCustomId(id: string): { prefix: string; args: string[] } {
  const [prefix = '', ...args] = id.split(':');
  return { prefix, args };
}
