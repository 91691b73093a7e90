import { ConfigError } from '@streamdrop/config';
import { loadConfig } from '../src/config';

const repoRoot = '/repo';
const load = (env: Record<string, string> = {}) => loadConfig(env, { repoRoot });

/** Every problem reported, as `<VARIABLE> <what is wrong>`. */
function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.variable} ${p.problem}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig defaults', () => {
  const config = load();

  it('uses stage dev and names the stack streamdrop-dev', () => {
    expect(config.stage).toBe('dev');
    expect(config.stackName).toBe('streamdrop-dev');
  });

  it('uses us-east-1 when no region is set', () => {
    expect(config.region).toBe('us-east-1');
  });

  it('allows localhost:3000 for OAuth redirects and CORS', () => {
    expect(config.auth.callbackUrls).toEqual(['http://localhost:3000/']);
    expect(config.auth.logoutUrls).toEqual(['http://localhost:3000/']);
    expect(config.api.corsOrigins).toEqual(['http://localhost:3000']);
  });

  it('derives the hosted UI domain prefix from the stage', () => {
    expect(config.auth.domainPrefix).toBe('streamdrop-dev-auth');
  });

  it('reads 10 records at a time from LATEST, no batching window, 5 retries, 1 h record age', () => {
    expect(config.eventSource).toEqual({
      batchSize: 10,
      startingPosition: 'LATEST',
      maxBatchingWindowSeconds: 0,
      maxRetryAttempts: 5,
      maxRecordAgeSeconds: 3600,
      parallelizationFactor: 1,
    });
  });

  it('keeps logs 14 days, names the admin group admins, protects the pool and keeps bucket contents', () => {
    expect(config.logRetentionDays).toBe(14);
    expect(config.auth.adminGroupName).toBe('admins');
    expect(config.auth.deletionProtection).toBe(true);
    expect(config.forceDestroy).toBe(false);
  });

  it('caps uploads at 4 MiB and processes up to 100 records at once', () => {
    expect(config.maxUploadBytes).toBe(4 * 1024 * 1024);
    expect(config.processorConcurrency).toBe(100);
  });

  it('keeps paths under the repository and state local', () => {
    expect(config.bundlesDir).toBe('/repo/dist/functions');
    expect(config.outdir).toBe('/repo/cdktf.out');
    expect(config.state).toEqual({ bucketRegion: 'us-east-1', dir: '/repo/.state' });
  });
});

