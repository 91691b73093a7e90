import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CloudfrontDistribution } from '@cdktf/provider-aws/lib/cloudfront-distribution';
import { CloudfrontOriginAccessControl } from '@cdktf/provider-aws/lib/cloudfront-origin-access-control';
import { CloudfrontResponseHeadersPolicy } from '@cdktf/provider-aws/lib/cloudfront-response-headers-policy';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import {
  renderIndexHtml,
  stackName,
  WEB_CONFIG_FILE,
  WEB_INDEX_FILE,
  WEB_OBJECT_TAG,
  WEB_SECURITY_HEADERS,
  type WebConfig,
  webCacheControl,
  webContentSecurityPolicy,
  webContentType,
} from '@streamdrop/config';
import { AssetType, Lazy, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { SecureBucket } from './storage';

/** AWS's managed cache policy "CachingOptimized": no cookies, headers or query strings in the key. */
export const CACHING_OPTIMIZED_POLICY_ID = '658327ea-f89d-4fab-a63d-7e88639e58f6';

/** The built web client is not where the stack looks for it. */
export class MissingWebBuildError extends Error {
  override readonly name = 'MissingWebBuildError';
  constructor(dir: string) {
    super(
      `The web client is not built: expected ${join(dir, WEB_INDEX_FILE)}. Run \`pnpm build\` first (or point STREAMDROP_WEB_DIR at the build), or set STREAMDROP_WEB_HOSTING=false.`,
    );
  }
}

export interface WebOptions {
  readonly stage: string;
  readonly region: string;
  /** The built app (dist/web): every file is uploaded as it is, but index.html and config.json. */
  readonly dir: string;
  /** The hosted UI's origin, `https://<prefix>.auth.<region>.amazoncognito.com` (known from the configuration). */
  readonly authOrigin: string;
  /** The data bucket's origin as presigned URLs name it (`https://<bucket>.s3.<region>.amazonaws.com`). */
  readonly dataOrigin: string;
}

/** What the page needs to know at run time, from the rest of the stack (tokens until deploy). */
export interface WebPublishOptions {
  readonly config: WebConfig;
}

/** Every file under `dir`, as posix paths relative to it. */
function filesOf(dir: string): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else found.push(relative(dir, path).split('\\').join('/'));
    }
  };
  walk(dir);
  return found;
}

const slug = (path: string) =>
  path
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/**
 * The web client on AWS: a private bucket that only this distribution can read (origin access
 * control, SigV4), CloudFront in front of it over HTTPS only, and the security headers of
 * @streamdrop/config on every answer. `publish` then uploads the build with the runtime config
 * written from the rest of the stack.
 *
 * The Content-Security-Policy comes twice. The header (a response headers policy) cannot name the
 * API exactly: the API's CORS must name this distribution, so the distribution cannot depend on
 * the API (Terraform would see a cycle). Its connect-src allows the region's execute-api hosts;
 * the page's own `<meta>` policy, written at deploy from the API's URL, allows exactly the one
 * API. A browser enforces both, so the page can reach exactly the API, the hosted UI and the data
 * bucket.
 */
export class Web extends Construct {
  readonly bucket: SecureBucket;
  readonly originAccessControl: CloudfrontOriginAccessControl;
  readonly headers: CloudfrontResponseHeadersPolicy;
  readonly distribution: CloudfrontDistribution;
  private readonly options: WebOptions;

