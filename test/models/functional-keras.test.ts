import t from 'tap';
import { builders, check, golden } from '../helpers/functional-models';

// Functional models against Keras 3 itself: each model of the goldens built here must give
// Keras's outputs, losses and weights after one SGD step.
for (const name of Object.keys(builders)) {
  t.test(name, async (t) => {
    const g = golden(name);
    await check(t, builders[name](g), g);
  });
}
