import { join } from 'node:path';
import { callerCwd, pathFlag, resolveCallerPath } from '../src';

const args = (flags: Record<string, string | boolean>) => ({ help: false as const, flags, positionals: [] });

describe('paths given on the command line', () => {
  it('resolve against the folder the person ran the command from, not the script’s', () => {
    const env = { INIT_CWD: '/home/me/project/docs' };
    expect(resolveCallerPath('state', env)).toBe('/home/me/project/docs/state');
    expect(pathFlag(args({ 'state-dir': '../s' }), 'state-dir', undefined, env)).toBe('/home/me/project/s');
  });

  it('prefer STREAMDROP_CALLER_CWD, which a wrapper that starts pnpm from elsewhere passes on', () => {
    expect(callerCwd({ INIT_CWD: '/repo', STREAMDROP_CALLER_CWD: '/repo/sub' })).toBe('/repo/sub');
  });

  it('fall back to the process’s own folder', () => {
    expect(callerCwd({})).toBe(process.cwd());
    expect(callerCwd({ INIT_CWD: 'relative' })).toBe(process.cwd());
    expect(resolveCallerPath('x', {})).toBe(join(process.cwd(), 'x'));
  });

  it('keep absolute paths, read the environment variable when the flag is absent, and are undefined otherwise', () => {
    const env = { INIT_CWD: '/a', STREAMDROP_STATE_DIR: 'from-env' };
    expect(pathFlag(args({ 'state-dir': '/abs/dir' }), 'state-dir', 'STREAMDROP_STATE_DIR', env)).toBe(
      '/abs/dir',
    );
    expect(pathFlag(args({}), 'state-dir', 'STREAMDROP_STATE_DIR', env)).toBe('/a/from-env');
    expect(pathFlag(args({}), 'out', undefined, env)).toBeUndefined();
  });
});
