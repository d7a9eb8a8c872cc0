export { startStack, type Stack } from './stack';
export { loadStackConfig, isSandbox, stackSchema, type StackConfig } from './config';
export { startLocalRedis, portIsFree, type LocalRedis } from './local-redis';
export { startService, lineLevel, type Service, type ServiceSpec } from './services';
export { startSandboxDoubles, type SandboxDoubles } from './doubles';
export { Community, type CommunityMember, type CommunityStats } from './community';
export { followOAuthLink, linksIn } from './follow-link';
export { supervise, type Supervised, type SupervisorOptions } from './supervisor';
export { ActivityPlan, type Action, type EngageKind, type PlanMember, type PlanOptions, type PlanPost } from './community-plan';
