import { type FaultControl, type FaultSettings, faultInjection } from '@streamdrop/chaos';
import { startTestStack, type TestStack } from '@streamdrop/local/testing';

/** A test stack with fault injection (and the S3 version log when asked), and its control. */
export async function startFaultyTestStack(options: {
  stackFile: string;
  faults?: FaultSettings;
  s3VersionLog?: boolean;
}): Promise<TestStack & { faults: FaultControl }> {
  const injection = faultInjection({ settings: options.faults, versionLog: options.s3VersionLog });
  const t = await startTestStack({ stackFile: options.stackFile, extensions: [injection] });
  return { ...t, faults: injection.control };
}
