import type { RuntimeModel } from './stack/model';
import type { Invoker, Log } from './types';

/**
 * Something that joins the local runtime as it starts (fault injection does, through it): it
 * sees the emulators and the stack model, and may redirect the functions' AWS traffic and wrap
 * the invoker that the gateway and the pollers call. The runtime knows nothing else of it.
 */
export interface RuntimeExtension {
  /** Called once the emulators run and the stack model is built, before any function starts. */
  setup(context: ExtensionContext): Promise<ExtensionHooks> | ExtensionHooks;
}

export interface ExtensionContext {
  model: RuntimeModel;
  /** Where the emulators listen: what the functions reach unless an extension redirects them. */
  endpoints: { cognito: string; s3: string; kinesis: string; dynamodb: string };
  stateDir: string;
  /** Shards per stream. */
  shardCount: number;
  log: Log;
}

export interface ExtensionHooks {
  /**
   * Where the functions' S3 and Kinesis requests go instead of the emulators (e.g. a proxy in
   * front of them). Only the functions: the poller, the bootstrap and the CLI still talk to the
   * emulators directly.
   */
  functionEndpoints?: { s3?: string; kinesis?: string };
  /** Wraps the invoker of the stack's functions: the gateway and every poller call the result. */
  wrapInvoker?(invoker: Invoker): Invoker;
  /** Sections this extension adds to local.json, by name (e.g. `faults`). */
  localConfig?(): Record<string, unknown>;
  /** Called when the stack stops (after the gateway, the pollers and the functions). */
  close?(): Promise<void>;
}
