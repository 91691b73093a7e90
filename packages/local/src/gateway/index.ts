export type { JwtAuthorizerContext } from './authorizer';
export type { CorsModel } from './cors';
export type { HttpApiEvent } from './event';
export { type Gateway, type GatewayOptions, startGateway } from './gateway';
