describe('S3 client', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  async function loadClient(env: Record<string, string>) {
    Object.assign(
      process.env,
      { DATA_BUCKET: 'data', FAILURES_BUCKET: 'failures', AWS_REGION: 'us-east-1' },
      env,
    );
    let client: typeof import('../src/clients')['s3'] | undefined;
    await jest.isolateModulesAsync(async () => {
      client = (await import('../src/clients')).s3;
    });
    if (!client) throw new Error('clients module did not load');
    return client;
  }

  it('switches to path-style and checksums-when-required for the local s3rver seam', async () => {
    const s3 = await loadClient({ S3_FORCE_PATH_STYLE: 'true' });
    expect(s3.config.forcePathStyle).toBe(true);
    expect(await s3.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    expect(await s3.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
  });

  it("keeps virtual-hosted style and the SDK's checksums against real S3", async () => {
    const s3 = await loadClient({});
    expect(s3.config.forcePathStyle).toBe(false);
    expect(await s3.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
  });

  it('refuses to start with a malformed PROCESSOR_CONCURRENCY', async () => {
    await expect(loadClient({ PROCESSOR_CONCURRENCY: 'lots' })).rejects.toThrow(/PROCESSOR_CONCURRENCY/);
  });
});
