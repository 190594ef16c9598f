// The options of the bench and eval scripts: a mistyped option or a value that is not a number is a
// one-line error naming it, never a run with NaN in it.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  parseScriptArgs,
  renderUsage,
  ScriptArgsError,
  type ScriptUsage,
} from '../../../scripts/lib/script-args';

const usage: ScriptUsage = {
  command: 'npm run thing --',
  summary: 'Does a thing.',
  options: {
    rounds: { value: 'N', description: 'rounds', default: '3' },
    seed: { value: 'N', description: 'seed' },
    preset: { value: 'NAME', description: 'preset', default: 'cost', choices: ['cost', 'performance'] },
    quick: { description: 'one round' },
  },
};

const parse = (...argv: string[]) => parseScriptArgs(usage, argv)!;

describe('parseScriptArgs', () => {
  it('reads defaults, given values and flags', () => {
    const defaults = parse();
    expect(defaults.number('rounds', { integer: true, min: 1 })).toBe(3);
    expect(defaults.optionalNumber('seed')).toBeUndefined();
    expect(defaults.string('preset')).toBe('cost');
    expect(defaults.flag('quick')).toBe(false);

    const given = parse('--rounds', '5', '--seed=-7', '--preset', 'performance', '--quick');
    expect(given.number('rounds', { integer: true, min: 1 })).toBe(5);
    expect(given.number('seed', { integer: true })).toBe(-7);
    expect(given.string('preset')).toBe('performance');
    expect(given.flag('quick')).toBe(true);
  });

  it('answers --help with no arguments to run with', () => {
    expect(parseScriptArgs(usage, ['--rounds', '2', '--help'])).toBeUndefined();
  });

  it.each([
    [['--rond', '2'], "Unknown option '--rond'"],
    [['--rounds'], "Option '--rounds <value>' argument missing"],
    [['extra'], "Unexpected argument 'extra'"],
    [['--preset', 'fast'], '--preset fast: expected one of cost, performance'],
  ])('rejects %j: %s', (argv, message) => {
    expect(() => parse(...argv)).toThrow(new ScriptArgsError(message));
  });

  it.each([
    ['8s', { min: 1 }, '--rounds 8s: expected a number of at least 1'],
    ['', {}, '--rounds : expected a number'],
    ['2.5', { integer: true }, '--rounds 2.5: expected a whole number'],
    ['0', { integer: true, min: 1 }, '--rounds 0: expected a whole number of at least 1'],
    ['Infinity', {}, '--rounds Infinity: expected a number'],
  ])('rejects --rounds %j when read as a number', (value, bounds, message) => {
    const args = parse('--rounds', value);
    expect(() => args.number('rounds', bounds)).toThrow(new ScriptArgsError(message));
  });

  it('lists every option with its value, default and choices', () => {
    expect(renderUsage(usage)).toBe(
      [
        'Does a thing.',
        '',
        'Usage: npm run thing -- [options]',
        '',
        '  --rounds N     rounds (default 3)',
        '  --seed N       seed',
        '  --preset NAME  preset (one of cost, performance; default cost)',
        '  --quick        one round',
        '  --help         print this and exit',
        '',
      ].join('\n'),
    );
  });
});

describe('a script given a bad option', () => {
  // The real script, before it starts anything: the option is checked first.
  const run = (...argv: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'eval/detector/run.ts', ...argv], { encoding: 'utf8' });

  it('exits 2 with the error and the usage on stderr', () => {
    const result = run('--seed', 'forty-two');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^error: --seed forty-two: expected a whole number\n\n.*\n\nUsage: npm run eval:detector -- \[options\]/,
    );
  });

  it('prints the usage on stdout for --help and exits 0', () => {
    const result = run('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('--explain TYPE');
    expect(result.stderr).toBe('');
  });
});
