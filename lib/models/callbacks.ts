// fit's callbacks: one object or a Keras-style list, each with any of the hooks below (TF.js
// camelCase or Keras snake_case names). A hook that returns a promise is awaited.
import { Callback, isBuiltIn } from '../callbacks';
import { ValueError, formatValue } from '../errors';
import { camelCase } from '../names';
import { closest } from '../options';

export type Logs = Record<string, number>;

/** Hooks fit calls; each may return a promise, which fit awaits. */
export interface Callbacks {
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
  /** Called before training with the model being fitted (TF.js's and Keras's set_model). */
  setModel?(model: unknown): void;
}

type Hook = 'onTrainBegin' | 'onTrainEnd' | 'onEpochBegin' | 'onEpochEnd' | 'onBatchBegin' | 'onBatchEnd';
const HOOKS: readonly Hook[] = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd'];

/** The callbacks of one fit, checked: unknown hooks on a plain object are refused with the closest name. */
export class CallbackList {
  private readonly hooks: Map<Hook, ((...args: unknown[]) => unknown)[]> = new Map(HOOKS.map((h) => [h, []]));
  /** The callbacks in order, and whether each has an onEpochEnd hook. */
  private readonly list: [object, boolean][] = [];

  constructor(given: unknown, model: unknown) {
    const list = given === undefined || given === null ? [] : Array.isArray(given) ? given : [given];
    list.forEach((cb, i) => {
      const where = `fit: callbacks${Array.isArray(given) ? `[${i}]` : ''}`;
      if (typeof cb !== 'object' || cb === null) throw new ValueError(`${where} must be an object with hooks such as onEpochEnd, got ${formatValue(cb)}`);
      const obj = cb as Record<string, unknown>;
      const plain = Object.getPrototypeOf(obj) === Object.prototype;
      let found = 0, epochEnd = false;
      // Plain objects are all hooks; a class instance may also hold its own state.
      const names = plain ? Object.keys(obj) : [...new Set([...Object.keys(obj), ...methodNames(obj)])];
      for (const key of names) {
        const hook = camelCase(key) as Hook;
        if (HOOKS.includes(hook) && typeof obj[key] === 'function') {
          const fn = obj[key] as (...args: unknown[]) => unknown;
          this.hooks.get(hook)!.push((...args) => fn.apply(obj, args));
          found++;
          epochEnd ||= hook === 'onEpochEnd';
        } else if (plain && !['setModel', 'set_model', 'model'].includes(key)) {
          const suggestion = closest(key, HOOKS);
          throw new ValueError(`${where}: unknown hook '${key}'${suggestion ? ` — did you mean '${suggestion}'?` : ''} (hooks: ${HOOKS.join(', ')})`);
        }
      }
      this.list.push([obj, epochEnd]);
      if (found === 0) throw new ValueError(`${where} has none of the hooks ${HOOKS.join(', ')}`);
      const setModel = obj.setModel ?? obj.set_model;
      if (typeof setModel === 'function') setModel.call(obj, model);
    });
  }

  /**
   * Tells the built-in callbacks, in order, the keys the epoch logs will hold when they see
   * them: fit's `keys` and those added by the built-ins before. A callback of the user's with
   * onEpochEnd may add any key, so the ones after it are told nothing and check at epoch end.
   */
  expectLogs(keys: readonly string[]): void {
    let known: string[] | null = [...keys];
    for (const [cb, epochEnd] of this.list) {
      if (cb instanceof Callback) {
        if (known) known = [...known, ...cb.addsLogs.filter((k) => !known!.includes(k))];
        cb.setLogKeys(known);
      }
      if (epochEnd && !isBuiltIn(cb)) known = null;
    }
  }

  async call(hook: Hook, ...args: unknown[]): Promise<void> {
    for (const fn of this.hooks.get(hook)!) await fn(...args);
  }
}

/** Method names along an object's prototype chain, up to Object.prototype. */
function methodNames(obj: object): string[] {
  const names: string[] = [];
  for (let p = Object.getPrototypeOf(obj); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) names.push(...Object.getOwnPropertyNames(p));
  return names;
}
