/**
 * Policy rules for the web client on AWS (infra/src/web.ts): CloudFront in front of a private
 * bucket, over HTTPS only, with security headers, and a page whose Content-Security-Policy names
 * exactly the origins it talks to. Same shape as rules.ts; web-negatives.ts breaks each rule.
 */
import type { PolicyRule, Violation } from './rules';
import {
  block,
  blocks,
  companions,
  isAnyone,
  readPolicy,
  refersTo,
  resources,
  type TfResource,
  type TfStack,
} from './terraform';

const violation = (rule: string, r: Pick<TfResource, 'address'>, message: string): Violation => ({
  rule,
  address: r.address,
  message,
});

const HTTPS_VIEWER_POLICIES = ['redirect-to-https', 'https-only'];
const ONE_YEAR_SECONDS = 31_536_000;

/** Every cache behavior of a distribution, the default first. */
function cacheBehaviors(distribution: TfResource) {
  return [
    ...blocks(distribution.body.default_cache_behavior).map((b) => ({ name: 'default cache behavior', b })),
    ...blocks(distribution.body.ordered_cache_behavior).map((b) => ({
      name: `cache behavior ${String(b.path_pattern)}`,
      b,
    })),
  ];
}

/** The stack's bucket an origin points at (its regional domain name or any attribute of it). */
function originBucket(stack: TfStack, origin: Record<string, unknown>): TfResource | undefined {
  return resources(stack, 'aws_s3_bucket').find((bucket) => refersTo(origin.domain_name, bucket));
}

/** The response headers policy of the stack a behavior names, if any. */
function headersPolicyOf(stack: TfStack, behavior: Record<string, unknown>): TfResource | undefined {
  return resources(stack, 'aws_cloudfront_response_headers_policy').find((p) =>
    refersTo(behavior.response_headers_policy_id, p),
  );
}

