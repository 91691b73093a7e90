import { UnauthorizedError } from '@streamdrop/lambda-kit';
import { ForbiddenError } from './errors';

export const GROUPS_CLAIM = 'cognito:groups';

/**
 * The group names in a `cognito:groups` claim. API Gateway's JWT authorizer flattens the
 * token's array into a string such as `[admins users]`; a real array and a JSON array string
 * are read too, so that another authorizer or a future API Gateway format does not lock admins out.
 */
export function groupsFromClaim(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((group): group is string => typeof group === 'string');
  if (typeof claim !== 'string') return [];
  const text = claim.trim();
  if (text.startsWith('[') && text.includes('"')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return groupsFromClaim(parsed);
    } catch {
      // Not JSON after all: a group name may hold a quote. Read it as API Gateway's format.
    }
  }
  const inner = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return inner.split(/\s+/).filter((group) => group !== '');
}

export interface Caller {
  sub: string;
  groups: string[];
}

/**
 * The caller, if it is a member of `adminGroup`. Throws UnauthorizedError without claims or a
 * `sub`, ForbiddenError for anyone else. ID and access tokens both carry `cognito:groups`.
 */
export function authorizeAdmin(
  claims: Readonly<Record<string, unknown>> | undefined,
  adminGroup: string,
): Caller {
  const sub = claims?.sub;
  if (!claims || typeof sub !== 'string' || sub === '') throw new UnauthorizedError();
  const groups = groupsFromClaim(claims[GROUPS_CLAIM]);
  if (!groups.includes(adminGroup)) throw new ForbiddenError(adminGroup);
  return { sub, groups };
}
