import { STACK_OUTPUTS } from '@streamdrop/config';
import { parseOutputs } from '../src/targets';

/** One value per output of STACK_OUTPUTS, as a deployed stack would have them. */
const values: Record<string, string> = Object.fromEntries(
  Object.values(STACK_OUTPUTS).map((name) => [name, `${name}-value`]),
);

/** `terraform output -json`: every output with its value, type and sensitivity. */
const terraformFile = Object.fromEntries(
  Object.entries(values).map(([name, value]) => [name, { sensitive: false, type: 'string', value }]),
);

/** `cdktf output --outputs-file`: the outputs of each stack, by stack name, values bare. */
const cdktfFile = (...stages: string[]) =>
  Object.fromEntries(
    stages.map((stage) => [
      `streamdrop-${stage}`,
      Object.fromEntries(Object.entries(values).map(([k, v]) => [k, `${stage}:${v}`])),
    ]),
  );

describe('parseOutputs', () => {
  it('reads `terraform output -json`', () => {
    expect(parseOutputs(terraformFile, 'outputs.json', 'dev')).toEqual(values);
  });

  it('reads `cdktf output --outputs-file` of one stack, whatever its stage', () => {
    const outputs = parseOutputs(cdktfFile('prod'), 'outputs.json', 'dev');
    expect(outputs[STACK_OUTPUTS.failuresBucket]).toBe('prod:failures_bucket-value');
    expect(Object.keys(outputs).sort()).toEqual(Object.values(STACK_OUTPUTS).sort());
  });

  it('takes the stack of STREAMDROP_STAGE from a cdktf file of several stacks', () => {
    expect(parseOutputs(cdktfFile('dev', 'prod'), 'o.json', 'prod')[STACK_OUTPUTS.region]).toBe(
      'prod:region-value',
    );
    expect(() => parseOutputs(cdktfFile('dev', 'prod'), 'o.json', 'qa')).toThrow(
      'o.json holds the outputs of streamdrop-dev, streamdrop-prod, not of streamdrop-qa: set STREAMDROP_STAGE to the stage you mean.',
    );
  });

  it('says how to make the file when it is neither format', () => {
    for (const json of [[], {}, 'text', { api_url: 'https://bare.example' }]) {
      expect(() => parseOutputs(json, 'o.json', 'dev')).toThrow(
        /`terraform output -json > o\.json` in the stack folder, or `cdktf output <stack> --outputs-file o\.json`/,
      );
    }
  });
});
