import { UserError } from '@streamdrop/cli-kit';

/**
 * The AWS endpoint to call instead of AWS itself (an emulator): `--endpoint-url`, else what the
 * SDKs and the AWS provider read themselves, AWS_ENDPOINT_URL_<SERVICE> (for `service`) then
 * AWS_ENDPOINT_URL. Refused unless it is an http(s) URL; undefined means AWS.
 */
export function endpointOf(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  service?: 'S3',
): string | undefined {
  const serviceVar = `AWS_ENDPOINT_URL_${service ?? ''}`;
  const candidates: [string, string | undefined][] = [
    ['--endpoint-url', flag],
    ...(service ? ([[serviceVar, env[serviceVar]]] as [string, string | undefined][]) : []),
    ['AWS_ENDPOINT_URL', env.AWS_ENDPOINT_URL],
  ];
  const [source, raw] = candidates.find(([, v]) => v?.trim()) ?? ['', undefined];
  const value = raw?.trim();
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UserError(`${source} must be an http(s) URL such as http://127.0.0.1:5000 (got "${value}")`);
  }
  return value.replace(/\/+$/, '');
}

/** True for a plain-http endpoint, where requests travel without TLS (an emulator on loopback). */
export function isPlainHttp(endpoint: string | undefined): boolean {
  return endpoint !== undefined && new URL(endpoint).protocol === 'http:';
}
