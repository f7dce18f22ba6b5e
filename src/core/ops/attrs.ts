import type { AttrValue } from '../ir';

// Attribute schemas: each op declares its attributes once, with a type and a default. The schema
// normalises what a file wrote (Keras writes `3` or `[3, 3]` for a kernel size) into one form, and
// later drives the inspector's controls (number, enum, tuple, boolean) and edit validation.

export type AttrKind = 'int' | 'float' | 'bool' | 'enum' | 'pair' | 'ints' | 'floats' | 'pads' | 'string' | 'any';

export interface AttrSpec<T = AttrValue> {
  readonly kind: AttrKind;
  readonly default: T | undefined;
  readonly values?: readonly string[];
  /** Normalises a raw value; throws AttrError with the reason when the value cannot be this attribute. */
  readonly parse: (raw: unknown) => T;
}

export class AttrError extends Error {}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function spec<T>(kind: AttrKind, def: T | undefined, parse: (raw: unknown) => T, values?: readonly string[]): AttrSpec<T> {
  return { kind, default: def, parse, values };
}

export const int = (def?: number): AttrSpec<number> =>
  spec('int', def, (raw) => {
    if (!isInt(raw)) throw new AttrError(`expected an integer, got ${JSON.stringify(raw)}`);
    return raw;
  });

export const float = (def?: number): AttrSpec<number> =>
  spec('float', def, (raw) => {
    if (typeof raw !== 'number' || !Number.isFinite(raw)) throw new AttrError(`expected a number, got ${JSON.stringify(raw)}`);
    return raw;
  });

export const bool = (def?: boolean): AttrSpec<boolean> =>
  spec('bool', def, (raw) => {
    if (typeof raw !== 'boolean') throw new AttrError(`expected true or false, got ${JSON.stringify(raw)}`);
    return raw;
  });

export const string = (def?: string): AttrSpec<string> =>
  spec('string', def, (raw) => {
    if (typeof raw !== 'string') throw new AttrError(`expected a string, got ${JSON.stringify(raw)}`);
    return raw;
  });

export const oneOf = <V extends string>(values: readonly V[], def?: V): AttrSpec<V> =>
  spec(
    'enum',
    def,
    (raw) => {
      const v = typeof raw === 'string' ? raw.toLowerCase() : raw;
      if (!values.includes(v as V)) throw new AttrError(`expected one of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
      return v as V;
    },
    values,
  );

/** An (h, w) pair written as one integer or two. */
export const pair = (def?: number): AttrSpec<readonly [number, number]> =>
  spec('pair', def === undefined ? undefined : ([def, def] as const), (raw) => {
    if (isInt(raw)) return [raw, raw] as const;
    if (Array.isArray(raw) && raw.length === 2 && raw.every(isInt)) return [raw[0], raw[1]] as const;
    throw new AttrError(`expected an integer or a pair of integers, got ${JSON.stringify(raw)}`);
  });

/** A list of integers (a target shape; -1 allowed). */
export const ints = (def?: readonly number[]): AttrSpec<readonly number[]> =>
  spec('ints', def, (raw) => {
    if (Array.isArray(raw) && raw.every(isInt)) return raw as number[];
    if (isInt(raw)) return [raw];
    throw new AttrError(`expected a list of integers, got ${JSON.stringify(raw)}`);
  });

/** A list of numbers (Resize's scales). */
export const floats = (def?: readonly number[]): AttrSpec<readonly number[]> =>
  spec('floats', def, (raw) => {
    if (Array.isArray(raw) && raw.every((v) => typeof v === 'number' && Number.isFinite(v))) return raw as number[];
    throw new AttrError(`expected a list of numbers, got ${JSON.stringify(raw)}`);
  });

/** Spatial padding or cropping: `p`, `[ph, pw]` or `[[top, bottom], [left, right]]`. */
export const pads = (def?: number): AttrSpec<readonly [readonly [number, number], readonly [number, number]]> =>
  spec('pads', def === undefined ? undefined : ([[def, def], [def, def]] as const), (raw) => {
    if (isInt(raw)) return [[raw, raw], [raw, raw]] as const;
    if (Array.isArray(raw) && raw.length === 2) {
      const [h, w] = raw;
      if (isInt(h) && isInt(w)) return [[h, h], [w, w]] as const;
      const isPair = (p: unknown): p is [number, number] => Array.isArray(p) && p.length === 2 && p.every(isInt);
      if (isPair(h) && isPair(w)) return [[h[0], h[1]], [w[0], w[1]]] as const;
    }
    throw new AttrError(`expected p, [ph, pw] or [[top, bottom], [left, right]], got ${JSON.stringify(raw)}`);
  });

/** Anything JSON (e.g. an initializer object); kept as written. */
export const any = (def?: AttrValue): AttrSpec<AttrValue> => spec('any', def, (raw) => raw as AttrValue);

/** The same attribute, or null where the file leaves it unset (e.g. ReLU's `max_value`). */
export const nullable = <T>(inner: AttrSpec<T>): AttrSpec<T | null> =>
  spec(inner.kind, null, (raw) => (raw === null || raw === undefined ? null : inner.parse(raw)), inner.values);

/**
 * Normalises raw attribute values (the format's, already under the schema's names) by an op's
 * schema: defaults filled, each value parsed. Returns the first problem instead of throwing.
 */
export function normaliseAttrs(schema: Readonly<Record<string, AttrSpec<unknown>>>, raw: Readonly<Record<string, unknown>>): { values: Record<string, AttrValue>; error?: string } {
  const values: Record<string, AttrValue> = {};
  for (const [attr, spec] of Object.entries(schema)) {
    const given = raw[attr];
    if (given === undefined || given === null) {
      if (spec.default === undefined && given === undefined) return { values, error: `missing required attribute "${attr}"` };
      values[attr] = (given === null && spec.default === undefined ? null : spec.default) as AttrValue;
      continue;
    }
    try {
      values[attr] = spec.parse(given) as AttrValue;
    } catch (e) {
      if (!(e instanceof AttrError)) throw e;
      return { values, error: `attribute "${attr}": ${e.message}` };
    }
  }
  return { values };
}
