import t from 'tap';
import * as bn from '../../lib';

// padSequences names what it was given: NaN as NaN, a bigint as one, and a size no typed array
// holds by maxlen and the number of sequences (not a bare RangeError).

const pad = bn.preprocessing.padSequences;

t.test('padSequences errors print the values given', async (t) => {
  t.throws(() => pad([[1]], { maxlen: NaN }), { name: 'ValueError', message: 'padSequences: maxlen must be a positive integer or null, got NaN' });
  t.throws(() => pad([[1], [1, 2]], { value: NaN }), { message: 'padSequences: value must be a finite number and a 32-bit integer with dtype int32, got NaN' });
  t.throws(() => pad([[1]], { value: Infinity, dtype: 'float32' }), { message: 'padSequences: value must be a finite number, got Infinity' });
  t.throws(() => pad([[1n]] as never), { name: 'ValueError', message: 'padSequences: sequences[0][0] is 1n; expected a 32-bit integer (dtype int32)' });
  t.throws(() => pad([[1, 2], 5] as never), { message: 'padSequences: sequences[1] must be an array of numbers, got 5' });
});

t.test('a size no typed array can hold is refused naming maxlen and the sequences', async (t) => {
  t.throws(() => pad([[1]], { maxlen: 1e12 }), { name: 'ValueError', message: /^padSequences: maxlen 1000000000000 for 1 sequence needs 1000000000000 values, more than one typed array can hold here/ });
  t.throws(() => pad([[1], [2], [3]], { maxlen: 2 ** 40, dtype: 'float32' }), { message: /^padSequences: maxlen 1099511627776 for 3 sequences needs 3298534883328 values/ });
});
