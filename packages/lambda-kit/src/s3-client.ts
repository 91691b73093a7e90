import { S3Client } from '@aws-sdk/client-s3';
import { type KeepAliveOptions, keepAliveHandler } from './keep-alive-handler';

export interface S3ClientOptions {
  /** S3_FORCE_PATH_STYLE: the local s3rver seam, which understands nothing but path-style. */
  readonly forcePathStyle: boolean;
  /** Keep-alive sockets and timeouts; the SDK's default handler when left out. */
  readonly keepAlive?: KeepAliveOptions;
  /**
   * A client that only presigns: checksums only where S3 requires one. With the SDK's default,
   * a presigned PutObject or UploadPart carries the CRC32 of an empty body in its query, and S3
   * refuses every byte sent to it (BadDigest).
   */
  readonly presigning?: boolean;
}

/**
 * An S3 client. Endpoints (AWS_ENDPOINT_URL_S3) come from the SDK's own environment variables,
 * so the local emulator needs no code path but path-style addressing.
 */
export function s3Client({ forcePathStyle, keepAlive, presigning = false }: S3ClientOptions): S3Client {
  return new S3Client({
    ...(keepAlive && { requestHandler: keepAliveHandler(keepAlive) }),
    forcePathStyle,
    // Resolve each command's middleware stack once per client, not on every send: about a tenth
    // of the SDK's CPU per call (pnpm bench). Nothing here adds middleware after the first send.
    cacheMiddleware: true,
    // s3rver stores streamed bodies with their aws-chunked framing unless checksums are off,
    // so the local seam turns them off; real S3 keeps the SDK's default integrity checks.
    ...((forcePathStyle || presigning) && {
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
  });
}
