/**
 * The real cdktf CLI, from the project's own node_modules, as a user runs it: `cdktf synth`
 * always; with moto_server on the PATH (this machine, ci.yml), also `cdktf deploy`, `cdktf
 * output --outputs-file` and `cdktf destroy` of a stack picked by name, with its state in an S3
 * bucket made by `pnpm state:bootstrap` (the remote-state path), then our own `pnpm plan`
 * against that same state and `pnpm streamdrop --outputs` reading cdktf's outputs file.
 *
 * cdktf runs with a PATH holding node and terraform only: its app command must not need pnpm.
 * Everything it writes goes to a temporary folder (--output, STREAMDROP_BUNDLES_DIR); the state
 * lives in moto. The result is recorded for scripts/rehearsal-check.mjs, as the rehearsal's is.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { STACK_OUTPUTS } from '@streamdrop/config';
import {
  emulatorInventory,
  findExecutable,
  leftovers,
  MOTO_SERVER,
  type MotoServer,
  startMoto,
} from '../src/lib/moto';
import { FAKE_CREDENTIALS } from '../src/lib/offline';
import { findRepoRoot, lockFileOf } from '../src/lib/paths';
import { parsePlanJson } from '../src/lib/plan-json';
import { classifyDrift } from '../src/lib/rehearsal';

const root = findRepoRoot(__dirname);
const MARKER = process.env.STREAMDROP_CDKTF_MARKER || join(root, '.state', 'cdktf-deploy.json');
const cdktfBin = join(root, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf');
/** Two stages, so that cdktf must be told which stack; the default is the other one. */
const STAGES = { default: 'cdktf-a', deployed: 'cdktf-b' } as const;
const STACK = `streamdrop-${STAGES.deployed}`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Runs a command to its end; output kept for the assertion messages. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd = root): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? 1,
        stdout,
        stderr,
        seconds: Math.round((performance.now() - started) / 100) / 10,
      }),
    );
  });
}

/** Fails with the command's own words when it did not exit 0. */
function ok(what: string, result: Run): Run {
  if (result.code !== 0) {
    const tail = (s: string) => s.trim().split('\n').slice(-60).join('\n');
    throw new Error(
      `${what} exited ${result.code}\n--- stdout ---\n${tail(result.stdout)}\n--- stderr ---\n${tail(result.stderr)}`,
    );
  }
  return result;
}

let temp: string;
let outdir: string;

/** A PATH with node and terraform and nothing else: no pnpm, no global cdktf. */
function bareBin(): string {
  const bin = join(temp, 'bin');
  mkdirSync(bin, { recursive: true });
  const terraform = findExecutable('terraform');
  if (!terraform) throw new Error('terraform is not on the PATH');
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync(terraform, join(bin, 'terraform'));
  return bin;
}

/** The environment of every command: the stages, our own folders, nothing that points at AWS. */
function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_') && !key.startsWith('STREAMDROP_') && !key.startsWith('TF_')) env[key] = value;
  }
  return {
    ...env,
    PATH: bareBin(),
    NO_COLOR: '1',
    CHECKPOINT_DISABLE: '1',
    // The Terraform CLI configuration every synth writes (the provider mirror when there is one).
    TF_CLI_CONFIG_FILE: join(root, '.state', 'terraformrc'),
    STREAMDROP_STAGES: `${STAGES.default},${STAGES.deployed}`,
    STREAMDROP_STAGE: STAGES.default,
    STREAMDROP_BUNDLES_DIR: join(temp, 'functions'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}

const cdktf = (args: string[], env: NodeJS.ProcessEnv) =>
  run(process.execPath, [cdktfBin, ...args, '--output', outdir], env);

/** What an earlier offline plan of the old scripts left in the stack folder: a throwaway backend. */
function plantStaleOverride(stack: string): string {
  const dir = join(outdir, 'stacks', stack);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'offline_override.tf.json');
  writeFileSync(
    file,
    JSON.stringify({
      provider: { aws: [{ skip_credentials_validation: true, skip_requesting_account_id: true }] },
      terraform: { backend: { local: { path: 'offline.tfstate' } } },
    }),
  );
  return file;
}

