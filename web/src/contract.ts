/**
 * The uploads API as issue 12 documents it (docs/api.md once it lands): the session a POST
 * /uploads with `size` opens, the status of an upload, the list. Replaced by the shared schemas
 * of @streamdrop/events when they arrive.
 */
export type UploadStatusName = 'awaiting-upload' | 'queued' | 'processed' | 'failed';

export interface CreateSessionRequest {
  readonly filename: string;
  readonly size: number;
  readonly contentType?: string;
}

export interface SessionPart {
  readonly partNumber: number;
  readonly url: string;
  readonly method: 'PUT';
  readonly headers: Record<string, string>;
  readonly offset: number;
  readonly size: number;
}

export interface CreateSessionResponse {
  readonly uploadId: string;
  readonly status: 'awaiting-upload';
  readonly expiresAt: string;
  readonly parts: readonly SessionPart[];
}

export interface CompleteUploadResponse {
  readonly uploadId: string;
  readonly status: UploadStatusName;
}

export interface UploadStatus {
  readonly uploadId: string;
  readonly filename: string;
  readonly size: number;
  readonly contentType: string;
  readonly status: UploadStatusName;
  readonly createdAt: string;
  readonly processed?: {
    readonly key: string;
    readonly size: number;
    readonly url: string;
    readonly expiresAt: string;
  };
  readonly failure?: { readonly reason: string };
}

export interface ListUploadsResponse {
  readonly uploads: readonly UploadStatus[];
  readonly nextCursor?: string;
}
