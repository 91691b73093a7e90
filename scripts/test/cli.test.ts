import {
  type Args,
  booleanFlag,
  type CommandSpec,
  command,
  helpText,
  isEntryPoint,
  parseCli,
  stackArgs,
  stackFlags,
  stringFlag,
  UserError,
} from '../src/lib/cli';

const spec: CommandSpec = {
  usage: 'pnpm plan [--offline] [--stage <name>]',
  summary: 'Plans the stack.',
  flags: {
    offline: { type: 'boolean', description: 'no AWS account needed' },
    stage: { type: 'string', description: 'stage to plan' },
  },
  notes: ['Environment: STREAMDROP_TF_MIRROR'],
};

describe('parseCli', () => {
  it('returns the flags that were given', () => {
    expect(parseCli(['--offline', '--stage', 'qa'], spec)).toEqual({
      help: false,
      flags: { offline: true, stage: 'qa' },
      positionals: [],
    });
  });

  it('returns help text for --help and -h, whatever else is given', () => {
    for (const argv of [['--help'], ['-h'], ['--offline', '--help']]) {
      const parsed = parseCli(argv, spec);
      expect(parsed.help).toBe(true);
      expect(parsed.help && parsed.text).toBe(helpText(spec));
    }
  });

  it('rejects an unknown flag and points at --help', () => {
    expect(() => parseCli(['--ofline'], spec)).toThrow(UserError);
    expect(() => parseCli(['--ofline'], spec)).toThrow(
      /Unknown option '--ofline'[\s\S]*Run `pnpm plan --help`/,
    );
  });

  it('rejects a string flag without its value', () => {
    expect(() => parseCli(['--stage'], spec)).toThrow(UserError);
  });

  it('rejects positional arguments unless the command takes them', () => {
    expect(() => parseCli(['prod'], spec)).toThrow('unexpected argument "prod"; see --help');
    expect(parseCli(['upload'], { ...spec, positionals: true })).toMatchObject({ positionals: ['upload'] });
  });
});

describe('helpText', () => {
  it('shows usage, summary, every option with its description, and the notes', () => {
    expect(helpText(spec)).toBe(
      [
        'Usage: pnpm plan [--offline] [--stage <name>]',
        '',
        'Plans the stack.',
        '',
        'Options:',
        '      --offline        no AWS account needed',
        '      --stage <value>  stage to plan',
        '  -h, --help           show this help',
        '',
        'Environment: STREAMDROP_TF_MIRROR',
      ].join('\n'),
    );
  });
});

describe('isEntryPoint', () => {
  it('recognizes the script node was started with, with or without extension', () => {
    expect(isEntryPoint('build', '/repo/scripts/src/build.ts')).toBe(true);
    expect(isEntryPoint('build', '/repo/scripts/src/build')).toBe(true);
  });

  it('is false when the module is only imported', () => {
    expect(isEntryPoint('build', '/repo/node_modules/jest/bin/jest.js')).toBe(false);
    expect(isEntryPoint('build', undefined)).toBe(false);
  });
});

describe('stackFlags and stackArgs', () => {
  const spec: CommandSpec = { usage: 'pnpm synth', summary: 'Synthesizes.', flags: stackFlags('synthesize') };
  const parse = (argv: string[]) => parseCli(argv, spec) as Args;

  it('give every stack command the same --stage and --no-build', () => {
    expect(helpText(spec)).toContain(
      '--stage <value>  stage to synthesize (sets STREAMDROP_STAGE; default dev)',
    );
    expect(helpText(spec)).toContain(
      '--no-build       reuse dist/functions instead of rebuilding the bundles',
    );
  });

  it('read the stage (undefined keeps STREAMDROP_STAGE) and whether to rebuild', () => {
    expect(stackArgs(parse([]))).toEqual({ stage: undefined, build: true });
    expect(stackArgs(parse(['--stage', 'qa', '--no-build']))).toEqual({ stage: 'qa', build: false });
  });

  it('stringFlag and booleanFlag read one flag each', () => {
    const args = parse(['--stage', 'qa']);
    expect(stringFlag(args, 'stage')).toBe('qa');
    expect(stringFlag(args, 'no-build')).toBeUndefined();
    expect(booleanFlag(args, 'no-build')).toBe(false);
  });
});

describe('command', () => {
  const spec: CommandSpec = {
    usage: 'pnpm thing [--loud]',
    summary: 'Does a thing.',
    flags: { loud: { type: 'boolean', description: 'be loud' } },
  };
  /** Runs `command` to completion; resolves with what it printed and the exit code it set. */
  async function runCommand(argv: string[], main: (args: Args) => number | Promise<number>) {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const before = process.exitCode;
    let ran = false;
    await new Promise<void>((resolve) => {
      command(
        spec,
        (args) => {
          ran = true;
          return main(args);
        },
        argv,
      );
      setTimeout(resolve, 20);
    });
    const code = process.exitCode;
    process.exitCode = before;
    return { ran, code, out: log.mock.calls.flat().join('\n'), err: error.mock.calls.flat().join('\n') };
  }

  it('prints --help and never runs the main', async () => {
    const result = await runCommand(['--help'], () => 5);
    expect(result).toEqual({ ran: false, code: 0, out: helpText(spec), err: '' });
  });

  it('runs the main with the parsed flags and exits with its code', async () => {
    const result = await runCommand(['--loud'], (args) => (booleanFlag(args, 'loud') ? 3 : 4));
    expect(result).toMatchObject({ ran: true, code: 3 });
  });

  it('reports a UserError as one line and exits 1', async () => {
    const result = await runCommand([], () => {
      throw new UserError('fix this');
    });
    expect(result).toMatchObject({ code: 1, err: 'error: fix this' });
  });
});
