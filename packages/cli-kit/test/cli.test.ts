import {
  type Args,
  booleanFlag,
  type CommandSpec,
  command,
  helpText,
  integerFlag,
  isEntryPoint,
  type ProgramArgs,
  type ProgramSpec,
  parseCli,
  parseInteger,
  parseProgram,
  program,
  programHelp,
  reportOf,
  stringsFlag,
  UserError,
} from '../src';

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

describe('help with defaults, environment variables and sections', () => {
  const spec: CommandSpec = {
    usage: 'npm start -- [options]',
    summary: 'Starts it.',
    flags: {
      port: { type: 'string', value: 'N', description: 'gateway port', default: '3000', env: 'PORT' },
    },
    sections: [
      {
        heading: 'Fault injection (off by default)',
        intro: ['rates are 0-1'],
        flags: { 'crash-rate': { type: 'string', value: 'R', description: 'share that crashes' } },
      },
    ],
  };

  it('shows each flag’s value name, default and variable, and every section under its heading', () => {
    expect(helpText(spec)).toBe(
      [
        'Usage: npm start -- [options]',
        '',
        'Starts it.',
        '',
        'Options:',
        '      --port N        gateway port (default 3000; env PORT)',
        '',
        'Fault injection (off by default):',
        '  rates are 0-1',
        '      --crash-rate R  share that crashes',
        '  -h, --help          show this help',
      ].join('\n'),
    );
  });

  it('parses the flags of every section', () => {
    expect(parseCli(['--crash-rate', '0.1', '--port', '1'], spec)).toMatchObject({
      flags: { 'crash-rate': '0.1', port: '1' },
    });
  });

  it('wraps a long description under its own column', () => {
    const long = {
      ...spec,
      flags: { x: { type: 'boolean' as const, description: 'word '.repeat(40).trim() } },
    };
    const lines = helpText(long).split('\n');
    const first = lines.findIndex((l) => l.startsWith('      --x'));
    expect(lines[first]?.length).toBeLessThanOrEqual(100);
    const column = lines[first]?.indexOf('word') ?? -1;
    expect(column).toBeGreaterThan(0);
    expect(lines[first + 1]?.indexOf('word')).toBe(column);
    expect(lines[first + 1]?.slice(0, column).trim()).toBe('');
  });
});

describe('flag readers', () => {
  const spec: CommandSpec = {
    usage: 'pnpm thing',
    summary: 'Does a thing.',
    flags: {
      tag: { type: 'string', description: 'a tag', multiple: true },
      count: { type: 'string', description: 'how many' },
    },
    positionals: { max: 1 },
  };
  const parse = (argv: string[]) => parseCli(argv, spec) as Args;

  it('collects every value of a repeatable flag, in order', () => {
    expect(stringsFlag(parse(['--tag', 'a', '--tag', 'b']), 'tag')).toEqual(['a', 'b']);
    expect(stringsFlag(parse([]), 'tag')).toEqual([]);
  });

  it('reads an integer flag within range, or the fallback, and names the flag when it is wrong', () => {
    const range = { min: 1, max: 10 };
    expect(integerFlag(parse(['--count', '7']), 'count', 3, range)).toBe(7);
    expect(integerFlag(parse([]), 'count', 3, range)).toBe(3);
    for (const bad of ['0', '11', '2.5', 'x'])
      expect(() => integerFlag(parse(['--count', bad]), 'count', 3, range)).toThrow(
        new UserError(`--count must be an integer from 1 to 10, got "${bad}".`),
      );
    expect(() =>
      parseInteger('--port', '0', { min: 1, max: 65_535, rule: 'a port number (1-65535)' }),
    ).toThrow('--port must be a port number (1-65535), got "0".');
  });

  it('accepts at most the positional arguments the command declares', () => {
    expect(parse(['one']).positionals).toEqual(['one']);
    expect(() => parse(['one', 'two'])).toThrow('unexpected argument "two"; see --help');
  });

  it('ignores the literal -- that pnpm passes through before the arguments', () => {
    expect(parse(['--', '--count', '2']).flags).toEqual({ count: '2' });
  });
});

