import t from 'tap';
import { formatValue } from '../../lib/errors';

// formatValue prints user values in error messages: as JSON where JSON is faithful, and what
// the value is where JSON would lie (NaN as null), print nothing ({} for a Promise) or throw (bigint).

t.test('JSON where faithful', async (t) => {
  t.equal(formatValue('adam'), '"adam"');
  t.equal(formatValue([1, 2, [3]]), '[1,2,[3]]');
  t.equal(formatValue({ a: 1, b: 'x' }), '{"a":1,"b":"x"}');
  t.equal(formatValue(null), 'null');
  t.equal(formatValue(true), 'true');
  t.equal(formatValue(0.1), '0.1');
});

t.test('what JSON cannot say', async (t) => {
  t.equal(formatValue(NaN), 'NaN');
  t.equal(formatValue(-Infinity), '-Infinity');
  t.equal(formatValue([1, Infinity]), '[1,Infinity]');
  t.equal(formatValue({ maxlen: NaN }), '{"maxlen":NaN}');
  t.equal(formatValue(-0), '-0');
  t.equal(formatValue(12n), '12n');
  t.equal(formatValue(undefined), 'undefined');
  t.equal(formatValue(Symbol('s')), 'Symbol(s)');
  t.equal(formatValue(function schedule() { return 1; }), 'function schedule');
  t.equal(formatValue(Promise.resolve(1)), "a Promise (an async function's result; a plain value is expected)");
  t.equal(formatValue(new Float64Array([1, 2])), 'Float64Array(2) [1,2]');
  t.equal(formatValue(new BigInt64Array([3n])), 'BigInt64Array(1) [3n]');
  t.equal(formatValue(new Map()), 'a Map');
  t.equal(formatValue(new (class Box { toString(): string { return 'Box(1)'; } })()), 'Box(1)');
  t.equal(formatValue(Object.create(null)), '{}');
});

t.test('long and deep values are cut short; a value that throws when read still prints', async (t) => {
  t.equal(formatValue(Array.from({ length: 100 }, (_, i) => i)), '[0,1,2,3,4,5,6,7,... (100 items)]');
  t.equal(formatValue('x'.repeat(200)), `"${'x'.repeat(77)}..."`);
  t.equal(formatValue([[[[[1]]]]]), '[[[[...]]]]');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  t.equal(formatValue(cyclic), '{"self":{"self":{"self":{...}}}}');
  t.equal(formatValue({ get bad(): number { throw new Error('no'); } }), 'an unprintable object');
});
