import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import t from 'tap';

// Ported Keras code (snake_case options) and TF.js-style code both compile under tsc --strict.
t.test('snake_case and camelCase options type-check', async (t) => {
  const root = path.join(__dirname, '..', '..');
  const file = path.join(root, 'test', 'fixtures', 'types', 'keras-port.ts');
  const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '--strict', '--skipLibCheck', '--target', 'ES2022',
    '--module', 'node16', '--moduleResolution', 'node16', '--types', 'node', file], { cwd: root, encoding: 'utf8' });
  t.equal(r.status, 0, r.stdout + r.stderr);
});
