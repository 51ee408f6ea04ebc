import t from 'tap';
import { spawnSync } from 'child_process';
import { native } from '../../lib/native';

/**
 * The direct convolution kernels exist once per instruction set (AVX-512, AVX2,
 * portable C++) and the CPU picks one, so a test file's default run checks only
 * the widest this machine has. This runs `file` again with each narrower set,
 * which BLASNET_SIMD selects; the file must print `# direct kernels: <level>`.
 */
export function rerunWithNarrowerKernels(file: string): void {
  const levels = ['avx512', 'avx2', 'portable'];
  for (const level of levels.slice(levels.indexOf(native.simdLevel()) + 1)) {
    t.test(`${file} on the ${level} kernels`, async (t) => {
      const run = spawnSync(process.execPath, ['--import', 'tsx', file], {
        env: { ...process.env, BLASNET_SIMD: level }, encoding: 'utf8',
      });
      t.match(run.stdout, `# direct kernels: ${level}`, 'the narrower kernels ran');
      const failures = run.stdout.split('\n').filter((line) => /^\s*not ok/.test(line));
      t.equal(run.status, 0, failures.length ? failures.slice(0, 5).join('\n') : 'every check passed');
    });
  }
}
