// What every command receives: the terminal, the environment and the working directory. Tests build
// one with captured streams and a controlled environment instead of touching the real process.
import type { Ui } from './ui';

export interface CliContext {
  ui: Ui;
  env: Record<string, string | undefined>;
  cwd: string;
}
