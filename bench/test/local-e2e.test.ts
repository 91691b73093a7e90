import { parseE2eOutput } from '../src/suites/local-e2e';

describe('parseE2eOutput', () => {
  it('reads the table that packages/local/bench/e2e.ts prints', () => {
    const output = [
      'npm start → ready, fresh state (build + synth + start)         9.2 s',
      'npm start → ready, restart (build + synth + start)             7.1 s',
      'upload → processed, median (100 uploads at 20/s)               246 ms',
      'upload → processed, p99                                        906 ms',
      'upload → processed, max                                        1200 ms',
    ].join('\n');

    expect(parseE2eOutput(output)).toEqual({
      readyFreshMs: 9200,
      readyRestartMs: 7100,
      p50Ms: 246,
      p99Ms: 906,
      maxMs: 1200,
      uploads: 100,
    });
  });

  it('leaves out what the output does not say', () => {
    expect(parseE2eOutput('some log line\nnpm start exited with 1')).toEqual({});
  });
});
