import { ConfigError } from '@streamdrop/config';
import { Testing } from 'cdktf';
import { loadStages } from '../src/config';
import { StreamdropStack } from '../src/stack';
import { newOutdir, testConfig } from './helpers';

/** Every problem reported, as `<VARIABLE> <what is wrong>`. */
function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadStages(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.variable} ${p.problem}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadStages', () => {
  it('synthesizes the dev stage alone when nothing is set', () => {
    expect(loadStages({})).toEqual({ stages: ['dev'], defaultStage: 'dev' });
  });

  it('synthesizes STREAMDROP_STAGE alone when STREAMDROP_STAGES is unset or blank', () => {
    expect(loadStages({ STREAMDROP_STAGE: 'prod' })).toEqual({ stages: ['prod'], defaultStage: 'prod' });
    expect(loadStages({ STREAMDROP_STAGE: 'prod', STREAMDROP_STAGES: ' ' })).toEqual({
      stages: ['prod'],
      defaultStage: 'prod',
    });
  });

  it('synthesizes every stage of STREAMDROP_STAGES, in its order, with dev the default', () => {
    expect(loadStages({ STREAMDROP_STAGES: 'prod, dev' })).toEqual({
      stages: ['prod', 'dev'],
      defaultStage: 'dev',
    });
  });

  it('refuses a default stage that is not synthesized, naming both variables', () => {
    expect(problemsOf({ STREAMDROP_STAGES: 'qa,prod' })).toEqual([
      'STREAMDROP_STAGE is "dev", which is not one of STREAMDROP_STAGES (qa, prod): add it there, or choose one of them',
    ]);
  });

  it('refuses malformed and repeated stage names', () => {
    expect(problemsOf({ STREAMDROP_STAGE: 'Prod', STREAMDROP_STAGES: 'prod,prod,-x' })).toEqual([
      expect.stringMatching(/^STREAMDROP_STAGE must be 1-16 lowercase letters.*\(got "Prod"\)$/),
      expect.stringMatching(/^STREAMDROP_STAGES "-x" is not a stage name: 1-16 lowercase letters/),
      'STREAMDROP_STAGES names a stage twice',
    ]);
  });

  it('refuses one hosted UI domain prefix for several stages, and allows it for one', () => {
    expect(
      problemsOf({ STREAMDROP_STAGES: 'dev,prod', STREAMDROP_AUTH_DOMAIN_PREFIX: 'acme-login' }),
    ).toEqual([
      expect.stringMatching(
        /^STREAMDROP_AUTH_DOMAIN_PREFIX would be the same for every stage.*SUFFIX instead$/,
      ),
    ]);
    expect(loadStages({ STREAMDROP_AUTH_DOMAIN_PREFIX: 'acme-login' }).stages).toEqual(['dev']);
  });
});

describe('loadConfig and the stages', () => {
  it('refuses the stack of a stage that STREAMDROP_STAGES does not list', () => {
    expect(() => testConfig({ STREAMDROP_STAGE: 'qa', STREAMDROP_STAGES: 'dev,prod' })).toThrow(
      'STREAMDROP_STAGE is "qa", which is not one of STREAMDROP_STAGES (dev, prod)',
    );
    expect(testConfig({ STREAMDROP_STAGE: 'prod', STREAMDROP_STAGES: 'dev,prod' }).stackName).toBe(
      'streamdrop-prod',
    );
  });
});

describe('one app, one stack per stage', () => {
  it('names each stack streamdrop-<stage> and keeps the stages apart', () => {
    const app = Testing.app({ outdir: newOutdir() });
    const [dev, prod] = ['dev', 'prod'].map(
      (stage) => new StreamdropStack(app, testConfig({ STREAMDROP_STAGE: stage })),
    );
    expect(dev?.node.id).toBe('streamdrop-dev');
    expect(prod?.node.id).toBe('streamdrop-prod');
    const stream = (stack: StreamdropStack | undefined) =>
      Object.values(
        (JSON.parse(Testing.synth(stack as StreamdropStack)) as { resource: Record<string, object> }).resource
          .aws_kinesis_stream as Record<string, { name: string }>,
      )[0]?.name;
    expect([stream(dev), stream(prod)]).toEqual(['streamdrop-dev-uploads', 'streamdrop-prod-uploads']);
  });
});
