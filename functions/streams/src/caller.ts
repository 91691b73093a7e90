import { UnauthorizedError } from '@streamdrop/lambda-kit';
import { ForbiddenError } from './errors';

export const GROUPS_CLAIM = 'cognito:groups';

/**
 * The group names of a `cognito:groups` claim, read only in the form its one source writes it.
 *
 * The HTTP API's JWT authorizer hands a Lambda integration (payload format 2.0) every claim as
 * a string, and flattens an array into `[`, the items joined by single spaces, `]`: Cognito's
 * `["users", "admins"]` arrives as `[users admins]` (the local gateway renders it the same way).
 * Read back by splitting on those spaces, this is exact, because a Cognito group name cannot hold
 * whitespace (its pattern is `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`): each name comes back exactly as it
 * was created, quotes and brackets included, so a group named `"admins"` reads as `"admins"`,
 * never as `admins`. Nothing is unquoted, unescaped, trimmed, case-folded or normalised.
 *
 * Any other shape (a real array, a bare name, a string without the brackets) is not a form the
 * authorizer writes, and yields no groups: the check fails closed.
 */
export function groupsFromClaim(claim: unknown): string[] {
  if (typeof claim !== 'string' || claim.length < 2 || !claim.startsWith('[') || !claim.endsWith(']')) {
    return [];
  }
  const inner = claim.slice(1, -1);
  return inner === '' ? [] : inner.split(' ');
}

export interface Caller {
  sub: string;
  groups: string[];
}

/**
 * The caller, if it is a member of `adminGroup` (compared code unit for code unit). Throws
 * UnauthorizedError without claims or a `sub`, ForbiddenError for anyone else. ID and access
 * tokens both carry `cognito:groups`.
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
