import { parseBenchArgs } from '../src/bench-args';

describe('parseBenchArgs (node:util parseArgs)', () => {
  it('reads the scenario, boolean and valued flags, in any order', () => {
    expect(
      parseBenchArgs(['load', '--quick', '--stages', '10,50', '--redis=redis://127.0.0.1:6390']),
    ).toEqual({
      name: 'load',
      flags: { quick: true, stages: '10,50', redis: 'redis://127.0.0.1:6390' },
    });
    expect(parseBenchArgs(['--skip-api', 'cache'])).toEqual({ name: 'cache', flags: { 'skip-api': true } });
    expect(parseBenchArgs([])).toEqual({ name: undefined, flags: {} });
  });

  it('rejects an unknown flag, a missing value and a second scenario, naming them', () => {
    expect(() => parseBenchArgs(['load', '--qiuck'])).toThrow(/--qiuck/);
    expect(() => parseBenchArgs(['load', '--stages'])).toThrow(/--stages/);
    expect(() => parseBenchArgs(['load', 'cache'])).toThrow(/one scenario at a time/);
  });
});
