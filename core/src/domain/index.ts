export * from './tiers';
export * from './rules';
export * from './week';
export * from './tweet-url';
export * from './types';
export * from './moderation';