describe('loadConfig overrides', () => {
  it('takes the region from AWS_REGION before AWS_DEFAULT_REGION', () => {
    expect(load({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-west-2' }).region).toBe('eu-west-1');
    expect(load({ AWS_DEFAULT_REGION: 'us-west-2' }).region).toBe('us-west-2');
  });

  it('splits comma-separated URL lists and trims them', () => {
    const config = load({
      STREAMDROP_CALLBACK_URLS: 'https://app.example.com/callback , http://localhost:5173/',
      STREAMDROP_CORS_ORIGINS: 'https://app.example.com,http://localhost:5173',
    });
    expect(config.auth.callbackUrls).toEqual(['https://app.example.com/callback', 'http://localhost:5173/']);
    expect(config.api.corsOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
  });

  it('builds the domain prefix from a suffix, or takes the whole prefix', () => {
    expect(load({ STREAMDROP_STAGE: 'prod', STREAMDROP_AUTH_DOMAIN_SUFFIX: 'acme' }).auth.domainPrefix).toBe(
      'streamdrop-prod-acme',
    );
    expect(load({ STREAMDROP_AUTH_DOMAIN_PREFIX: 'login-acme' }).auth.domainPrefix).toBe('login-acme');
  });

  it('reads numbers, booleans and the starting position', () => {
    const config = load({
      STREAMDROP_BATCH_SIZE: '100',
      STREAMDROP_STARTING_POSITION: 'TRIM_HORIZON',
      STREAMDROP_MAX_RETRY_ATTEMPTS: '-1',
      STREAMDROP_FORCE_DESTROY: 'true',
      STREAMDROP_DELETION_PROTECTION: 'false',
      STREAMDROP_LOG_RETENTION_DAYS: '30',
    });
    expect(config.eventSource.batchSize).toBe(100);
    expect(config.eventSource.startingPosition).toBe('TRIM_HORIZON');
    expect(config.eventSource.maxRetryAttempts).toBe(-1);
    expect(config.forceDestroy).toBe(true);
    expect(config.auth.deletionProtection).toBe(false);
    expect(config.logRetentionDays).toBe(30);
  });

  it('configures an S3 state bucket, in the stack region unless told otherwise', () => {
    expect(load({ STREAMDROP_STATE_BUCKET: 'acme-tf-state', AWS_REGION: 'eu-west-1' }).state).toMatchObject({
      bucket: 'acme-tf-state',
      bucketRegion: 'eu-west-1',
    });
    expect(
      load({ STREAMDROP_STATE_BUCKET: 'acme-tf-state', STREAMDROP_STATE_REGION: 'us-east-2' }).state,
    ).toMatchObject({ bucketRegion: 'us-east-2' });
  });

  it('resolves relative bundle and output folders against the repository', () => {
    const config = load({ STREAMDROP_BUNDLES_DIR: 'build/fns', CDKTF_OUTDIR: '/tmp/out' });
    expect(config.bundlesDir).toBe('/repo/build/fns');
    expect(config.outdir).toBe('/tmp/out');
  });

  it('treats empty variables as unset', () => {
    expect(load({ STREAMDROP_STAGE: '', STREAMDROP_BATCH_SIZE: ' ' }).stage).toBe('dev');
  });

  it('takes a region from AWS_DEFAULT_REGION only when AWS_REGION is unset or blank', () => {
    expect(load({ AWS_REGION: ' ', AWS_DEFAULT_REGION: 'ap-south-1' }).region).toBe('ap-south-1');
    expect(load({ AWS_DEFAULT_REGION: '' }).region).toBe('us-east-1');
  });

  it('reads the idempotency TTL and the transform, defaulting to a day and upper-casing', () => {
    expect(load()).toMatchObject({ idempotencyTtlSeconds: 86_400, transform: 'uppercase-text-v1' });
    expect(
      load({ STREAMDROP_IDEMPOTENCY_TTL_SECONDS: '604800', STREAMDROP_TRANSFORM: 'redact-emails-v1' }),
    ).toMatchObject({ idempotencyTtlSeconds: 604_800, transform: 'redact-emails-v1' });
  });
});

describe('loadConfig validation', () => {
  it.each([
    ['uppercase', 'Dev'],
    ['an underscore', 'my_stage'],
    ['a leading hyphen', '-dev'],
    ['more than 16 characters', 'a-very-long-stage-name'],
  ])('rejects a stage with %s, naming STREAMDROP_STAGE', (_what, stage) => {
    expect(problemsOf({ STREAMDROP_STAGE: stage })).toEqual([
      `STREAMDROP_STAGE must be 1-16 lowercase letters, digits or hyphens, not starting or ending with a hyphen (it becomes part of bucket and function names) (got "${stage}")`,
    ]);
  });

  it('rejects a wildcard CORS origin', () => {
    expect(problemsOf({ STREAMDROP_CORS_ORIGINS: '*' })).toEqual([
      'STREAMDROP_CORS_ORIGINS "*" is a wildcard; list the exact origins that may call the API',
    ]);
  });

  it('rejects a CORS origin with a path and says which origin to use', () => {
    expect(problemsOf({ STREAMDROP_CORS_ORIGINS: 'https://app.example.com/' })[0]).toContain(
      'use "https://app.example.com"',
    );
  });

  it('rejects plain-http callback URLs other than localhost', () => {
    expect(problemsOf({ STREAMDROP_CALLBACK_URLS: 'http://app.example.com/cb' })).toEqual([
      'STREAMDROP_CALLBACK_URLS "http://app.example.com/cb" must use https (plain http is allowed only for localhost)',
    ]);
  });

  it('rejects a domain prefix with a word Cognito reserves', () => {
    expect(problemsOf({ STREAMDROP_AUTH_DOMAIN_PREFIX: 'my-aws-login' })).toEqual([
      'STREAMDROP_AUTH_DOMAIN_PREFIX must not contain the reserved words aws, amazon or cognito (got "my-aws-login")',
    ]);
  });

  it.each([
    ['suffix', { STREAMDROP_AUTH_DOMAIN_SUFFIX: 'cognito' }, 'streamdrop-dev-cognito'],
    ['stage', { STREAMDROP_STAGE: 'aws' }, 'streamdrop-aws-auth'],
  ])('says how to fix a bad domain prefix made from the %s', (_from, env, prefix) => {
    expect(problemsOf(env)).toEqual([
      `STREAMDROP_AUTH_DOMAIN_PREFIX is unset, and the prefix made from the stage and STREAMDROP_AUTH_DOMAIN_SUFFIX, "${prefix}", must not contain the reserved words aws, amazon or cognito: set either variable`,
    ]);
  });

  it.each([
    ['STREAMDROP_BATCH_SIZE', '0', 'an integer from 1 to 10000'],
    ['STREAMDROP_BATCH_SIZE', '10.5', 'an integer from 1 to 10000'],
    ['STREAMDROP_PARALLELIZATION_FACTOR', '11', 'an integer from 1 to 10'],
    ['STREAMDROP_BATCH_WINDOW_SECONDS', '301', 'an integer from 0 to 300'],
    ['STREAMDROP_MAX_RECORD_AGE_SECONDS', '30', '-1 (no limit) or an integer from 60 to 604800'],
    ['STREAMDROP_MAX_UPLOAD_BYTES', '10000000', 'an integer from 1 to 4718592'],
    ['STREAMDROP_MAX_UPLOAD_BYTES', '4718593', 'an integer from 1 to 4718592'],
    ['STREAMDROP_IDEMPOTENCY_TTL_SECONDS', '604801', 'an integer from 1 to 604800'],
    ['STREAMDROP_IDEMPOTENCY_TTL_SECONDS', '0', 'an integer from 1 to 604800'],
    ['STREAMDROP_PROCESSOR_CONCURRENCY', 'lots', 'an integer from 1 to 100'],
  ])('rejects %s=%s', (name, value, rule) => {
    expect(problemsOf({ [name]: value })).toEqual([`${name} must be ${rule} (got "${value}")`]);
  });

  it('rejects a transform the processor does not have, naming the ones it has', () => {
    expect(problemsOf({ STREAMDROP_TRANSFORM: 'gzip-v1' })).toEqual([
      'STREAMDROP_TRANSFORM must be uppercase-text-v1 or redact-emails-v1 (got "gzip-v1")',
    ]);
  });

  it('rejects a log retention CloudWatch does not offer', () => {
    const problems = problemsOf({ STREAMDROP_LOG_RETENTION_DAYS: '10' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^STREAMDROP_LOG_RETENTION_DAYS must be one of CloudWatch's retention periods: 1, 3, 5, 7, 14, .*, 3653 \(got "10"\)$/,
    );
  });

  it('rejects an unknown starting position and a non-boolean flag', () => {
    expect(
      problemsOf({ STREAMDROP_STARTING_POSITION: 'AT_TIMESTAMP', STREAMDROP_FORCE_DESTROY: 'yes' }),
    ).toEqual([
      'STREAMDROP_STARTING_POSITION must be LATEST or TRIM_HORIZON (got "AT_TIMESTAMP")',
      'STREAMDROP_FORCE_DESTROY must be true or false (got "yes")',
    ]);
  });

  it('reports every problem at once in one readable message', () => {
    try {
      load({
        AWS_REGION: 'mars-1',
        STREAMDROP_BATCH_SIZE: 'x',
        STREAMDROP_STATE_BUCKET: 'Bad_Bucket',
        STREAMDROP_STATE_REGION: 'moon',
      });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toBe(
        [
          'Invalid streamdrop configuration:',
          '  - AWS_REGION must be an AWS region such as us-east-1 (got "mars-1")',
          '  - STREAMDROP_STATE_BUCKET must be a valid S3 bucket name (got "Bad_Bucket")',
          '  - STREAMDROP_STATE_REGION must be an AWS region such as us-east-1 (got "moon")',
          '  - STREAMDROP_BATCH_SIZE must be an integer from 1 to 10000 (got "x")',
        ].join('\n'),
      );
    }
  });

  it('reports a bad region once, under the variable that holds it', () => {
    expect(problemsOf({ AWS_REGION: 'mars-1' })).toEqual([
      'AWS_REGION must be an AWS region such as us-east-1 (got "mars-1")',
    ]);
    expect(problemsOf({ AWS_DEFAULT_REGION: 'mars-1' })).toEqual([
      'AWS_DEFAULT_REGION must be an AWS region such as us-east-1 (got "mars-1")',
    ]);
  });
});