beforeEach(() => {
  temp = mkdtempSync(join(tmpdir(), 'streamdrop-cdktf-test-'));
  outdir = join(temp, 'cdktf.out');
});
afterEach(() => rmSync(temp, { recursive: true, force: true }));

describe('cdktf synth (the project’s own cdktf-cli, no pnpm on the PATH)', () => {
  it('synthesizes one stack per stage, drops a stale override and brings the committed lock file', async () => {
    const env = baseEnv();
    const stale = plantStaleOverride(STACK);
    const synth = ok('cdktf synth', await cdktf(['synth'], env));
    expect(synth.stdout).toContain(
      `Generated Terraform code for the stacks: streamdrop-${STAGES.default}, ${STACK}`,
    );

    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { stacks: object };
    expect(Object.keys(manifest.stacks).sort()).toEqual([`streamdrop-${STAGES.default}`, STACK]);
    expect(existsSync(stale)).toBe(false);
    for (const stack of Object.keys(manifest.stacks)) {
      const dir = join(outdir, 'stacks', stack);
      expect(readdirSync(dir).filter((f) => f.endsWith('.tf.json'))).toEqual(['cdk.tf.json']);
      expect(readFileSync(join(dir, '.terraform.lock.hcl'), 'utf8')).toBe(
        readFileSync(lockFileOf(root), 'utf8'),
      );
    }
    expect(findExecutable('pnpm', env)).toBeUndefined();
  }, 120_000);

  it('names the variable to fix when the configuration is wrong', async () => {
    const result = await cdktf(['synth'], baseEnv({ STREAMDROP_STAGES: 'qa,prod' }));
    expect(result.code).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain(
      'STREAMDROP_STAGE is "cdktf-a", which is not one of STREAMDROP_STAGES (qa, prod): add it there, or choose one of them',
    );
  }, 120_000);
});

