import { GetObjectCommand, PutObjectCommand, type S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SESSION_UPLOAD_TAG, uploadStateTagging } from '@streamdrop/config';
import type { SessionPart } from '@streamdrop/events';

// Headers that S3 honours only as headers, never hoisted into a presigned URL's query: they are
// signed, and the client must send them exactly as given in the part's `headers`.
const SENT_AS_HEADERS = new Set(['x-amz-tagging', 'x-amz-checksum-sha256']);

/**
 * The presigned PUT of a single-part session. It binds everything S3 can check for us:
 * `content-length` (signed: other bytes, fewer or more, are refused), `if-none-match: *` (nothing
 * is ever replaced: the URL used again after its bytes arrived gets 412), the `uploading` tag (what
 * is never completed expires), and, when the client declared one, `x-amz-checksum-sha256` (S3
 * refuses bytes of another digest with BadDigest).
 */
export async function presignSinglePut(
  s3: S3Client,
  args: {
    bucket: string;
    key: string;
    size: number;
    contentType: string;
    sha256?: string;
    expiresIn: number;
  },
): Promise<SessionPart> {
  const tagging = uploadStateTagging(SESSION_UPLOAD_TAG.value);
  const checksum = args.sha256 === undefined ? undefined : Buffer.from(args.sha256, 'hex').toString('base64');
  const url = await getSignedUrl(
    s3,
    new PutObjectCommand({
      Bucket: args.bucket,
      Key: args.key,
      ContentLength: args.size,
      ContentType: args.contentType,
      IfNoneMatch: '*',
      Tagging: tagging,
      ...(checksum !== undefined && { ChecksumSHA256: checksum }),
    }),
    { expiresIn: args.expiresIn, unhoistableHeaders: SENT_AS_HEADERS },
  );
  return {
    partNumber: 1,
    url,
    method: 'PUT',
    headers: {
      'content-type': args.contentType,
      'if-none-match': '*',
      'x-amz-tagging': tagging,
      ...(checksum !== undefined && { 'x-amz-checksum-sha256': checksum }),
    },
    offset: 0,
    size: args.size,
  };
}

/** The presigned UploadPart of one part of a multipart session: its `content-length` is signed. */
export async function presignPart(
  s3: S3Client,
  args: {
    bucket: string;
    key: string;
    multipartUploadId: string;
    partNumber: number;
    offset: number;
    size: number;
    expiresIn: number;
  },
): Promise<SessionPart> {
  const url = await getSignedUrl(
    s3,
    new UploadPartCommand({
      Bucket: args.bucket,
      Key: args.key,
      UploadId: args.multipartUploadId,
      PartNumber: args.partNumber,
      ContentLength: args.size,
    }),
    { expiresIn: args.expiresIn },
  );
  return {
    partNumber: args.partNumber,
    url,
    method: 'PUT',
    headers: {},
    offset: args.offset,
    size: args.size,
  };
}

/** A presigned GET of a processed object, downloaded under its own file name. */
export async function presignDownload(
  s3: S3Client,
  args: { bucket: string; key: string; filename: string; expiresIn: number },
): Promise<string> {
  return getSignedUrl(
    s3,
    new GetObjectCommand({
      Bucket: args.bucket,
      Key: args.key,
      ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(args.filename)}`,
    }),
    { expiresIn: args.expiresIn },
  );
}