  constructor(scope: Construct, id: string, options: WebOptions) {
    super(scope, id);
    this.options = options;
    if (!existsSync(join(options.dir, WEB_INDEX_FILE))) throw new MissingWebBuildError(options.dir);
    const name = `${stackName(options.stage)}-web`;

    this.bucket = new SecureBucket(this, 'bucket', {
      namePrefix: `${name}-`,
      // It holds only what this stack uploads (the build); old versions are kept a week.
      forceDestroy: true,
      noncurrentVersionDays: 7,
      // Only this distribution reads it, and only objects: no listing, no writes.
      policyStatements: (bucketArn) => [
        {
          sid: 'CloudFrontReadsTheSite',
          effect: 'Allow',
          principals: [{ type: 'Service', identifiers: ['cloudfront.amazonaws.com'] }],
          actions: ['s3:GetObject'],
          resources: [`${bucketArn}/*`],
          condition: [
            {
              test: 'StringEquals',
              variable: 'AWS:SourceArn',
              values: [Lazy.stringValue({ produce: () => this.distribution.arn })],
            },
          ],
        },
      ],
    });

    this.originAccessControl = new CloudfrontOriginAccessControl(this, 'oac', {
      name,
      description: `${name}: CloudFront signs its requests to the web bucket`,
      originAccessControlOriginType: 's3',
      signingBehavior: 'always',
      signingProtocol: 'sigv4',
    });

    const origins = {
      api: `https://*.execute-api.${options.region}.amazonaws.com`,
      auth: options.authOrigin,
      s3: options.dataOrigin,
    };
    this.headers = new CloudfrontResponseHeadersPolicy(this, 'headers', {
      name,
      comment: 'streamdrop web client: CSP, HSTS, no framing, no sniffing, no referrer',
      securityHeadersConfig: {
        contentSecurityPolicy: {
          contentSecurityPolicy: webContentSecurityPolicy(origins, { https: true, delivery: 'header' }),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAgeSec: WEB_SECURITY_HEADERS.hstsMaxAgeSeconds,
          includeSubdomains: true,
          preload: false,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: WEB_SECURITY_HEADERS.frameOptions, override: true },
        referrerPolicy: { referrerPolicy: WEB_SECURITY_HEADERS.referrerPolicy, override: true },
      },
    });

    this.distribution = new CloudfrontDistribution(this, 'cdn', {
      enabled: true,
      comment: `${name}: the streamdrop web client`,
      defaultRootObject: WEB_INDEX_FILE,
      httpVersion: 'http2and3',
      isIpv6Enabled: true,
      priceClass: 'PriceClass_100',
      origin: [
        {
          originId: 'web-bucket',
          domainName: this.bucket.bucket.bucketRegionalDomainName,
          originAccessControlId: this.originAccessControl.id,
        },
      ],
      defaultCacheBehavior: {
        targetOriginId: 'web-bucket',
        viewerProtocolPolicy: 'redirect-to-https',
        allowedMethods: ['GET', 'HEAD'],
        cachedMethods: ['GET', 'HEAD'],
        cachePolicyId: CACHING_OPTIMIZED_POLICY_ID,
        responseHeadersPolicyId: this.headers.id,
        compress: true,
      },
      restrictions: { geoRestriction: { restrictionType: 'none' } },
      // The *.cloudfront.net certificate; a custom domain brings its own (see docs/web.md).
      viewerCertificate: { cloudfrontDefaultCertificate: true },
    });
  }

  /** `https://<id>.cloudfront.net`: a browser origin, for CORS. */
  get origin(): string {
    return `https://${this.distribution.domainName}`;
  }

  /** `https://<id>.cloudfront.net/`: the page, and the hosted UI's callback and sign-out URL. */
  get url(): string {
    return `${this.origin}/`;
  }

  /**
   * Uploads the build: the hashed assets as built, index.html with its `<meta>` policy naming
   * the API exactly, and config.json written from the stack's own values at deploy (no rebuild).
   */
  publish({ config }: WebPublishOptions): void {
    const { dir } = this.options;
    const bucket = this.bucket.bucket.id;
    // What the plan role may read back (deploy/iam/plan-role-policy.json): these objects and no others.
    const tags = { [WEB_OBJECT_TAG.key]: WEB_OBJECT_TAG.value };
    // Written once versioning is on: every object then has a version id of its own (never "null"),
    // which destroy removes version by version.
    const dependsOn = [this.bucket.versioning];
    const site = new TerraformAsset(this, 'site', { path: dir, type: AssetType.DIRECTORY });
    for (const file of filesOf(dir)) {
      if (file === WEB_INDEX_FILE || file === WEB_CONFIG_FILE) continue;
      new S3Object(this, `file-${slug(file)}`, {
        bucket,
        key: file,
        source: `${site.path}/${file}`,
        etag: createHash('md5')
          .update(readFileSync(join(dir, file)))
          .digest('hex'),
        contentType: webContentType(file),
        cacheControl: webCacheControl(file),
        tags,
        dependsOn,
      });
    }
    const meta = webContentSecurityPolicy(
      { api: config.apiUrl, auth: this.options.authOrigin, s3: this.options.dataOrigin },
      { https: true, delivery: 'meta' },
    );
    new S3Object(this, 'index', {
      bucket,
      key: WEB_INDEX_FILE,
      content: renderIndexHtml(readFileSync(join(dir, WEB_INDEX_FILE), 'utf8'), meta),
      contentType: webContentType(WEB_INDEX_FILE),
      cacheControl: webCacheControl(WEB_INDEX_FILE),
      tags,
      dependsOn,
    });
    new S3Object(this, 'config', {
      bucket,
      key: WEB_CONFIG_FILE,
      content: `${JSON.stringify(config, null, 2)}\n`,
      contentType: webContentType(WEB_CONFIG_FILE),
      cacheControl: webCacheControl(WEB_CONFIG_FILE),
      tags,
      dependsOn,
    });
  }
}