// With moto_server on the PATH (this machine, ci.yml): deploy, outputs, plan, destroy. About two minutes.
const moto = findExecutable(MOTO_SERVER);
if (moto) {
  describe('cdktf deploy, output and destroy against moto_server, with the state in S3', () => {
    let server: MotoServer;
    beforeAll(async () => {
      server = await startMoto({ bin: moto });
    }, 60_000);
    afterAll(() => server?.stop());

    it('deploys the stack it is told to, writes outputs our CLI reads, shares its state with pnpm plan, and destroys it', async () => {
      const times: Record<string, number> = {};
      const stateBucket = 'streamdrop-cdktf-test-state';
      const env = baseEnv({
        AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: server.url,
        AWS_EC2_METADATA_DISABLED: 'true',
        STREAMDROP_STATE_BUCKET: stateBucket,
        // A throwaway stage: `cdktf destroy` must be able to remove it (docs/deploy.md, "Destroy a stage").
        STREAMDROP_DELETION_PROTECTION: 'false',
        STREAMDROP_FORCE_DESTROY: 'true',
        // moto has no CloudFront response headers policies (404), and cdktf deploys the stack as
        // synthesized, with no override: the web client's hosting is rehearsed by pnpm rehearse.
        STREAMDROP_WEB_HOSTING: 'false',
      });
      const script = (name: string, args: string[]) =>
        run(process.execPath, ['--import', 'tsx', join('scripts', 'src', `${name}.ts`), ...args], {
          ...env,
          CDKTF_OUTDIR: outdir,
        });

      // 1. The remote state: the bucket state:bootstrap makes (AWS_ENDPOINT_URL points it at moto).
      const bootstrap = ok(
        'pnpm state:bootstrap',
        await script('state-bootstrap', ['--bucket', stateBucket]),
      );
      expect(bootstrap.stdout).toContain(`${stateBucket} created in us-east-1`);

      // 2. cdktf deploy, by stack name, over a stale offline override that would redirect the state.
      const stale = plantStaleOverride(STACK);
      const deploy = ok('cdktf deploy', await cdktf(['deploy', STACK, '--auto-approve'], env));
      times.deploy = deploy.seconds;
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(join(outdir, 'stacks', STACK, 'offline.tfstate'))).toBe(false);
      const objects = await fetch(`${server.url}/${stateBucket}?list-type=2`, {
        headers: {
          authorization: `AWS4-HMAC-SHA256 Credential=${FAKE_CREDENTIALS.accessKeyId}/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0`,
        },
      }).then((r) => r.text());
      expect(objects).toContain(`<Key>streamdrop/${STAGES.deployed}/terraform.tfstate</Key>`);
      expect(objects).not.toContain('.tflock</Key>');
      const inventory = await emulatorInventory(server.url, 'us-east-1');
      expect(leftovers(inventory, STACK).streams).toEqual([`${STACK}-uploads`]);
      expect(leftovers(inventory, `streamdrop-${STAGES.default}`)).toEqual({});

      // 3. cdktf output --outputs-file: every output of STACK_OUTPUTS, under the stack's name.
      const outputsFile = join(temp, 'outputs.json');
      times.output = ok(
        'cdktf output',
        await cdktf(['output', STACK, '--outputs-file', outputsFile], env),
      ).seconds;
      const outputs = JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, Record<string, string>>;
      expect(Object.keys(outputs)).toEqual([STACK]);
      expect(Object.keys(outputs[STACK] ?? {}).sort()).toEqual(Object.values(STACK_OUTPUTS).sort());
      expect(outputs[STACK]?.stream_name).toBe(`${STACK}-uploads`);

      // 4. Our CLI reads cdktf's file: `pnpm streamdrop --outputs <file> failures list`, against moto's S3.
      const failures = ok(
        'pnpm streamdrop failures list',
        await run(
          process.execPath,
          [
            '--import',
            'tsx',
            join('packages', 'cli', 'src', 'streamdrop.ts'),
            'failures',
            'list',
            '--outputs',
            outputsFile,
          ],
          env,
        ),
      );
      expect(failures.stderr).toContain(`0 failure records in ${outputs[STACK]?.failures_bucket}`);

      // 5. One state: our own plan of the same stack finds it deployed (only moto's known tag drift).
      const plan = ok(
        'pnpm plan',
        await script('plan', ['--stage', STAGES.deployed, '--no-build', '--endpoint-url', server.url]),
      );
      times.plan = plan.seconds;
      const planFile = join(outdir, 'stacks', STACK, 'plan.tfplan');
      if (existsSync(planFile)) {
        const shown = ok(
          'terraform show',
          await run('terraform', ['show', '-json', 'plan.tfplan'], env, dirname(planFile)),
        );
        expect(classifyDrift(parsePlanJson(JSON.parse(shown.stdout), 'plan')).unexpected).toEqual([]);
      } else {
        expect(plan.stdout).toContain(`${STACK} is up to date`);
      }

      // 6. cdktf destroy: nothing of the stage is left in moto.
      times.destroy = ok('cdktf destroy', await cdktf(['destroy', STACK, '--auto-approve'], env)).seconds;
      expect(leftovers(await emulatorInventory(server.url, 'us-east-1'), STACK)).toEqual({});

      mkdirSync(dirname(MARKER), { recursive: true });
      writeFileSync(
        MARKER,
        `${JSON.stringify({ ok: true, stack: STACK, times, finishedAt: new Date().toISOString() }, null, 2)}\n`,
      );
      process.stdout.write(
        `cdktf against moto: deploy ${times.deploy} s, output ${times.output} s, plan ${times.plan} s, destroy ${times.destroy} s\n`,
      );
    }, 600_000);
  });
}
