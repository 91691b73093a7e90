import { WEB_CONFIG_FILE } from '@streamdrop/config';
import { type ReadWebConfig, WebConfigSchema } from '@streamdrop/events';

/** config.json missing, unreadable or malformed: the page cannot know where anything is. */
export class WebConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebConfigError';
  }
}

/**
 * Reads the runtime configuration served next to the page: the same build runs against any
 * stack, locally or on AWS, because the endpoints come from this file and never from the bundle.
 */
export async function loadWebConfig(
  base: string = document.baseURI,
  fetcher: typeof fetch = fetch,
): Promise<ReadWebConfig> {
  const url = new URL(WEB_CONFIG_FILE, base);
  let body: unknown;
  try {
    const response = await fetcher(url, { cache: 'no-cache' });
    if (!response.ok) throw new WebConfigError(`${url.pathname} answered ${response.status}`);
    body = await response.json();
  } catch (error) {
    if (error instanceof WebConfigError) throw error;
    throw new WebConfigError(`${url.pathname} could not be read`);
  }
  const parsed = WebConfigSchema.safeParse(body);
  if (!parsed.success) throw new WebConfigError(`${url.pathname} is not a streamdrop web configuration`);
  return parsed.data as ReadWebConfig;
}
