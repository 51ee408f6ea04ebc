// Fashion-MNIST from Debian's dataset-fashion-mnist package, for the image examples
// (fashion-mnist-cnn.ts, seed-lstm.ts).
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as bn from '../lib/index';

const DATA_DIR = '/usr/share/datasets/fashion-mnist';
const FILES = {
  train: { images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz' },
  test: { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz' },
};

export const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
export const IMAGE_SIZE = 28;

export interface FashionMnist {
  /** float32 [N, 28, 28], pixel values 0..255. */
  images: bn.Tensor;
  /** Index into CLASSES. */
  labels: Int32Array;
}

/** Whether Debian's dataset-fashion-mnist is installed. */
export function hasFashionMnist(): boolean {
  return existsSync(path.join(DATA_DIR, FILES.train.images));
}

/** Exits with the apt-get command to run when the dataset is missing. */
export function requireFashionMnist(): void {
  if (hasFashionMnist()) return;
  console.error(`Fashion-MNIST not found in ${DATA_DIR}. Install Debian's package:\n  sudo apt-get install dataset-fashion-mnist`);
  process.exit(1);
}

/** The first `limit` images and labels of a split (a view of the file's data, no copy). */
export function loadFashionMnist(split: 'train' | 'test', limit = Infinity): FashionMnist {
  const images = bn.data.loadIdx(path.join(DATA_DIR, FILES[split].images));
  const labels = bn.data.loadIdx(path.join(DATA_DIR, FILES[split].labels), { dtype: 'int32' }).data as Int32Array;
  const n = Math.min(limit, images.shape[0]);
  const pixels = n * IMAGE_SIZE * IMAGE_SIZE;
  return { images: bn.tensor(images.data.subarray(0, pixels), [n, IMAGE_SIZE, IMAGE_SIZE]), labels: labels.subarray(0, n) };
}
