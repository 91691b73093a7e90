import { StackError } from '../errors';
import type { RouteModel } from '../types';

type Segment = { literal: string } | { param: string };

interface CompiledRoute {
  route: RouteModel;
  /** Upper-case method, `ANY`, or `$default` for the catch-all route. */
  method: string;
  /** Path segments before the greedy variable (all of them when there is none). */
  segments: Segment[];
  /** Name of the trailing `{name+}` variable, when the path ends with one. */
  greedy?: string;
}

export interface RouteMatch {
  route: RouteModel;
  /** Decoded path variables; undefined when the route has none (AWS then omits `pathParameters`). */
  pathParameters?: Record<string, string>;
}

export interface RouteTable {
  match(method: string, rawPath: string): RouteMatch | undefined;
}

const VARIABLE = /^\{([A-Za-z0-9_.-]+)(\+?)\}$/;

function splitPath(path: string): string[] {
  return path === '/' ? [] : path.slice(1).split('/');
}

function compile(route: RouteModel): CompiledRoute {
  if (route.routeKey === '$default') return { route, method: '$default', segments: [] };
  const m = /^([A-Z]+) (\/\S*)$/.exec(route.routeKey);
  if (!m?.[1] || !m[2])
    throw new StackError(`Route key "${route.routeKey}" is not "<METHOD> /<path>" or $default.`);
  const parts = splitPath(m[2]);
  const segments: Segment[] = [];
  let greedy: string | undefined;
  for (const [i, part] of parts.entries()) {
    const v = VARIABLE.exec(part);
    if (!v?.[1]) segments.push({ literal: part });
    else if (!v[2]) segments.push({ param: v[1] });
    // AWS rejects a greedy variable anywhere but at the end, so a stack that has one cannot deploy.
    else if (i !== parts.length - 1)
      throw new StackError(`Route "${route.routeKey}": {${v[1]}+} must end the path.`);
    else greedy = v[1];
  }
  return { route, method: m[1], segments, greedy };
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Path variables of `c` for the request path segments, or undefined when the path does not match. */
function matchPath(c: CompiledRoute, parts: string[]): Record<string, string> | undefined {
  if (c.greedy === undefined ? parts.length !== c.segments.length : parts.length <= c.segments.length) {
    return undefined;
  }
  const params: Record<string, string> = {};
  for (const [i, segment] of c.segments.entries()) {
    const part = parts[i] ?? '';
    if ('literal' in segment) {
      if (segment.literal !== part) return undefined;
    } else {
      if (part === '') return undefined;
      params[segment.param] = decode(part);
    }
  }
  if (c.greedy !== undefined) {
    const rest = parts.slice(c.segments.length).join('/');
    if (rest === '') return undefined;
    params[c.greedy] = decode(rest);
  }
  return params;
}

/**
 * Orders candidates the way API Gateway documents it (http-api-develop-routes, "Routing API requests"):
 * a full match beats a greedy `{proxy+}` match, which beats `$default`. Among full matches a literal
 * segment beats a variable at the first place they differ; among greedy matches the longer prefix wins.
 * On the same path an explicit method beats `ANY` ("ANY matches all methods you haven't defined").
 */
function compareSpecificity(a: CompiledRoute, b: CompiledRoute): number {
  const tier = (c: CompiledRoute) => (c.method === '$default' ? 2 : c.greedy === undefined ? 0 : 1);
  if (tier(a) !== tier(b)) return tier(a) - tier(b);
  if (a.segments.length !== b.segments.length) return b.segments.length - a.segments.length;
  for (const [i, sa] of a.segments.entries()) {
    const sb = b.segments[i];
    const la = 'literal' in sa;
    const lb = sb !== undefined && 'literal' in sb;
    if (la !== lb) return la ? -1 : 1;
  }
  return (a.method === 'ANY' ? 1 : 0) - (b.method === 'ANY' ? 1 : 0);
}

/** Compiles the stack's routes once; throws StackError for a route key API Gateway would not accept. */
export function compileRoutes(routes: RouteModel[]): RouteTable {
  const compiled = routes.map(compile);
  return {
    match(method, rawPath) {
      const parts = splitPath(rawPath);
      const candidates: { c: CompiledRoute; params: Record<string, string> }[] = [];
      for (const c of compiled) {
        if (c.method === '$default') {
          candidates.push({ c, params: {} });
          continue;
        }
        if (c.method !== method && c.method !== 'ANY') continue;
        const params = matchPath(c, parts);
        if (params) candidates.push({ c, params });
      }
      const best = candidates.sort((x, y) => compareSpecificity(x.c, y.c))[0];
      if (!best) return undefined;
      const hasParams = Object.keys(best.params).length > 0;
      return { route: best.c.route, ...(hasParams ? { pathParameters: best.params } : {}) };
    },
  };
}
