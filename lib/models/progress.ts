import { SingleBar } from 'cli-progress';

/** Keras-style training output: "Epoch 1/10", then a live bar with time per step and running metrics. */
export class ProgressLogger {
  private bar: SingleBar | null = null;
  private start = 0;

  constructor(private readonly verbose: number, private readonly out: NodeJS.WriteStream = process.stdout) {}

  epochBegin(epoch: number, epochs: number, steps: number): void {
    if (this.verbose === 0) return;
    this.out.write(`Epoch ${epoch + 1}/${epochs}\n`);
    this.start = performance.now();
    if (this.verbose === 1 && this.out.isTTY) {
      this.bar = new SingleBar({
        format: '{value}/{total} [{bar}] {elapsed}s {stepTime}/step{logs}',
        barCompleteChar: '=',
        barIncompleteChar: '.',
        barsize: 30,
        hideCursor: false,
        stream: this.out,
        fps: 10,
      });
      this.bar.start(steps, 0, { elapsed: 0, stepTime: '-', logs: '' });
    }
  }

  batchEnd(step: number, logs: Record<string, number>): void {
    if (!this.bar) return;
    const elapsed = performance.now() - this.start;
    this.bar.update(step, { elapsed: Math.round(elapsed / 1000), stepTime: formatStepTime(elapsed / step), logs: formatLogs(logs) });
  }

  epochEnd(steps: number, logs: Record<string, number>): void {
    if (this.verbose === 0) return;
    const elapsed = performance.now() - this.start;
    if (this.bar) {
      this.bar.update(steps, { elapsed: Math.round(elapsed / 1000), stepTime: formatStepTime(elapsed / steps), logs: formatLogs(logs) });
      this.bar.stop();
      this.bar = null;
    } else {
      this.out.write(`${steps}/${steps} - ${Math.round(elapsed / 1000)}s - ${formatStepTime(elapsed / steps)}/step${formatLogs(logs)}\n`);
    }
  }
}

function formatStepTime(ms: number): string {
  return ms >= 1 ? `${Math.round(ms)}ms` : `${Math.round(ms * 1000)}us`;
}

function formatLogs(logs: Record<string, number>): string {
  return Object.entries(logs).map(([k, v]) => ` - ${k}: ${v.toFixed(4)}`).join('');
}
