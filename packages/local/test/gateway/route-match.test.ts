import { StackError } from '../../src/errors';
import { compileRoutes } from '../../src/gateway/route-match';
import { route } from './support';

describe('route matching', () => {
  // The example table of the API Gateway guide (http-api-develop-routes, "Routing API requests").
  const table = compileRoutes([
    route('GET /pets/dog/{id}'),
    route('GET /pets/{proxy+}'),
    route('ANY /{proxy+}'),
    route('$default'),
  ]);

  it.each([
    ['GET', '/pets/dog/1', 'GET /pets/dog/{id}', { id: '1' }],
    ['GET', '/pets/cat/1', 'GET /pets/{proxy+}', { proxy: 'cat/1' }],
    ['POST', '/test/5', 'ANY /{proxy+}', { proxy: 'test/5' }],
    ['GET', '/', '$default', undefined],
  ])('routes %s %s to %s as the AWS guide does', (method, path, routeKey, pathParameters) => {
    const match = table.match(method, path);
    expect(match?.route.routeKey).toBe(routeKey);
    expect(match?.pathParameters).toEqual(pathParameters);
  });

  it('prefers an exact path over a path variable, and a path variable over a greedy one', () => {
    const t = compileRoutes([
      route('GET /streams/{proxy+}'),
      route('GET /streams/{name}'),
      route('GET /streams/main'),
    ]);
    expect(t.match('GET', '/streams/main')?.route.routeKey).toBe('GET /streams/main');
    expect(t.match('GET', '/streams/other')?.route.routeKey).toBe('GET /streams/{name}');
    expect(t.match('GET', '/streams/other/shards')?.route.routeKey).toBe('GET /streams/{proxy+}');
  });

  it('prefers the earlier literal segment and the longer greedy prefix', () => {
    const t = compileRoutes([
      route('GET /{a}/x'),
      route('GET /a/{b}'),
      route('GET /{proxy+}'),
      route('GET /files/{proxy+}'),
    ]);
    expect(t.match('GET', '/a/x')?.route.routeKey).toBe('GET /a/{b}');
    expect(t.match('GET', '/files/2026/report.pdf')?.route.routeKey).toBe('GET /files/{proxy+}');
  });

  it('prefers the explicit method over ANY on the same path', () => {
    const t = compileRoutes([route('ANY /uploads', { functionName: 'any' }), route('POST /uploads')]);
    expect(t.match('POST', '/uploads')?.route.routeKey).toBe('POST /uploads');
    expect(t.match('DELETE', '/uploads')?.route.routeKey).toBe('ANY /uploads');
  });

  it('falls back to a less specific path when the specific one lacks the method', () => {
    const t = compileRoutes([route('POST /streams/main'), route('GET /streams/{name}')]);
    expect(t.match('GET', '/streams/main')?.pathParameters).toEqual({ name: 'main' });
  });

  it('decodes path variables and needs at least one segment for a greedy one', () => {
    const t = compileRoutes([route('GET /files/{key+}'), route('GET /users/{id}')]);
    expect(t.match('GET', '/users/a%20b')?.pathParameters).toEqual({ id: 'a b' });
    expect(t.match('GET', '/files')).toBeUndefined();
    expect(t.match('GET', '/users/')).toBeUndefined();
  });

  it('matches nothing without $default when no route fits, and compares method and path case-sensitively', () => {
    const t = compileRoutes([route('POST /uploads')]);
    expect(t.match('GET', '/uploads')).toBeUndefined();
    expect(t.match('POST', '/Uploads')).toBeUndefined();
    expect(t.match('POST', '/uploads/x')).toBeUndefined();
  });

  it('refuses route keys API Gateway would not deploy', () => {
    expect(() => compileRoutes([route('GET /a/{proxy+}/b')])).toThrow(StackError);
    expect(() => compileRoutes([route('uploads')])).toThrow(/not "<METHOD> \/<path>"/);
  });
});
