/**
 * Typed, validated access to a step's params. Plan params are untyped JSON (`Params`); every
 * value is checked here before a builder turns it into PowerShell, so a wrong type, a
 * non-integer number or an unresolved `{{capture:…}}` placeholder fails loudly (TypeError) on
 * this machine instead of becoming a wrong command on a host.
 */
import type { ActionName, ActionParams } from './catalog.js';
import type { Params } from '../remote/header.js';
import { psArray, psLiteral } from '../remote/ps-literal.js';

/** Keys whose value is a `V` (optional ones too: their readers are called only when the value is there). */
type KeysOfType<T, V> = { [K in keyof T]-?: NonNullable<T[K]> extends V ? K : never }[keyof T] & string;

/** Engine placeholders that must be resolved before a script is built. */
const PLACEHOLDER = /\{\{(capture|package|secret):/;

/** Reader for one action's params; key names are checked against the catalog at compile time. */
export interface ParamReader<A extends ActionName> {
  str(key: KeysOfType<ActionParams[A], string>, options?: { nonEmpty?: boolean }): string;
  /** A string param the catalog does not (yet) declare; `''` when absent. */
  extraStr(key: string): string;
  int(key: KeysOfType<ActionParams[A], number>, min: number, max: number): number;
  bool(key: KeysOfType<ActionParams[A], boolean>): boolean;
  strs(key: KeysOfType<ActionParams[A], string[]>): string[];
}

function checkString(where: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`${where} must be a string, got ${describe(value)}`);
  if (PLACEHOLDER.test(value))
    throw new TypeError(`${where} still holds the placeholder ${value}; the engine must resolve it first`);
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** In an action's builder: `readParams(<its name>, params).str('path')`, the key checked against its params type. */
export function readParams<A extends ActionName>(action: A, params: Params): ParamReader<A> {
  const where = (key: string): string => `${action}: param "${key}"`;
  return {
    str(key, options) {
      const value = checkString(where(key), params[key]);
      if (options?.nonEmpty && value === '') throw new TypeError(`${where(key)} must not be empty`);
      return value;
    },
    extraStr(key) {
      const value = params[key];
      return value === undefined || value === null ? '' : checkString(where(key), value);
    },
    int(key, min, max) {
      const value = params[key];
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
        throw new TypeError(`${where(key)} must be an integer from ${min} to ${max}, got ${describe(value)}`);
      }
      return value;
    },
    bool(key) {
      const value = params[key];
      if (typeof value !== 'boolean')
        throw new TypeError(`${where(key)} must be true or false, got ${describe(value)}`);
      return value;
    },
    strs(key) {
      const value = params[key];
      if (!Array.isArray(value))
        throw new TypeError(`${where(key)} must be an array of strings, got ${describe(value)}`);
      return value.map((item, i) => checkString(`${action}: param "${key}[${i}]"`, item));
    },
  };
}

/** A target the action cannot work without (a COM+ app, a service, a registry key…). */
export function requireTarget(action: ActionName, target: string): string {
  if (target.trim() === '') throw new TypeError(`${action}: the step has no target`);
  return target;
}

/** PowerShell source for a value: strings and string arrays as literals, numbers and booleans as checked tokens. */
export type PsValue = string | number | boolean | readonly string[];

function toPs(value: PsValue): string {
  if (typeof value === 'string') return psLiteral(value);
  if (typeof value === 'boolean') return value ? '$true' : '$false';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`${value} is not an integer`);
    return String(value);
  }
  return psArray(value);
}

/**
 * Declares script variables, one line each: every value enters the script exactly once, here,
 * and the body refers to the variables.
 */
export function declare(vars: Record<string, PsValue>): string {
  return Object.entries(vars)
    .map(([name, value]) => {
      if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new TypeError(`bad PowerShell variable name ${name}`);
      return `$${name} = ${toPs(value)}`;
    })
    .join('\n');
}
