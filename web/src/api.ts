import {
  type CompleteUploadResponse,
  CompleteUploadResponseSchema,
  type CreateSessionRequest,
  type CreateSessionResponse,
  CreateSessionResponseSchema,
  type DescribeStreamResponse,
  DescribeStreamResponseSchema,
  ErrorResponseSchema,
  type ListStreamsResponse,
  ListStreamsResponseSchema,
  type ListUploadsResponse,
  ListUploadsResponseSchema,
  type PutRecordResponse,
  PutRecordResponseSchema,
  type UploadStatus,
  UploadStatusSchema,
} from '@streamdrop/events';

/** A refused or failed API call, with the message to show (the API's own for a 4xx). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Reads a JSON body against its schema; an answer of another shape is an error, never a cast. */
interface Reader<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

/** How the API client gets a token, and what it does when the API refuses it. */
export interface ApiAuth {
  /** A valid access token; undefined when signed out. */
  accessToken(): Promise<string | undefined>;
  /** Refreshes the tokens after a 401; false when the session is over. */
  refresh(): Promise<boolean>;
}

/** The HTTP API as the page uses it: uploads (sessions, status, list, delete) and the streams proxy. */
export class Api {
  constructor(
    private readonly baseUrl: string,
    private readonly auth: ApiAuth,
    private readonly fetcher: typeof fetch = (...args) => fetch(...args),
  ) {}

  createSession(request: CreateSessionRequest): Promise<CreateSessionResponse> {
    return this.call('POST', '/uploads', request, CreateSessionResponseSchema);
  }

  complete(uploadId: string): Promise<CompleteUploadResponse> {
    return this.call(
      'POST',
      `/uploads/${encodeURIComponent(uploadId)}/complete`,
      undefined,
      CompleteUploadResponseSchema,
    );
  }

  upload(uploadId: string): Promise<UploadStatus> {
    return this.call('GET', `/uploads/${encodeURIComponent(uploadId)}`, undefined, UploadStatusSchema);
  }

  uploads(cursor?: string): Promise<ListUploadsResponse> {
    const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
    return this.call('GET', `/uploads${query}`, undefined, ListUploadsResponseSchema);
  }

  async deleteUpload(uploadId: string): Promise<void> {
    await this.call('DELETE', `/uploads/${encodeURIComponent(uploadId)}`, undefined, undefined);
  }

  streams(): Promise<ListStreamsResponse> {
    return this.call('GET', '/streams', undefined, ListStreamsResponseSchema);
  }

  stream(name: string): Promise<DescribeStreamResponse> {
    return this.call('GET', `/streams/${encodeURIComponent(name)}`, undefined, DescribeStreamResponseSchema);
  }

  putRecord(name: string, data: string, partitionKey: string): Promise<PutRecordResponse> {
    return this.call(
      'PUT',
      `/streams/${encodeURIComponent(name)}/record`,
      { Data: data, PartitionKey: partitionKey },
      PutRecordResponseSchema,
    );
  }

  private async call<T>(
    method: string,
    path: string,
    body: unknown,
    reader: Reader<T> | undefined,
  ): Promise<T> {
    let response = await this.send(method, path, body);
    // The token may have expired between the check and the call: refresh once, then give up.
    if (response.status === 401 && (await this.auth.refresh()))
      response = await this.send(method, path, body);
    if (!response.ok) throw await apiError(response);
    if (!reader) return undefined as T;
    const parsed = reader.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success)
      throw new ApiError(response.status, `The API answered ${method} ${path} unexpectedly.`);
    return parsed.data;
  }

  private async send(method: string, path: string, body: unknown): Promise<Response> {
    const token = await this.auth.accessToken();
    if (!token) throw new ApiError(401, 'You are signed out. Sign in again.');
    try {
      return await this.fetcher(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError(0, 'The API could not be reached. Check your connection and try again.');
    }
  }
}

async function apiError(response: Response): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => undefined);
  const error = ErrorResponseSchema.safeParse(body);
  if (error.success && response.status < 500) {
    return new ApiError(response.status, error.data.message, error.data.requestId);
  }
  if (response.status === 401) return new ApiError(401, 'Your session has ended. Sign in again.');
  if (response.status === 403) return new ApiError(403, 'You are not allowed to do that.');
  if (response.status === 404) return new ApiError(404, 'Not found: it may have been deleted.');
  const requestId = error.success ? error.data.requestId : undefined;
  return new ApiError(
    response.status,
    `The service failed (${response.status}). Try again in a moment.${requestId ? ` (request ${requestId})` : ''}`,
    requestId,
  );
}
