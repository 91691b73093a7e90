/**
 * The web client's names and the runtime configuration it reads, declared once for the three
 * parts that must agree on them: the stack writes `config.json` and the security headers on AWS,
 * the local runtime writes and sends the same locally, and the app reads the file. Nothing here
 * imports anything, so the browser bundle may take it too.
 */

/** Served next to `index.html`: where the app finds its endpoints at run time, never at build time. */
export const WEB_CONFIG_FILE = 'config.json';

/** The page itself; its CSP `<meta>` is filled in where it is served (see renderIndexHtml). */
export const WEB_INDEX_FILE = 'index.html';

/** What `renderIndexHtml` replaces; the build leaves it in `<head>`, before any script or style. */
export const WEB_CSP_PLACEHOLDER = '<!-- streamdrop:csp -->';

/**
 * The tag on every object of the web client's bucket that the stack uploads. The plan role may
 * read objects carrying it (Terraform refreshes them), and no other object outside the state.
 */
export const WEB_OBJECT_TAG = { key: 'streamdrop-content', value: 'web-client' } as const;

/** The OAuth scopes the app asks for: the app client's allowed scopes (infra/src/auth.ts). */
export const WEB_SCOPES = ['openid', 'email', 'profile'] as const;

/** `config.json`, version 1. Every URL is absolute, with no trailing slash. */
export interface WebConfig {
  readonly version: 1;
  /** Base URL of the HTTP API (`api_url`). */
  readonly apiUrl: string;
  readonly region: string;
  readonly auth: {
    readonly clientId: string;
    /** The tokens' `iss` (the authorizer requires it). */
    readonly issuer: string;
    /** The hosted UI's `/oauth2/authorize`. */
    readonly authorizeUrl: string;
    /** `/oauth2/token`: the code exchange and refreshes. */
    readonly tokenUrl: string;
    /** `/oauth2/revoke`, where the hosted UI has it (Cognito does, cognito-local does not). */
    readonly revokeUrl?: string;
    /** Cognito's `/logout`, where there is one: it ends the hosted UI's own session too. */
    readonly logoutUrl?: string;
    readonly scopes: readonly string[];
  };
  /** Members of this Cognito group (the token's `cognito:groups`) see the streams panel. */
  readonly adminGroup: string;
}

/** The hosted UI's endpoints at `base` (`https://<domain>` on AWS, cognito-local's URL locally). */
export function hostedUiEndpoints(
  base: string,
  options: { readonly logout: boolean; readonly revoke: boolean },
): Pick<WebConfig['auth'], 'authorizeUrl' | 'tokenUrl' | 'revokeUrl' | 'logoutUrl'> {
  const root = base.replace(/\/+$/, '');
  return {
    authorizeUrl: `${root}/oauth2/authorize`,
    tokenUrl: `${root}/oauth2/token`,
    ...(options.revoke ? { revokeUrl: `${root}/oauth2/revoke` } : {}),
    ...(options.logout ? { logoutUrl: `${root}/logout` } : {}),
  };
}

/** The origins the app talks to besides its own: the CSP's `connect-src` names exactly these. */
export interface WebOrigins {
  /** The HTTP API, or on AWS's header a pattern of it (see docs/web.md, "Security headers"). */
  readonly api: string;
  /** The hosted UI (token and revoke endpoints). */
  readonly auth: string;
  /** The data bucket, as presigned URLs name it (part uploads). */
  readonly s3: string;
}

/**
 * The page's Content-Security-Policy: its own scripts and styles only, no framing, no plugins,
 * no `<base>`, and network access to itself and the three origins alone. `https` adds
 * upgrade-insecure-requests (not locally, where everything is plain http on loopback). A
 * `<meta>` policy leaves out frame-ancestors, which browsers ignore there (the header has it).
 */
export function webContentSecurityPolicy(
  origins: WebOrigins,
  options: { readonly https: boolean; readonly delivery: 'header' | 'meta' },
): string {
  const connect = ["'self'", origins.api, origins.auth, origins.s3].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src ${connect}`,
    "form-action 'self'",
    ...(options.delivery === 'header' ? ["frame-ancestors 'none'"] : []),
    "base-uri 'none'",
    "object-src 'none'",
    ...(options.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

/** The security headers every response of the web app carries (CloudFront's response headers policy on AWS). */
export const WEB_SECURITY_HEADERS = {
  /** The callback URL carries the authorization code: it must never leave in a Referer. */
  referrerPolicy: 'no-referrer',
  frameOptions: 'DENY',
  /** Two years, as hstspreload.org asks; sent over https only. */
  hstsMaxAgeSeconds: 63_072_000,
} as const;

/** Cache-Control by file: the page and its config are revalidated every time, hashed assets never. */
export function webCacheControl(path: string): string {
  return path === WEB_INDEX_FILE || path === WEB_CONFIG_FILE
    ? 'no-cache'
    : 'public, max-age=31536000, immutable';
}

/** The Content-Type of a file of the built app, by its extension. */
export function webContentType(path: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  switch (ext) {
    case 'html':
      return 'text/html; charset=utf-8';
    case 'js':
    case 'mjs':
      return 'text/javascript; charset=utf-8';
    case 'css':
      return 'text/css; charset=utf-8';
    case 'json':
      return 'application/json';
    case 'svg':
      return 'image/svg+xml';
    case 'png':
      return 'image/png';
    case 'ico':
      return 'image/x-icon';
    case 'map':
      return 'application/json';
    case 'txt':
      return 'text/plain; charset=utf-8';
    default:
      return 'application/octet-stream';
  }
}

const escapeAttribute = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The built page with its CSP as a `<meta>` element in place of WEB_CSP_PLACEHOLDER. On AWS the
 * header cannot name the API exactly (see docs/web.md); the browser enforces both policies, so
 * the meta element narrows the header's pattern to the one API. Throws when the page has no
 * placeholder: serving it without its policy would be a silent downgrade.
 */
export function renderIndexHtml(template: string, csp: string): string {
  if (!template.includes(WEB_CSP_PLACEHOLDER)) {
    throw new Error(`${WEB_INDEX_FILE} has no ${WEB_CSP_PLACEHOLDER}: it was not built by \`pnpm build\``);
  }
  return template.replace(
    WEB_CSP_PLACEHOLDER,
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">`,
  );
}
