import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { DEFAULT_PORTS, freePort, freePorts, portFlags } from '../../src/emulators';

const bind = (port: number) =>
  new Promise<() => Promise<void>>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(() => new Promise((done) => server.close(() => done()))));
  });

describe('freePort', () => {
  it('hands out distinct ports that can be bound, below the range outgoing connections draw from', async () => {
    const low =
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)[0] ??
      32_768;
    const ports: number[] = [];
    for (let i = 0; i < 20; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(20);
    for (const port of ports) expect(port).toBeLessThan(low);
    const closers = await Promise.all(ports.map(bind));
    await Promise.all(closers.map((close) => close()));
  });

  it('gives every service of the stack a port of its own, and names each with its npm start option', async () => {
    const ports = await freePorts();
    expect(Object.keys(ports).sort()).toEqual(Object.keys(DEFAULT_PORTS).sort());
    expect(new Set(Object.values(ports)).size).toBe(Object.keys(DEFAULT_PORTS).length);
    expect(portFlags(ports)).toEqual([
      '--web-port',
      String(ports.web),
      '--port',
      String(ports.api),
      '--cognito-port',
      String(ports.cognito),
      '--s3-port',
      String(ports.s3),
      '--kinesis-port',
      String(ports.kinesis),
      '--dynamodb-port',
      String(ports.dynamodb),
    ]);
    expect(portFlags({ s3: 4568 })).toEqual(['--s3-port', '4568']);
  });
});
