import { type CommandSpec, helpText, isEntryPoint, parseCli, UserError } from '../src/lib/cli';

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
