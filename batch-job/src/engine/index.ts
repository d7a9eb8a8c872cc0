export { runBatch, EXIT_CODES, DEFAULT_WINDOW_MS, type BatchDeps, type BatchOptions, type BatchOutcome, type BatchOutcomeStatus } from './run-batch';
export { planRun, changedBy, pageSize, PRICE, type Plan, type PlanInput, type PlanTweet, type TweetRead } from './planner';
export { WatermarkStore, type MemberMark, type TweetMark } from './watermarks';
export { XGateway, type XEndpoint, type GatewayOptions } from './x-gateway';
export { MemberTokens } from './tokens';
export { RunStats } from './stats';
export { StopRun, TokenRevoked, TokenBusy, MemberThrottled } from './errors';
export { batchConfigSchema, loadBatchConfig, parseDuration, type BatchConfig } from './config';
