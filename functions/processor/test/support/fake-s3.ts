import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  type AbortMultipartUploadCommandInput,
  CompleteMultipartUploadCommand,
  type CompleteMultipartUploadCommandInput,
  CreateMultipartUploadCommand,
  type CreateMultipartUploadCommandInput,
  DeleteObjectCommand,
  type DeleteObjectCommandInput,
  GetObjectCommand,
  type GetObjectCommandInput,
  HeadObjectCommand,
  type HeadObjectCommandInput,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  type PutObjectCommandInput,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  type UploadPartCommandInput,
} from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/core/serde';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/** A client for the code under test; aws-sdk-client-mock answers its `send`, so no network is touched. */
export function testS3Client(): S3Client {
  return new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}

/** A GetObject Body as the SDK returns it in Node.js, delivering `chunks` one by one. */
export function sdkBody(chunks: Iterable<Uint8Array | string>) {
  return sdkStreamMixin(Readable.from([...chunks].map((chunk) => Buffer.from(chunk))));
}

/** Splits bytes into chunks of `size`, like a socket would deliver them. */
export function chunksOf(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; start += size) chunks.push(bytes.subarray(start, start + size));
  return chunks;
}

/** An S3 error shaped as the SDK throws it. */
export function s3Error(name: string, httpStatusCode: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
    message: `${name} (test)`,
  });
}

// What Node.js's http module refuses in a header value (checkInvalidHeaderChar): the SDK's request
// would fail with this TypeError before reaching S3.
const INVALID_HEADER_CHAR = /[^\t\x20-\x7e\x80-\xff]/;

/** Throws as Node.js does when a request would carry a header value it cannot send. */
export function assertSendableHeaders(input: {
  ContentType?: string;
  Metadata?: Record<string, string>;
}): void {
  const values = { 'content-type': input.ContentType, ...input.Metadata };
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && INVALID_HEADER_CHAR.test(value)) {
      throw Object.assign(new TypeError(`Invalid character in header content ["${name}"]`), {
        code: 'ERR_INVALID_CHAR',
      });
    }
  }
}

export interface StoredObject {
  body: Buffer;
  contentType: string | undefined;
  metadata: Record<string, string>;
  /** How many times the key was written: S3 versioning would keep this many versions. */
  versions: number;
  /** Changes with every write, as S3's does. */
  etag: string;
}

/** S3's answer to a conditional write whose condition is false. */
export function preconditionFailed(): S3ServiceException {
  return new S3ServiceException({
    name: 'PreconditionFailed',
    $fault: 'client',
    $metadata: { httpStatusCode: 412 },
    message: 'At least one of the pre-conditions you specified did not hold',
  });
}

