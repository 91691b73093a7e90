import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort } from '../../src/emulators';

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
});
