/** Deliberately bad web-client fragments each web rule must report (merged into NEGATIVES). */
import { body, drop, webBucketPolicy, webHeaderCsp, webPage } from './fixtures';
import type { NegativeCase } from './negatives';
import type { TfBody, TfStack } from './terraform';

const distribution = (s: TfStack) => body(s, 'aws_cloudfront_distribution', 'd');
const behavior = (s: TfStack) => distribution(s).default_cache_behavior as TfBody;
const origin = (s: TfStack) => (distribution(s).origin as TfBody[])[0] as TfBody;
const headers = (s: TfStack) =>
  body(s, 'aws_cloudfront_response_headers_policy', 'h').security_headers_config as TfBody;
const setCsp = (s: TfStack, csp: string) => {
  (headers(s).content_security_policy as TfBody).content_security_policy = csp;
};
const setPage = (s: TfStack, html: string) => {
  body(s, 'aws_s3_object', 'index').content = html;
};
const setWebPolicy = (s: TfStack, statement: Record<string, unknown>) => {
  body(s, 'aws_s3_bucket_policy', 'w').policy = webBucketPolicy(statement);
};

export const WEB_NEGATIVES: Record<string, NegativeCase[]> = {
  CLOUDFRONT_HTTPS_ONLY: [
    [
      'viewers let in over plain http',
      (s) => {
        behavior(s).viewer_protocol_policy = 'allow-all';
      },
      /default cache behavior lets viewers in over allow-all/,
    ],
    [
      'an ordered behavior over plain http',
      (s) => {
        distribution(s).ordered_cache_behavior = [
          { path_pattern: '/assets/*', viewer_protocol_policy: 'allow-all' },
        ];
      },
      /cache behavior \/assets\/\* lets viewers in over allow-all/,
    ],
    [
      'a custom origin reached over http',
      (s) => {
        origin(s).custom_origin_config = { origin_protocol_policy: 'http-only' };
      },
      /a custom origin is reached over http-only/,
    ],
  ],
  CLOUDFRONT_ORIGIN_ACCESS_CONTROL: [
    [
      'an origin without origin access control',
      (s) => void delete origin(s).origin_access_control_id,
      /origin web-bucket has no origin access control of the stack/,
    ],
    [
      'a legacy origin access identity',
      (s) => {
        origin(s).s3_origin_config = { origin_access_identity: 'origin-access-identity/cloudfront/E1' };
      },
      /uses a legacy origin access identity/,
    ],
    [
      'an origin access control that does not sign',
      (s) => {
        body(s, 'aws_cloudfront_origin_access_control', 'o').signing_behavior = 'never';
      },
      /does not sign every request to S3 with SigV4/,
    ],
    [
      "a public website endpoint instead of the stack's bucket",
      (s) => {
        origin(s).domain_name = 'fixture-web.s3-website-eu-west-1.amazonaws.com';
      },
      /origin web-bucket is not a bucket of the stack/,
    ],
  ],
  CLOUDFRONT_SECURITY_HEADERS: [
    [
      'no response headers policy',
      (s) => void delete behavior(s).response_headers_policy_id,
      /default cache behavior adds no response headers policy of the stack/,
    ],
    [
      'no default root object',
      (s) => void delete distribution(s).default_root_object,
      /has no default root object/,
    ],
    [
      'HSTS of a day',
      (s) => {
        (headers(s).strict_transport_security as TfBody).access_control_max_age_sec = 86400;
      },
      /sets no HSTS of a year or more/,
    ],
    ['no nosniff', (s) => void delete headers(s).content_type_options, /does not set X-Content-Type-Options/],
    [
      'framing allowed from anywhere',
      (s) => {
        (headers(s).frame_options as TfBody).frame_option = 'ALLOW-FROM https://evil.example';
      },
      /does not forbid framing/,
    ],
    ['no referrer policy', (s) => void delete headers(s).referrer_policy, /sets no referrer policy/],
    ['no CSP', (s) => void delete headers(s).content_security_policy, /sets no Content-Security-Policy/],
    [
      "a CSP with 'unsafe-inline' scripts",
      (s) => setCsp(s, webHeaderCsp().replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")),
      /the CSP script-src allows 'unsafe-inline'/,
    ],
    [
      'a CSP that connects anywhere over https',
      (s) => setCsp(s, webHeaderCsp('https:')),
      /the CSP connect-src allows any source of https:/,
    ],
    [
      'a CSP with a wildcard other than the API hosts',
      (s) => setCsp(s, webHeaderCsp('https://*.amazonaws.com')),
      /the CSP connect-src allows the wildcard https:\/\/\*\.amazonaws\.com/,
    ],
    [
      'a CSP that falls back to a permissive default',
      (s) => setCsp(s, webHeaderCsp().replace("default-src 'none'", 'default-src *')),
      /default-src is not 'none' or 'self'/,
    ],
    [
      'a CSP without frame-ancestors',
      (s) => setCsp(s, webHeaderCsp().replace(" frame-ancestors 'none';", '')),
      /the CSP has no frame-ancestors/,
    ],
  ],
  WEB_PAGE_CSP_EXACT: [
    ['no page uploaded', (s) => drop(s, 'aws_s3_object'), /the stack uploads no index\.html/],
    [
      'a page without its <meta> policy',
      (s) => setPage(s, '<!doctype html><html></html>'),
      /has no Content-Security-Policy <meta>/,
    ],
    [
      "a page that keeps the header's API pattern",
      (s) => setPage(s, webPage(webHeaderCsp())),
      /the page's CSP connect-src allows the wildcard https:\/\/\*\.execute-api/,
    ],
    [
      'a page that reaches an API over plain http',
      (s) => setPage(s, webPage(webHeaderCsp('http://api.example.com'))),
      /connect-src allows http:\/\/api\.example\.com over plain http/,
    ],
  ],
  WEB_BUCKET_READ_BY_ITS_DISTRIBUTION_ONLY: [
    [
      'no bucket policy',
      (s) => void delete s.resource?.aws_s3_bucket_policy?.w,
      /has no bucket policy for its distribution/,
    ],
    [
      'reads by any CloudFront distribution',
      (s) => setWebPolicy(s, { Condition: undefined }),
      /is not limited to requests of its distribution/,
    ],
    [
      'reads by anyone',
      (s) => setWebPolicy(s, { Principal: '*' }),
      /statement CloudFrontReadsTheSite allows \*/,
    ],
    [
      'listing and writing besides reading',
      (s) => setWebPolicy(s, { Action: ['s3:GetObject', 's3:ListBucket', 's3:PutObject'] }),
      /allows s3:GetObject, s3:ListBucket, s3:PutObject/,
    ],
    [
      'the bucket itself, not only its objects',
      (s) => setWebPolicy(s, { Resource: ['${aws_s3_bucket.w.arn}', '${aws_s3_bucket.w.arn}/*'] }),
      /names resources beyond the objects/,
    ],
    [
      "another distribution's requests",
      (s) =>
        setWebPolicy(s, {
          Condition: { StringEquals: { 'AWS:SourceArn': 'arn:aws:cloudfront::1:distribution/E9' } },
        }),
      /is not limited to requests of its distribution/,
    ],
  ],
};
