// Every registered command, in help order. A command is listed here only when it works end to end.
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { registerBlocklistCommand } from './blocklist';
import { registerConfigCommand } from './config';
import { registerInitCommand } from './init';
import { registerJwtCommand } from './jwt';
import { registerDeployCommand } from './deploy';
import { registerDevCommand } from './dev';
import { registerImageCommand } from './image';
import { registerPlanCommand } from './plan';
import { registerSmokeCommand } from './smoke';
import { registerStatusCommand } from './status';
import { registerSynthCommand } from './synth';
import { registerTeardownCommand } from './teardown';
import { registerValidateCommand } from './validate';

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

export const COMMANDS: readonly RegisterCommand[] = [
  registerInitCommand,
  registerDevCommand,
  registerConfigCommand,
  registerJwtCommand,
  registerSmokeCommand,
  registerBlocklistCommand,
  registerValidateCommand,
  registerSynthCommand,
  registerPlanCommand,
  registerImageCommand,
  registerDeployCommand,
  registerStatusCommand,
  registerTeardownCommand,
];
