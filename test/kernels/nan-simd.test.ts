import * as path from 'path';
import { rerunWithNarrowerKernels } from '../helpers/simd';

rerunWithNarrowerKernels(path.join(__dirname, 'nan.test.ts'));
