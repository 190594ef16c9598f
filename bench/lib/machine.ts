// What a result was measured on, printed and stored with every run: figures mean little without it.
import { cpus, loadavg, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  /** 1-minute load average at the time of the call. */
  load1: number;
}

export function machineInfo(): MachineInfo {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? model;
  } catch {
    // Not Linux: os.cpus() it is.
  }
  return {
    cores: cpus().length,
    cpuModel: model.trim(),
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    load1: Math.round(loadavg()[0]! * 100) / 100,
  };
}

export function describeMachine(m: MachineInfo): string {
  return `${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}`;
}

/** A warning when other work on the machine makes the figures unreliable, else undefined. */
export function loadWarning(m: MachineInfo): string | undefined {
  return m.load1 > m.cores * 0.5
    ? `load average ${m.load1} on ${m.cores} cores: other work is running, figures are noisy`
    : undefined;
}
