import { Api, ApiError } from '../../src/api';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function api(responses: Response[], refresh = async () => false) {
  const seen: Array<{ url: string; init: RequestInit | undefined }> = [];
  let token = 'token-1';
  const client = new Api(
    'https://api.example',
    {
      accessToken: async () => token,
      refresh: async () => {
        const ok = await refresh();
        if (ok) token = 'token-2';
        return ok;
      },
    },
    async (url, init) => {
      seen.push({ url: String(url), init });
      const next = responses.shift();
      if (!next) throw new TypeError('Failed to fetch');
      return next;
    },
  );
  return { client, seen };
}

const status = {
  uploadId: 'u1',
  filename: 'a.txt',
  size: 3,
  contentType: 'text/plain',
  status: 'queued',
  createdAt: '2026-12-06T10:00:00.000Z',
};

describe('the API client', () => {
  it('sends the access token and reads an answer against its shared schema', async () => {
    const { client, seen } = api([json(200, status)]);
    expect(await client.upload('u/1')).toEqual(status);
    expect(seen[0]?.url).toBe('https://api.example/uploads/u%2F1');
    expect(new Headers(seen[0]?.init?.headers).get('authorization')).toBe('Bearer token-1');
  });

  it('refuses an answer of another shape instead of trusting it', async () => {
    const { client } = api([json(200, { ...status, status: 'done' })]);
    await expect(client.upload('u1')).rejects.toThrow('The API answered GET /uploads/u1 unexpectedly.');
  });

  it('refreshes the tokens once on a 401, and tries again with the new one', async () => {
    const { client, seen } = api(
      [json(401, { message: 'Unauthorized' }), json(200, status)],
      async () => true,
    );
    await client.upload('u1');
    expect(new Headers(seen[1]?.init?.headers).get('authorization')).toBe('Bearer token-2');
  });

  it("shows the API's own message for a 4xx, and a fixed one for a 5xx, with the request id", async () => {
    const four = api([json(409, { message: 'parts not uploaded yet: 2 (of 2)', requestId: 'r1' })]);
    await expect(four.client.complete('u1')).rejects.toMatchObject({
      status: 409,
      message: 'parts not uploaded yet: 2 (of 2)',
      requestId: 'r1',
    });
    const five = api([json(503, { message: 'internal detail', requestId: 'r2' })]);
    await expect(five.client.uploads()).rejects.toThrow(
      'The service failed (503). Try again in a moment. (request r2)',
    );
  });

  it('says when the API cannot be reached, and when the session is over', async () => {
    await expect(api([]).client.streams()).rejects.toThrow('The API could not be reached');
    const { client } = api([json(401, { message: 'Unauthorized' })]);
    await expect(client.deleteUpload('u1')).rejects.toEqual(
      new ApiError(401, 'Your session has ended. Sign in again.'),
    );
  });
});