/** A CSP as its directives: `connect-src 'self' https://a` -> { 'connect-src': ["'self'", 'https://a'] }. */
export function parseCsp(csp: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

const FETCH_DIRECTIVES = [
  'default-src',
  'script-src',
  'style-src',
  'img-src',
  'connect-src',
  'font-src',
  'object-src',
];
/** The one pattern the header may hold: the region's API hosts (the page's own policy names the API). */
const EXECUTE_API_PATTERN = /^https:\/\/\*\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/;

/** What is wrong with a CSP for this page; `allowApiPattern` admits the execute-api pattern in connect-src. */
export function cspProblems(csp: string, allowApiPattern: boolean): string[] {
  const directives = parseCsp(csp);
  const problems: string[] = [];
  const defaults = directives.get('default-src');
  if (!defaults || !(defaults.join(' ') === "'none'" || defaults.join(' ') === "'self'")) {
    problems.push("default-src is not 'none' or 'self'");
  }
  for (const name of FETCH_DIRECTIVES) {
    for (const source of directives.get(name) ?? []) {
      const lower = source.toLowerCase();
      if (lower === "'unsafe-inline'" || lower === "'unsafe-eval'" || lower === "'unsafe-hashes'") {
        problems.push(`${name} allows ${source}`);
      } else if (['*', 'http:', 'https:', 'data:', 'blob:'].includes(lower)) {
        problems.push(`${name} allows any source of ${source}`);
      } else if (
        source.includes('*') &&
        !(name === 'connect-src' && allowApiPattern && EXECUTE_API_PATTERN.test(source))
      ) {
        problems.push(`${name} allows the wildcard ${source}`);
      } else if (/^http:\/\//i.test(source)) {
        problems.push(`${name} allows ${source} over plain http`);
      }
    }
  }
  if (!directives.has('connect-src')) problems.push('has no connect-src: it falls back to default-src');
  if (!directives.has('base-uri')) problems.push('has no base-uri');
  return problems;
}

/** The CSP of a page's `<meta http-equiv="Content-Security-Policy">`, unescaped. */
export function metaCsp(html: string): string | undefined {
  const match = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html);
  return match?.[1]
    ?.replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export const webRules: PolicyRule[] = [
  {
    id: 'CLOUDFRONT_HTTPS_ONLY',
    checkov: ['CKV_AWS_34'],
    others: ['Security Hub CloudFront.3', 'CloudFront.9'],
    description:
      'Every cache behavior sends viewers to HTTPS (redirect-to-https or https-only), and a custom origin is reached over HTTPS only.',
    appliesTo: ['aws_cloudfront_distribution'],
    check(stack) {
      return resources(stack, 'aws_cloudfront_distribution').flatMap((d) => [
        ...cacheBehaviors(d)
          .filter(({ b }) => !HTTPS_VIEWER_POLICIES.includes(String(b.viewer_protocol_policy)))
          .map(({ name, b }) =>
            violation(
              'CLOUDFRONT_HTTPS_ONLY',
              d,
              `${name} lets viewers in over ${String(b.viewer_protocol_policy)}`,
            ),
          ),
        ...blocks(d.body.origin)
          .map((o) => block(o.custom_origin_config))
          .filter((c) => c !== undefined && c.origin_protocol_policy !== 'https-only')
          .map((c) =>
            violation(
              'CLOUDFRONT_HTTPS_ONLY',
              d,
              `a custom origin is reached over ${String(c?.origin_protocol_policy)}`,
            ),
          ),
      ]);
    },
  },
  {
    id: 'CLOUDFRONT_ORIGIN_ACCESS_CONTROL',
    others: ['Security Hub CloudFront.13', 'cfn-nag W70'],
    description:
      'Every origin is a bucket of the stack, reached through an origin access control of the stack that signs every request (SigV4): no legacy origin access identity, no public website endpoint.',
    appliesTo: ['aws_cloudfront_distribution', 'aws_cloudfront_origin_access_control'],
    check(stack) {
      return resources(stack, 'aws_cloudfront_distribution').flatMap((d) =>
        blocks(d.body.origin).flatMap((origin) => {
          const problems: string[] = [];
          const id = String(origin.origin_id);
          if (!originBucket(stack, origin)) problems.push(`origin ${id} is not a bucket of the stack`);
          if (origin.s3_origin_config !== undefined)
            problems.push(`origin ${id} uses a legacy origin access identity`);
          const oac = resources(stack, 'aws_cloudfront_origin_access_control').find((o) =>
            refersTo(origin.origin_access_control_id, o),
          );
          if (!oac) problems.push(`origin ${id} has no origin access control of the stack`);
          else if (
            oac.body.origin_access_control_origin_type !== 's3' ||
            oac.body.signing_behavior !== 'always' ||
            oac.body.signing_protocol !== 'sigv4'
          ) {
            problems.push(`${oac.address} does not sign every request to S3 with SigV4`);
          }
          return problems.map((m) => violation('CLOUDFRONT_ORIGIN_ACCESS_CONTROL', d, m));
        }),
      );
    },
  },
  {
    id: 'CLOUDFRONT_SECURITY_HEADERS',
    checkov: ['CKV2_AWS_32'],
    others: ['Security Hub CloudFront.1 (default root object)'],
    description:
      "Every cache behavior adds a response headers policy of the stack that overrides: HSTS of a year or more, nosniff, frame DENY or SAMEORIGIN, a referrer policy, and a CSP with default-src 'none' or 'self', no unsafe-*, no wildcard but the region's execute-api hosts in connect-src, frame-ancestors and base-uri. The distribution serves a default root object.",
    appliesTo: ['aws_cloudfront_distribution', 'aws_cloudfront_response_headers_policy'],
    check(stack) {
      return resources(stack, 'aws_cloudfront_distribution').flatMap((d) => {
        const problems: string[] = [];
        if (typeof d.body.default_root_object !== 'string' || d.body.default_root_object === '') {
          problems.push('has no default root object');
        }
        for (const { name, b } of cacheBehaviors(d)) {
          const policy = headersPolicyOf(stack, b);
          if (!policy) {
            problems.push(`${name} adds no response headers policy of the stack`);
            continue;
          }
          const headers = block(policy.body.security_headers_config) ?? {};
          const hsts = block(headers.strict_transport_security);
          if (!hsts || Number(hsts.access_control_max_age_sec) < ONE_YEAR_SECONDS || hsts.override !== true) {
            problems.push(`${policy.address} sets no HSTS of a year or more`);
          }
          if (block(headers.content_type_options)?.override !== true) {
            problems.push(`${policy.address} does not set X-Content-Type-Options`);
          }
          const frame = block(headers.frame_options);
          if (
            !frame ||
            !['DENY', 'SAMEORIGIN'].includes(String(frame.frame_option)) ||
            frame.override !== true
          ) {
            problems.push(`${policy.address} does not forbid framing`);
          }
          const referrer = block(headers.referrer_policy);
          if (referrer?.override !== true || typeof referrer.referrer_policy !== 'string') {
            problems.push(`${policy.address} sets no referrer policy`);
          }
          const csp = block(headers.content_security_policy);
          if (csp?.override !== true || typeof csp.content_security_policy !== 'string') {
            problems.push(`${policy.address} sets no Content-Security-Policy`);
          } else {
            const text = csp.content_security_policy;
            for (const p of cspProblems(text, true)) problems.push(`${policy.address}: the CSP ${p}`);
            if (!parseCsp(text).has('frame-ancestors'))
              problems.push(`${policy.address}: the CSP has no frame-ancestors`);
          }
        }
        return problems.map((m) => violation('CLOUDFRONT_SECURITY_HEADERS', d, m));
      });
    },
  },
  {
    id: 'WEB_PAGE_CSP_EXACT',
    description:
      "The page a distribution serves (its default root object, uploaded by the stack) carries a <meta> Content-Security-Policy whose connect-src names exact https origins only: it narrows the header's execute-api pattern to the one API.",
    appliesTo: ['aws_cloudfront_distribution', 'aws_s3_object'],
    check(stack) {
      return resources(stack, 'aws_cloudfront_distribution').flatMap((d) => {
        const root = d.body.default_root_object;
        const buckets = blocks(d.body.origin)
          .map((o) => originBucket(stack, o))
          .filter((b): b is TfResource => b !== undefined);
        const pages = buckets.flatMap((bucket) =>
          companions(stack, 'aws_s3_object', bucket).filter((o) => o.body.key === root),
        );
        if (pages.length === 0)
          return [violation('WEB_PAGE_CSP_EXACT', d, `the stack uploads no ${String(root)}`)];
        return pages.flatMap((page) => {
          const csp = typeof page.body.content === 'string' ? metaCsp(page.body.content) : undefined;
          if (!csp)
            return [
              violation('WEB_PAGE_CSP_EXACT', page, 'the page has no Content-Security-Policy <meta> element'),
            ];
          return cspProblems(csp, false).map((p) =>
            violation('WEB_PAGE_CSP_EXACT', page, `the page's CSP ${p}`),
          );
        });
      });
    },
  },
  {
    id: 'WEB_BUCKET_READ_BY_ITS_DISTRIBUTION_ONLY',
    others: ['Security Hub S3.19 (no public access)'],
    description:
      'A bucket behind CloudFront allows nothing but s3:GetObject on its objects, to the CloudFront service only, and only for requests of its own distribution (AWS:SourceArn).',
    appliesTo: ['aws_cloudfront_distribution', 'aws_s3_bucket_policy'],
    check(stack) {
      return resources(stack, 'aws_cloudfront_distribution').flatMap((d) =>
        blocks(d.body.origin).flatMap((origin) => {
          const bucket = originBucket(stack, origin);
          if (!bucket) return [];
          const policies = companions(stack, 'aws_s3_bucket_policy', bucket);
          if (policies.length === 0) {
            return [
              violation(
                'WEB_BUCKET_READ_BY_ITS_DISTRIBUTION_ONLY',
                bucket,
                'has no bucket policy for its distribution',
              ),
            ];
          }
          const problems: Violation[] = [];
          let readable = false;
          for (const policy of policies) {
            const read = readPolicy(stack, policy.body.policy);
            if (!read.ok) {
              problems.push(
                violation('WEB_BUCKET_READ_BY_ITS_DISTRIBUTION_ONLY', policy, `unreadable: ${read.reason}`),
              );
              continue;
            }
            for (const s of read.statements.filter((x) => x.effect === 'Allow')) {
              const where = `statement ${s.sid ?? '(no sid)'}`;
              const principals = s.principals.flatMap((p) =>
                isAnyone(p) ? ['*'] : p.identifiers.map((i) => `${p.type}:${i}`),
              );
              const bad: string[] = [];
              if (principals.join() !== 'Service:cloudfront.amazonaws.com')
                bad.push(`allows ${principals.join(', ')}`);
              if (s.actions.join() !== 's3:GetObject') bad.push(`allows ${s.actions.join(', ')}`);
              if (!s.resources.every((r) => refersTo(r, bucket) && r.endsWith('/*')))
                bad.push('names resources beyond the objects');
              const source = s.conditions.find(
                (c) => c.test === 'StringEquals' && c.variable.toLowerCase() === 'aws:sourcearn',
              );
              if (source?.values.length !== 1 || !refersTo(source.values[0], d)) {
                bad.push('is not limited to requests of its distribution (AWS:SourceArn)');
              }
              for (const m of bad)
                problems.push(violation('WEB_BUCKET_READ_BY_ITS_DISTRIBUTION_ONLY', policy, `${where} ${m}`));
              if (bad.length === 0) readable = true;
            }
          }
          if (!readable && problems.length === 0) {
            problems.push(
              violation(
                'WEB_BUCKET_READ_BY_ITS_DISTRIBUTION_ONLY',
                bucket,
                'its distribution is allowed to read nothing',
              ),
            );
          }
          return problems;
        }),
      );
    },
  },
];

/** CloudFront checks this stack does not enforce, each with its reason (added to WAIVED_CHECKS). */
export const WEB_WAIVED_CHECKS: ReadonlyArray<{ id: string; check: string; reason: string }> = [
  {
    id: 'CKV_AWS_68',
    check: 'A WAF web ACL on the CloudFront distribution',
    reason:
      'It serves a static page and three static files; every request that matters goes to the API (throttled per stage) ' +
      'and to S3 with presigned URLs. A web ACL costs per month and per request for nothing to inspect here.',
  },
  {
    id: 'CKV_AWS_86',
    check: 'CloudFront standard access logging',
    reason:
      'Standard logging needs a bucket with ACLs enabled, which S3_ACLS_DISABLED forbids; the page holds no data and the API keeps its own access log.',
  },
  {
    id: 'CKV_AWS_174',
    check: 'CloudFront minimum TLS 1.2 (TLSv1.2_2021)',
    reason:
      'The default *.cloudfront.net certificate cannot set a minimum protocol version; a stage with its own domain and certificate sets TLSv1.2_2021 there.',
  },
  {
    id: 'CKV_AWS_310',
    check: 'CloudFront origin failover',
    reason:
      'One origin, S3 in one region, as the rest of the stack: a second origin would be a second copy to keep in step.',
  },
  {
    id: 'CKV_AWS_374',
    check: 'CloudFront geo restriction',
    reason: 'Who may use the page is decided by sign-in, not by country.',
  },
];
