import {
  hostedUiEndpoints,
  renderIndexHtml,
  WEB_CSP_PLACEHOLDER,
  webCacheControl,
  webContentSecurityPolicy,
  webContentType,
} from '../src';

const origins = {
  api: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
  auth: 'https://streamdrop-dev-auth.auth.eu-west-1.amazoncognito.com',
  s3: 'https://streamdrop-dev-data-1.s3.eu-west-1.amazonaws.com',
};

describe('the web client’s Content-Security-Policy', () => {
  it('lets the page connect to itself and exactly the API, the hosted UI and the data bucket', () => {
    const csp = webContentSecurityPolicy(origins, { https: true, delivery: 'header' });
    const connect = csp.split('; ').find((d) => d.startsWith('connect-src '));
    expect(connect?.split(' ').slice(1)).toEqual(["'self'", origins.api, origins.auth, origins.s3]);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain('upgrade-insecure-requests');
    expect(csp).not.toMatch(/unsafe-|\*/);
  });

  it('leaves out what a <meta> policy cannot carry, and upgrades nothing over plain http', () => {
    const csp = webContentSecurityPolicy(origins, { https: false, delivery: 'meta' });
    expect(csp).not.toContain('frame-ancestors');
    expect(csp).not.toContain('upgrade-insecure-requests');
  });
});

describe('renderIndexHtml', () => {
  it('puts the policy in a <meta> element where the build left its placeholder, escaped', () => {
    const html = renderIndexHtml(`<head>${WEB_CSP_PLACEHOLDER}<script src="a.js"></script>`, `a "b" & <c>`);
    expect(html).toBe(
      '<head><meta http-equiv="Content-Security-Policy" content="a &quot;b&quot; &amp; &lt;c&gt;"><script src="a.js"></script>',
    );
  });

  it('refuses a page without the placeholder rather than serve it without its policy', () => {
    expect(() => renderIndexHtml('<head></head>', "default-src 'none'")).toThrow(/was not built by/);
  });
});

describe('the web client’s files', () => {
  it('revalidates the page and its config every time, and caches hashed assets for good', () => {
    expect(webCacheControl('index.html')).toBe('no-cache');
    expect(webCacheControl('config.json')).toBe('no-cache');
    expect(webCacheControl('assets/app-4KX2.js')).toBe('public, max-age=31536000, immutable');
  });

  it('serves each kind of file with its type', () => {
    expect(webContentType('index.html')).toBe('text/html; charset=utf-8');
    expect(webContentType('assets/app-1.js')).toBe('text/javascript; charset=utf-8');
    expect(webContentType('assets/app-1.css')).toBe('text/css; charset=utf-8');
    expect(webContentType('config.json')).toBe('application/json');
    expect(webContentType('LICENSE')).toBe('application/octet-stream');
  });

  it('names the hosted UI endpoints under one base, logout and revoke only where they exist', () => {
    expect(hostedUiEndpoints('http://127.0.0.1:9229/', { logout: false, revoke: false })).toEqual({
      authorizeUrl: 'http://127.0.0.1:9229/oauth2/authorize',
      tokenUrl: 'http://127.0.0.1:9229/oauth2/token',
    });
    expect(
      hostedUiEndpoints('https://x.auth.eu-west-1.amazoncognito.com', { logout: true, revoke: true }),
    ).toEqual({
      authorizeUrl: 'https://x.auth.eu-west-1.amazoncognito.com/oauth2/authorize',
      tokenUrl: 'https://x.auth.eu-west-1.amazoncognito.com/oauth2/token',
      revokeUrl: 'https://x.auth.eu-west-1.amazoncognito.com/oauth2/revoke',
      logoutUrl: 'https://x.auth.eu-west-1.amazoncognito.com/logout',
    });
  });
});
