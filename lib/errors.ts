/** A bad argument or configuration value. */
export class ValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValueError';
  }
}

/** Tensor shapes that do not fit together. */
export class ShapeError extends ValueError {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

/** Formats a shape the way Keras prints it, with `null` for the batch axis. */
export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}
