import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface KeepAliveOptions {
  /** Milliseconds to wait for a connection. */
  readonly connectionTimeout: number;
  /** Milliseconds a request may be idle on its socket. */
  readonly requestTimeout: number;
  /** Reject a request that times out instead of only warning (the handler's default). */
  readonly throwOnRequestTimeout?: boolean;
  /** Sockets per agent; Node's default (no limit) when left out. */
  readonly maxSockets?: number;
}

/**
 * An HTTP/1.1 handler whose agents keep connections alive, so that one container reuses a
 * connection across invocations instead of paying a TLS handshake each time.
 */
export function keepAliveHandler({ maxSockets, ...timeouts }: KeepAliveOptions): NodeHttpHandler {
  // Node's agents take an undefined maxSockets as their default, no limit.
  const agent = { keepAlive: true, maxSockets };
  return new NodeHttpHandler({
    httpAgent: new HttpAgent(agent),
    httpsAgent: new HttpsAgent(agent),
    ...timeouts,
  });
}
