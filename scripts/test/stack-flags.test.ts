import {
  type Args,
  booleanFlag,
  type CommandSpec,
  helpText,
  parseCli,
  stringFlag,
} from '@streamdrop/cli-kit';
import { endpointFlag, stackArgs, stackFlags } from '../src/lib/stack-flags';

describe('stackFlags and stackArgs', () => {
  const spec: CommandSpec = { usage: 'pnpm synth', summary: 'Synthesizes.', flags: stackFlags('synthesize') };
  const parse = (argv: string[]) => parseCli(argv, spec) as Args;

  it('give every stack command the same --stage and --no-build', () => {
    expect(helpText(spec)).toContain(
      '--stage <value>  stage to synthesize (default STREAMDROP_STAGE, else dev)',
    );
    expect(helpText(spec)).toContain(
      '--no-build       reuse dist/functions instead of rebuilding the bundles',
    );
  });

  it('read the stage (undefined keeps STREAMDROP_STAGE) and whether to rebuild', () => {
    expect(stackArgs(parse([]))).toEqual({ stage: undefined, build: true });
    expect(stackArgs(parse(['--stage', 'qa', '--no-build']))).toEqual({ stage: 'qa', build: false });
  });

  it('give every command that calls AWS the same --endpoint-url, defaulting to AWS_ENDPOINT_URL', () => {
    const withEndpoint: CommandSpec = { ...spec, flags: { ...endpointFlag, ...stackFlags('plan') } };
    expect(helpText(withEndpoint)).toMatch(/--endpoint-url <value> +call every AWS service at this URL/);
    expect(helpText(withEndpoint)).toContain('(default AWS_ENDPOINT_URL)');
    expect(
      stringFlag(parseCli(['--endpoint-url', 'http://127.0.0.1:5000'], withEndpoint) as Args, 'endpoint-url'),
    ).toBe('http://127.0.0.1:5000');
  });

  it('stringFlag and booleanFlag read one flag each', () => {
    const args = parse(['--stage', 'qa']);
    expect(stringFlag(args, 'stage')).toBe('qa');
    expect(stringFlag(args, 'no-build')).toBeUndefined();
    expect(booleanFlag(args, 'no-build')).toBe(false);
  });
});
