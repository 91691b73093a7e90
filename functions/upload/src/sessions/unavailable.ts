import { HttpError } from '@streamdrop/lambda-kit';
import { ServiceUnavailableError } from '../errors';

/** Runs a call to S3 or DynamoDB; a failure of theirs (after the SDK's retries) is a 503 naming `what` in the logs. */
export async function unavailableOn<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new ServiceUnavailableError(`${what} failed`, { cause: error });
  }
}
