import type { WebConfig } from '@streamdrop/config';
import * as z from './zod';

const AbsoluteUrlSchema = z.url({ protocol: /^https?$/ });

/**
 * `config.json`, as the web client reads it at start: the stack writes it on AWS, the local
 * runtime writes it locally (both from @streamdrop/config's WebConfig). Unknown fields pass, so
 * that a newer file does not break an older page still open in a tab.
 */
export const WebConfigSchema = z.looseObject({
  version: z.literal(1),
  apiUrl: AbsoluteUrlSchema,
  region: z.string(),
  auth: z.looseObject({
    clientId: z.string().check(z.minLength(1)),
    issuer: AbsoluteUrlSchema,
    authorizeUrl: AbsoluteUrlSchema,
    tokenUrl: AbsoluteUrlSchema,
    revokeUrl: z.optional(AbsoluteUrlSchema),
    logoutUrl: z.optional(AbsoluteUrlSchema),
    scopes: z.array(z.string()),
  }),
  adminGroup: z.string(),
});

/** What passes the schema is a WebConfig: the writers' type and the reader's cannot drift apart. */
export type ReadWebConfig = z.infer<typeof WebConfigSchema> & WebConfig;
const _isWebConfig = (value: z.infer<typeof WebConfigSchema>): WebConfig => value;
void _isWebConfig;
