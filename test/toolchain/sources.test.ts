import t from 'tap';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

// cmake-js and node-gyp must build the same sources.
t.test('CMakeLists.txt and binding.gyp list the same sources', async (t) => {
  const root = path.join(__dirname, '..', '..');
  const cmake = readFileSync(path.join(root, 'CMakeLists.txt'), 'utf8');
  const gyp = JSON.parse(readFileSync(path.join(root, 'binding.gyp'), 'utf8'));
  const cmakeSources = [...cmake.matchAll(/^\s+(native\/\S+\.cc)\s*$/gm)].map((m) => m[1]).sort();
  const gypSources = [...gyp.targets[0].sources].sort();
  t.ok(cmakeSources.length > 5, `${cmakeSources.length} sources in CMakeLists.txt`);
  t.same(gypSources, cmakeSources);
});
