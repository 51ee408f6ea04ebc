/** What `fit` returns: per-epoch values of the loss and each metric, Keras' History. */
export class History {
  readonly epoch: number[] = [];
  readonly history: Record<string, number[]> = {};

  record(epoch: number, logs: Record<string, number>): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
}