async function toBuffer(body: unknown): Promise<Buffer> {
  if (typeof body === 'string' || body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * A stateful in-memory S3 behind an aws-sdk-client-mock stub: objects written are read back,
 * HeadObject/GetObject on a missing key fail as S3 does, multipart uploads are assembled,
 * conditional writes (If-None-Match: *, If-Match) answer 412 as S3 does, and a header value
 * Node.js could not send fails with its TypeError.
 */
export class FakeS3 {
  readonly objects = new Map<string, StoredObject>();
  private readonly uploads = new Map<
    string,
    { key: string; input: CreateMultipartUploadCommandInput; parts: Map<number, Buffer> }
  >();
  private nextUploadId = 1;
  private nextEtag = 1;

  private readonly chunkSize: number;

  constructor(stub: AwsClientStub<S3Client>, chunkSize = 64 * 1024) {
    this.chunkSize = chunkSize;
    stub.on(HeadObjectCommand).callsFake((input: HeadObjectCommandInput) => this.headObject(input));
    stub.on(GetObjectCommand).callsFake(async (input: GetObjectCommandInput) => {
      const object = this.get(input.Bucket, input.Key);
      if (!object) {
        throw new NoSuchKey({
          message: 'The specified key does not exist.',
          $metadata: { httpStatusCode: 404 },
        });
      }
      return {
        Body: sdkBody(chunksOf(object.body, this.chunkSize)),
        ContentType: object.contentType,
        ContentLength: object.body.length,
        Metadata: object.metadata,
      };
    });
    stub.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => this.putObject(input));
    stub.on(CreateMultipartUploadCommand).callsFake(async (input: CreateMultipartUploadCommandInput) => {
      assertSendableHeaders(input);
      const uploadId = `upload-${this.nextUploadId++}`;
      this.uploads.set(uploadId, { key: `${input.Bucket}/${input.Key}`, input, parts: new Map() });
      return { UploadId: uploadId, Bucket: input.Bucket, Key: input.Key };
    });
    stub.on(UploadPartCommand).callsFake(async (input: UploadPartCommandInput) => {
      const upload = this.uploads.get(input.UploadId ?? '');
      if (!upload) throw s3Error('NoSuchUpload', 404);
      upload.parts.set(input.PartNumber ?? 0, await toBuffer(input.Body));
      return { ETag: `"part-${input.PartNumber}"` };
    });
    stub.on(CompleteMultipartUploadCommand).callsFake(async (input: CompleteMultipartUploadCommandInput) => {
      const upload = this.uploads.get(input.UploadId ?? '');
      if (!upload) throw s3Error('NoSuchUpload', 404);
      const numbers = (input.MultipartUpload?.Parts ?? []).map((part) => part.PartNumber ?? 0);
      const body = Buffer.concat(numbers.map((n) => upload.parts.get(n) ?? Buffer.alloc(0)));
      // As S3 does, a failed condition leaves the upload open: the caller aborts it.
      this.checkCondition(input);
      const stored = this.store(upload.input.Bucket, upload.input.Key, body, upload.input);
      this.uploads.delete(input.UploadId ?? '');
      return { ETag: stored.etag, Bucket: input.Bucket, Key: input.Key };
    });
    stub.on(AbortMultipartUploadCommand).callsFake(async (input: AbortMultipartUploadCommandInput) => {
      this.uploads.delete(input.UploadId ?? '');
      return {};
    });
    // As S3 does, deleting a key that is not there succeeds.
    stub.on(DeleteObjectCommand).callsFake(async (input: DeleteObjectCommandInput) => {
      this.objects.delete(`${input.Bucket}/${input.Key}`);
      return {};
    });
  }

  /** HeadObject as S3 answers it; for tests that stand in front of the fake for one call. */
  async headObject(input: HeadObjectCommandInput) {
    const object = this.get(input.Bucket, input.Key);
    if (!object) throw new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
    return {
      ContentType: object.contentType,
      ContentLength: object.body.length,
      Metadata: object.metadata,
      ETag: object.etag,
    };
  }

  /** PutObject as S3 answers it, conditions included; for tests that stand in front of the fake. */
  async putObject(input: PutObjectCommandInput) {
    assertSendableHeaders(input);
    const body = await toBuffer(input.Body);
    this.checkCondition(input);
    return { ETag: this.store(input.Bucket, input.Key, body, input).etag };
  }

  /** Multipart uploads begun and neither completed nor aborted. */
  get openUploads(): number {
    return this.uploads.size;
  }

  get(bucket: string | undefined, key: string | undefined): StoredObject | undefined {
    return this.objects.get(`${bucket}/${key}`);
  }

  put(bucket: string, key: string, body: Uint8Array | string, contentType?: string): void {
    this.store(bucket, key, Buffer.from(body), { ContentType: contentType });
  }

  /** S3's conditional writes: `If-None-Match: *` only when absent, `If-Match` only over that ETag. */
  private checkCondition(input: {
    Bucket?: string;
    Key?: string;
    IfNoneMatch?: string;
    IfMatch?: string;
  }): void {
    const existing = this.get(input.Bucket, input.Key);
    if (input.IfNoneMatch === '*' && existing) throw preconditionFailed();
    if (input.IfMatch !== undefined && input.IfMatch !== existing?.etag) throw preconditionFailed();
  }

  private store(
    bucket: string | undefined,
    key: string | undefined,
    body: Buffer,
    input: { ContentType?: string; Metadata?: Record<string, string> },
  ): StoredObject {
    const id = `${bucket}/${key}`;
    const versions = (this.objects.get(id)?.versions ?? 0) + 1;
    const stored = {
      body,
      contentType: input.ContentType,
      metadata: { ...input.Metadata },
      versions,
      etag: `"${this.nextEtag++}-${versions}"`,
    };
    this.objects.set(id, stored);
    return stored;
  }
}
