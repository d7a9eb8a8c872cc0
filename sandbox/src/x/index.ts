/**
 * The X API double: a local HTTP server that the real twitter-api-v2 client talks to.
 *
 *   const x = await startXDouble();
 *   const alice = x.state.addUser({ username: 'alice' });
 *   const post = x.state.addTweet({ authorId: alice.id, text: 'gm' });
 *   x.state.like(bob.id, post.id);
 *   x.requestsTo('liked_tweets'); x.billing.summary();
 */
export { startXDouble, type XDouble, type XDoubleOptions, type RecordedRequest, type Fault } from './server';
export { XState, type XUser, type XTweet, type RefType } from './state';
export { Billing, cost, utcDay, PRICE_PER_POST, PRICE_PER_USER, PRICE_PER_LIKE, type BillingSummary } from './billing';
export { ENDPOINT_LIMITS, RateLimiter, WINDOW_MS, type EndpointName, type LimitOverrides } from './rate-limits';
export { snowflake, snowflakeTime, cmpId } from './ids';
export { parseQuery } from './search-query';
export { buildScenario, Scenario, prng, type ScenarioOptions, type ScenarioEvent, type TrackedPost, type PlannedPost, type ScenarioKind } from './scenario';
export { seedStores, memberDiscordId } from './seed-stores';
export { buildRealistic, type RealisticOptions } from './realistic';
