// Parameter values that each pass their knob's own check but that AWS rejects together: a Fargate
// memory size that does not fit the CPU size, or autoscaling bounds that contradict each other.
import type { ConfigKey } from '../../../core/config/schema';
import { parameterName } from '../parameters';
import { isObject } from '../intrinsics';
import type { Check, CheckContext } from './issue';
import { section } from './view';

/** Memory sizes (MiB) Fargate accepts for each CPU size: [min, max, step]. */
export const FARGATE_MEMORY: Readonly<Record<number, readonly [number, number, number]>> = {
  256: [512, 2048, 512],
  512: [1024, 4096, 1024],
  1024: [2048, 8192, 1024],
  2048: [4096, 16384, 1024],
  4096: [8192, 30720, 1024],
  8192: [16384, 61440, 4096],
  16384: [32768, 122880, 8192],
};

export function fargateMemoryFits(cpu: number, memory: number): boolean {
  const range = FARGATE_MEMORY[cpu];
  if (!range) return false;
  const [min, max, step] = range;
  // 256 CPU units also take 1024 and 2048 but not 1536, hence the special case.
  if (cpu === 256) return memory === 512 || memory === 1024 || memory === 2048;
  return memory >= min && memory <= max && (memory - min) % step === 0;
}

function numberOf(ctx: CheckContext, key: ConfigKey): number | undefined {
  const raw = ctx.parameters?.get(parameterName(key))?.value;
  return raw === undefined || raw === '' ? undefined : Number(raw);
}

/** A passed value against its declaration: what CloudFormation checks before creating anything. */
function checkDeclared(ctx: CheckContext): void {
  const declared = section(ctx.template, 'Parameters');
  for (const [key, { value, secret }] of ctx.parameters ?? []) {
    const d = declared[key];
    if (!isObject(d)) continue; // parameter-undeclared
    const shown = secret ? 'its value' : JSON.stringify(value);
    const path = `Parameters.${key}`;
    const number = Number(value);
    if (d.Type === 'Number' && (value.trim() === '' || !Number.isFinite(number))) {
      ctx.report('parameter-value', `${key} is a Number parameter; ${shown} is not a number`, { path });
      continue;
    }
    if (typeof d.MinValue === 'number' && number < d.MinValue) {
      ctx.report('parameter-value', `${key} is below its MinValue ${d.MinValue}`, { path });
    }
    if (typeof d.MaxValue === 'number' && number > d.MaxValue) {
      ctx.report('parameter-value', `${key} is above its MaxValue ${d.MaxValue}`, { path });
    }
    if (Array.isArray(d.AllowedValues) && !d.AllowedValues.map(String).includes(value)) {
      ctx.report('parameter-value', `${key}: ${shown} is not one of its AllowedValues`, { path });
    }
    if (typeof d.AllowedPattern === 'string' && !new RegExp(d.AllowedPattern).test(value)) {
      ctx.report('parameter-value', `${key}: ${shown} does not match its AllowedPattern`, { path });
    }
  }
}

export const parameterValueCheck: Check = (ctx) => {
  checkDeclared(ctx);
  const cpu = numberOf(ctx, 'fargateCpu');
  const memory = numberOf(ctx, 'fargateMemoryMib');
  if (cpu !== undefined && memory !== undefined && !fargateMemoryFits(cpu, memory)) {
    const range = FARGATE_MEMORY[cpu];
    ctx.report(
      'parameter-value',
      `Fargate does not run ${cpu} CPU units with ${memory} MiB` +
        (range ? `; use ${range[0]}-${range[1]} MiB in steps of ${cpu === 256 ? '512' : range[2]}` : ''),
      { path: `Parameters.${parameterName('fargateMemoryMib')}` },
    );
  }
  const min = numberOf(ctx, 'ecsMinCount');
  const max = numberOf(ctx, 'ecsMaxCount');
  const desired = numberOf(ctx, 'ecsDesiredCount');
  if (min !== undefined && max !== undefined && min > max) {
    ctx.report('parameter-value', `Autoscaling minimum ${min} is above its maximum ${max}`, {
      path: `Parameters.${parameterName('ecsMinCount')}`,
    });
  } else if (desired !== undefined && min !== undefined && max !== undefined && (desired < min || desired > max)) {
    ctx.report(
      'parameter-value',
      `Desired count ${desired} is outside the autoscaling range ${min}-${max}; autoscaling would move it at once`,
      { path: `Parameters.${parameterName('ecsDesiredCount')}` },
    );
  }
};
