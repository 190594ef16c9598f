// Renders the deploy engine's events for people (one line per resource state change with elapsed
// time, a live progress line on a terminal, plain lines otherwise) or as NDJSON with --json.
import type { DeployEvent } from '../deploy';
import { changeCells, formatElapsed } from '../deploy';
import type { Ui } from './ui';

const STATUS_WIDTH = 44;

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export class DeployPrinter {
  private statusLineShown = false;
  private lastProgressKey = '';
  private readonly live: boolean;

  constructor(
    private readonly ui: Ui,
    private readonly json: boolean,
    /** Show docker build output (always in --json; with --debug on a terminal). */
    private readonly verbose = false,
  ) {
    this.live = !json && ui.stderr.isTTY === true;
  }

  /** The progress callback handed to the engine. */
  readonly onProgress = (event: DeployEvent): void => {
    if (this.json) return this.printJson(event);
    this.printHuman(event);
  };

  private printJson(event: DeployEvent): void {
    if (event.type === 'progress') {
      // The engine reports progress on every poll; a line per actual change is enough for machines.
      const key = `${event.done}/${event.total}/${event.failed}`;
      if (key === this.lastProgressKey) return;
      this.lastProgressKey = key;
    }
    this.ui.json({ event: event.type, ...event, type: undefined });
  }

  private line(text: string): void {
    this.clearStatus();
    this.ui.info(text);
  }

  private clearStatus(): void {
    if (this.statusLineShown) this.ui.stderr.write('\r\u001b[2K');
    this.statusLineShown = false;
  }

  /** Clears the live line so the caller's final output starts on a clean line. */
  finish(): void {
    this.clearStatus();
  }

  private printHuman(event: DeployEvent): void {
    const c = this.ui.errColors;
    switch (event.type) {
      case 'step':
        return this.line(c.bold(`» ${event.message}`));
      case 'identity':
        return this.line(`  account ${event.account} as ${event.arn} in ${event.region}`);
      case 'asset':
        return this.line(
          `  detector code s3://${event.bucket}/${event.key} ${event.uploaded ? '(uploaded)' : '(unchanged, already uploaded)'}${event.bucketCreated ? ', bucket created' : ''}`,
        );
      case 'image':
        return this.line(
          `  gateway image ${event.uri} (${event.source}${event.built === false ? ', already in ECR' : ''}${event.uploadedBytes ? `, ${formatBytes(event.uploadedBytes)} uploaded` : ''})`,
        );
      case 'image-upload': {
        const blob = event.digest.slice('sha256:'.length, 'sha256:'.length + 12);
        const text = `uploading ${blob} ${formatBytes(event.bytes)}/${formatBytes(event.total)} at ${formatBytes(event.bytesPerSecond)}/s`;
        if (!this.live) return event.done ? this.line(`  ${text}`) : undefined;
        this.ui.stderr.write(`\r\u001b[2K${c.cyan(text)}`);
        this.statusLineShown = true;
        return;
      }
      case 'changes':
        this.clearStatus();
        if (event.rows.length > 0) {
          this.ui.table(['ACTION', 'RESOURCE', 'TYPE', 'REPLACEMENT', 'NOTE'], event.rows.map(changeCells));
        }
        for (const row of event.rows.filter((r) => r.replacement !== 'no')) {
          this.ui.warn(
            `${row.logicalId} (${row.resourceType}) ${row.replacement === 'yes' ? 'WILL BE REPLACED' : 'MAY BE REPLACED'}`,
          );
        }
        if (event.rows.some((r) => r.security)) {
          this.ui.warn(
            `security-relevant changes: ${event.rows
              .filter((r) => r.security)
              .map((r) => r.logicalId)
              .join(', ')}`,
          );
        }
        return;
      case 'resource': {
        const colour = /FAILED/.test(event.status)
          ? c.red
          : /COMPLETE$/.test(event.status)
            ? c.green
            : c.yellow;
        const reason = event.reason ? c.dim(`  ${event.reason}`) : '';
        return this.line(
          `  ${formatElapsed(event.elapsedMs).padStart(6)}  ${colour(event.status.padEnd(STATUS_WIDTH - 16))} ${event.resourceType.padEnd(42)} ${event.logicalId}${reason}`,
        );
      }
      case 'progress': {
        if (!this.live) return;
        const waiting =
          event.inProgress.length > 0 ? ` · waiting on ${event.inProgress.slice(0, 3).join(', ')}` : '';
        this.ui.stderr.write(
          `\r\u001b[2K${c.cyan(`${event.done}/${event.total} resources, ${formatElapsed(event.elapsedMs)}`)}${waiting}`,
        );
        this.statusLineShown = true;
        return;
      }
      case 'hint':
        return this.line(c.dim(`  note: ${event.message}`));
      case 'ecs':
        return this.line(`  ${c.magenta('ecs')} ${event.message}`);
      case 'throttled':
        return; // Backoff is routine; nothing to do for the user.
      case 'warning':
        this.clearStatus();
        return this.ui.warn(event.message);
      case 'log':
        if (this.verbose) this.line(c.dim(`  docker: ${event.line}`));
        return;
      case 'root-cause':
        this.clearStatus();
        if (event.failures.length === 0) return;
        this.ui.info(c.red('Root cause:'));
        for (const f of event.failures)
          this.ui.info(`  ${f.logicalId} (${f.resourceType}) ${f.status}: ${f.reason}`);
        return;
    }
  }
}