describe('programs with commands', () => {
  const calls: Array<{ command: readonly string[]; args: Args }> = [];
  const record = (args: Args) => {
    calls.push({ command: (args as ProgramArgs).command, args });
    return 0;
  };
  const tool: ProgramSpec = {
    name: 'pnpm tool',
    commands: {
      get: { synopsis: 'get <key>', summary: 'print an object', positionals: { max: 1 }, run: record },
      failures: {
        commands: {
          list: { synopsis: 'list', summary: 'list the failures', run: record },
          redrive: {
            synopsis: ['redrive <id>...', 'redrive --all'],
            summary: 'put them back',
            flags: { all: { type: 'boolean', description: 'every failure' } },
            positionals: true,
            run: record,
          },
        },
      },
    },
    shared: {
      heading: 'Target',
      intro: ['the local stack, or'],
      flags: { outputs: { type: 'string', value: 'FILE', description: 'a deployed stack' } },
    },
  };

  it('finds the command by its words, wherever the flags are', () => {
    const parsed = parseProgram(['--outputs', 'o.json', 'failures', 'redrive', 'a', 'b', '--all'], tool);
    expect(parsed).toMatchObject({
      help: false,
      command: ['failures', 'redrive'],
      flags: { outputs: 'o.json', all: true },
      positionals: ['a', 'b'],
    });
  });

  it('lists every command and the shared flags in --help; no command at all is help with exit code 2', () => {
    const asked = parseProgram(['--help'], tool);
    const missing = parseProgram([], tool);
    expect(asked).toMatchObject({ help: true, exitCode: 0 });
    expect(missing).toMatchObject({ help: true, exitCode: 2, text: programHelp(tool) });
    expect(programHelp(tool)).toBe(
      [
        'Usage: pnpm tool <command> [options]',
        '',
        'Commands:',
        '  get <key>                 print an object',
        '  failures list             list the failures',
        '  failures redrive <id>...  put them back',
        '  failures redrive --all',
        '',
        'Target:',
        '  the local stack, or',
        '      --outputs FILE  a deployed stack',
        '  -h, --help          show this help',
      ].join('\n'),
    );
  });

  it('shows one command’s own help with its flags and the shared ones', () => {
    const parsed = parseProgram(['failures', 'redrive', '-h'], tool);
    expect(parsed.help && parsed.text).toBe(
      [
        'Usage: pnpm tool failures redrive <id>...',
        '       pnpm tool failures redrive --all',
        '',
        'put them back',
        '',
        'Options:',
        '      --all           every failure',
        '',
        'Target:',
        '  the local stack, or',
        '      --outputs FILE  a deployed stack',
        '  -h, --help          show this help',
      ].join('\n'),
    );
  });

  it('refuses an unknown command, a group without its command, and a flag the command does not take', () => {
    expect(() => parseProgram(['frobnicate'], tool)).toThrow(/Unknown command "frobnicate".*--help/);
    expect(() => parseProgram(['failures'], tool)).toThrow(
      'pnpm tool failures needs a command: list | redrive. See `pnpm tool --help`.',
    );
    expect(() => parseProgram(['failures', 'nope'], tool)).toThrow('has no command "nope"');
    expect(() => parseProgram(['get', 'k', '--all'], tool)).toThrow(
      /Unknown option '--all'[\s\S]*Run `pnpm tool get --help`/,
    );
  });

  it('runs the command it found', async () => {
    calls.length = 0;
    const before = process.exitCode;
    program(tool, ['failures', 'list']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(process.exitCode).toBe(0);
    process.exitCode = before;
    expect(calls.map((c) => c.command)).toEqual([['failures', 'list']]);
  });
});

describe('reportOf', () => {
  class StackDown extends Error {}

  it('reports user errors (and the classes a command names) as one line with the user exit code', () => {
    const options = { prefix: 'tool ▸ ', userErrors: [StackDown], userErrorCode: 2 };
    expect(reportOf(new UserError('fix this'), options)).toEqual({ line: 'tool ▸ error: fix this', code: 2 });
    expect(reportOf(new StackDown('start it'), options)).toEqual({ line: 'tool ▸ error: start it', code: 2 });
  });

  it('reports anything else with its stack, unless the command can describe it in a line', () => {
    const unexpected = reportOf(new TypeError('x is undefined'));
    expect(unexpected.code).toBe(1);
    expect(unexpected.line).toMatch(/^unexpected error: TypeError: x is undefined\n\s+at /);
    const described = reportOf(new Error('Access Denied'), {
      describe: (e) => `${(e as Error).message} (AccessDenied)`,
    });
    expect(described).toEqual({ line: 'error: Access Denied (AccessDenied)', code: 1 });
  });
});
