/**
 * Injected into the bench's "with Powertools Tracer" bundles: what adopting the Tracer would add
 * at load time — the module, aws-xray-sdk-core under it, a Tracer, and the X-Ray patch of an SDK
 * client (as tracer.captureAWSv3Client does to each of the function's clients). Outside Lambda
 * with tracing on, segments go nowhere; the bench measures size and cold init only.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { S3Client } from '@aws-sdk/client-s3';

const tracer = new Tracer({ serviceName: 'bench', enabled: true });
tracer.captureAWSv3Client(new S3Client({ region: 'us-east-1' }));
