/**
 * resource.Quantity: fixed-point numbers with SI / binary SI / exponent
 * suffixes ("100m", "1Gi", "1e3"). Values are exact (bigint mantissa and a
 * power-of-ten exponent), parsed and serialized the way upstream does, so a
 * quantity read and written back keeps its upstream spelling: strings already
 * in canonical form are kept verbatim, others are rewritten canonically
 * ("1000" -> "1k", "1.5" -> "1500m", "1024Mi" -> "1Gi").
 */
import { badRequest } from './errors/status-error.js';

export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

export const QUANTITY_PATTERN = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
export const ERR_QUANTITY_FORMAT = `quantities must match the regular expression '${QUANTITY_PATTERN}'`;
export const ERR_QUANTITY_NUMERIC = 'unable to parse numeric part of quantity';
export const ERR_QUANTITY_SUFFIX = "unable to parse quantity's suffix";

/** Thrown by parseQuantity; `message` is upstream's text. */
export class QuantityParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantityParseError';
  }
  /** The same failure as a 400, for callers answering a request. */
  toStatusError() {
    return badRequest(this.message);
  }
}

const NANO = -9;
const INT64_MAX = (1n << 63n) - 1n;
// Exponents beyond this would make exact arithmetic allocate absurd integers.
const MAX_ABS_EXPONENT = 10_000;

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalByExponent = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binaryByExponent = new Map(Object.entries(binarySuffixes).map(([s, e]) => [e, s]));

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}

/** a / b rounded away from zero, and whether it was exact. */
function divAwayFromZero(a: bigint, b: bigint): { q: bigint; exact: boolean } {
  const q = a / b;
  const r = a % b;
  if (r === 0n) return { q, exact: true };
  return { q: a < 0n ? q - 1n : q + 1n, exact: false };
}

export class Quantity {
  /** value = mantissa * 10^exponent */
  private constructor(
    readonly mantissa: bigint,
    readonly exponent: number,
    readonly format: QuantityFormat,
    private readonly cached?: string,
  ) {}

  /** @internal */
  static of(mantissa: bigint, exponent: number, format: QuantityFormat, cached?: string): Quantity {
    return new Quantity(mantissa, exponent, format, cached);
  }

  isZero(): boolean {
    return this.mantissa === 0n;
  }

  sign(): -1 | 0 | 1 {
    return this.mantissa === 0n ? 0 : this.mantissa < 0n ? -1 : 1;
  }

  /** Both mantissas brought to the smaller exponent. */
  private aligned(other: Quantity): [bigint, bigint, number] {
    const e = Math.min(this.exponent, other.exponent);
    return [this.mantissa * pow10(this.exponent - e), other.mantissa * pow10(other.exponent - e), e];
  }

  cmp(other: Quantity): -1 | 0 | 1 {
    const [a, b] = this.aligned(other);
    return a === b ? 0 : a < b ? -1 : 1;
  }

  equal(other: Quantity): boolean {
    return this.cmp(other) === 0;
  }

  /** The sum; a zero receiver takes the other's format, as upstream's Add. */
  add(other: Quantity): Quantity {
    const [a, b, e] = this.aligned(other);
    return new Quantity(a + b, e, this.isZero() ? other.format : this.format);
  }

  sub(other: Quantity): Quantity {
    const [a, b, e] = this.aligned(other);
    return new Quantity(a - b, e, this.isZero() ? other.format : this.format);
  }

  neg(): Quantity {
    return new Quantity(-this.mantissa, this.exponent, this.format);
  }

  /** The value at 10^scale units, rounded away from zero (upstream ScaledValue). */
  scaledValue(scale: number): bigint {
    const d = this.exponent - scale;
    if (d >= 0) return this.mantissa * pow10(d);
    return divAwayFromZero(this.mantissa, pow10(-d)).q;
  }

  /** The integer value rounded away from zero, as upstream Value(). */
  value(): number {
    return Number(this.scaledValue(0));
  }

  /** ceil(q * 1000) away from zero, as upstream MilliValue(). */
  milliValue(): number {
    return Number(this.scaledValue(-3));
  }

  asApproximateFloat64(): number {
    return Number(this.mantissa) * 10 ** this.exponent;
  }

  /** The serialized form: the original spelling when canonical, else the canonical form. */
  toString(): string {
    return this.cached ?? canonicalize(this);
  }

  toJSON(): string {
    return this.toString();
  }
}

function removeFactors(v: bigint, base: bigint): { v: bigint; times: number } {
  let times = 0;
  while (v !== 0n && v % base === 0n) {
    v /= base;
    times++;
  }
  return { v, times };
}

function canonicalize(q: Quantity): string {
  if (q.isZero()) return '0';
  let format = q.format;
  let rounded = 0n;
  if (format === 'BinarySI') {
    const one = Quantity.of(1024n, 0, 'DecimalSI');
    if (q.cmp(one.neg()) > 0 && q.cmp(one) < 0) {
      format = 'DecimalSI';
    } else {
      const d = q.exponent;
      if (d >= 0) rounded = q.mantissa * pow10(d);
      else {
        const r = divAwayFromZero(q.mantissa, pow10(-d));
        rounded = r.q;
        if (!r.exact) format = 'DecimalSI';
      }
    }
  }
  if (format === 'BinarySI') {
    const { v, times } = removeFactors(rounded, 1024n);
    return v.toString() + (binaryByExponent.get(times * 10) ?? '');
  }
  const removed = removeFactors(q.mantissa, 10n);
  let m = removed.v;
  let e = q.exponent + removed.times;
  while (((e % 3) + 3) % 3 !== 0) {
    m *= 10n;
    e--;
  }
  if (format === 'DecimalExponent') return e === 0 ? m.toString() : `${m}e${e}`;
  const suffix = decimalByExponent.get(e);
  // Beyond the SI table (above E) upstream would drop the exponent; keep the value exact instead.
  return suffix === undefined ? `${m}e${e}` : m.toString() + suffix;
}

interface ParsedString {
  positive: boolean;
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** Splits a quantity string as upstream's parseQuantityString; undefined when malformed. */
function splitQuantity(str: string): ParsedString | undefined {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (str[0] === '-') {
    positive = false;
    pos++;
  } else if (str[0] === '+') pos++;
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  const num = str.slice(pos, i);
  if (i >= end) return { positive, value: str, num, denom: '', suffix: '' };
  pos = i;
  let denom = '';
  if (str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && isDigit(str[i])) i++;
    denom = str.slice(pos, i);
    if (i >= end) return { positive, value: str, num, denom, suffix: '' };
    pos = i;
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  i = pos;
  while (i < end && 'eEinumkKMGTP'.includes(str[i]!)) i++;
  if (i >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  pos = i;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  for (i = pos; i < end; i++) if (!isDigit(str[i])) return undefined;
  return { positive, value, num, denom, suffix: str.slice(suffixStart) };
}

function interpretSuffix(suffix: string): { base: 10 | 2; exponent: number; format: QuantityFormat } | undefined {
  if (suffix in decimalSuffixes) return { base: 10, exponent: decimalSuffixes[suffix]!, format: 'DecimalSI' };
  if (suffix in binarySuffixes) return { base: 2, exponent: binarySuffixes[suffix]!, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const rest = suffix.slice(1);
    if (!/^[+-]?\d+$/.test(rest)) return undefined;
    const n = Number(rest);
    if (!Number.isSafeInteger(n)) return undefined;
    return { base: 10, exponent: n, format: 'DecimalExponent' };
  }
  return undefined;
}

/** Parses a decimal string such as "-1.50" or ".5" into mantissa * 10^exponent. */
function parseDecimal(value: string): { m: bigint; e: number } | undefined {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(value);
  if (!match) return undefined;
  const [, sign, int = '', frac = ''] = match;
  if (!int && !frac) return undefined;
  const m = BigInt((int || '0') + frac);
  return { m: sign === '-' ? -m : m, e: -frac.length };
}

/** Parses upstream's Quantity syntax; throws QuantityParseError with upstream's messages. */
export function parseQuantity(input: string | number): Quantity {
  const str = typeof input === 'number' ? numberText(input) : input;
  if (str.length === 0) throw new QuantityParseError(ERR_QUANTITY_FORMAT);
  if (str === '0') return Quantity.of(0n, 0, 'DecimalSI', '0');
  const parts = splitQuantity(str);
  if (!parts) throw new QuantityParseError(ERR_QUANTITY_FORMAT);
  const { positive, value, num, denom, suffix } = parts;
  const interpreted = interpretSuffix(suffix);
  if (!interpreted) throw new QuantityParseError(ERR_QUANTITY_SUFFIX);
  const { base, exponent, format } = interpreted;
  if (Math.abs(exponent) > MAX_ABS_EXPONENT) throw new QuantityParseError(ERR_QUANTITY_NUMERIC);

  // Upstream's fast path decides which spellings are already canonical and kept verbatim.
  let precision = 0;
  let scale = 0;
  let multiplier = 1n;
  if (format === 'BinarySI') {
    if (exponent >= 0 && denom.length === 0) {
      multiplier = 1n << BigInt(exponent);
      precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
    } else precision = -1;
  } else {
    scale = exponent;
    precision = 18 - (num.length + denom.length);
  }
  if (precision >= 0) {
    scale -= denom.length;
    if (scale >= NANO) {
      const shifted = num + denom;
      if (!/^\d+$/.test(shifted)) throw new QuantityParseError(ERR_QUANTITY_NUMERIC);
      const v = BigInt(shifted);
      const product = v * multiplier;
      if (product <= INT64_MAX) {
        const result = positive ? product : -product;
        const canonical =
          format === 'BinarySI' ? exponent % 10 === 0 && (v & 7n) !== 0n : scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
        return Quantity.of(result, scale, format, canonical ? str : undefined);
      }
    }
  }

  const dec = parseDecimal(value);
  if (!dec) throw new QuantityParseError(ERR_QUANTITY_NUMERIC);
  let m = abs(dec.m);
  let e = dec.e;
  if (base === 10) e += exponent;
  else m *= 1n << BigInt(exponent);
  if (m !== 0n && e < NANO) {
    // Round up so that a tiny non-zero request still asks for something.
    m = divAwayFromZero(m, pow10(NANO - e)).q;
    e = NANO;
  }
  let fmt = format;
  let q = Quantity.of(m, e, fmt);
  if (fmt === 'BinarySI' && q.cmp(Quantity.of(INT64_MAX, 0, fmt)) > 0) {
    m = INT64_MAX;
    e = 0;
    q = Quantity.of(m, e, fmt);
  }
  if (fmt === 'BinarySI' && m !== 0n && q.cmp(Quantity.of(1n, 0, fmt)) < 0) fmt = 'DecimalSI';
  const negative = dec.m < 0n || !positive;
  return Quantity.of(negative ? -m : m, e, fmt);
}

/** JSON numbers reach upstream as their JSON text; JS spells large/small ones with e+NN. */
function numberText(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return String(n).replace('e+', 'e');
}

/** Parses and reports failure as a value. */
export function tryParseQuantity(input: unknown): { ok: true; quantity: Quantity } | { ok: false; message: string } {
  if (typeof input !== 'string' && typeof input !== 'number') return { ok: false, message: ERR_QUANTITY_FORMAT };
  try {
    return { ok: true, quantity: parseQuantity(input) };
  } catch (err) {
    if (err instanceof QuantityParseError) return { ok: false, message: err.message };
    throw err;
  }
}

/** Whether a JSON value is a valid quantity (string or number). */
export function isQuantity(v: unknown): boolean {
  return tryParseQuantity(v).ok;
}

/** Parses a quantity that is known to be valid (constants in code). */
export function mustParseQuantity(s: string): Quantity {
  return parseQuantity(s);
}

/** upstream NewQuantity */
export function newQuantity(value: number | bigint, format: QuantityFormat): Quantity {
  return Quantity.of(BigInt(value), 0, format);
}

/** upstream NewMilliQuantity */
export function newMilliQuantity(value: number | bigint, format: QuantityFormat): Quantity {
  return Quantity.of(BigInt(value), -3, format);
}

/** upstream NewScaledQuantity: value * 10^scale in DecimalSI. */
export function newScaledQuantity(value: number | bigint, scale: number): Quantity {
  return Quantity.of(BigInt(value), scale, 'DecimalSI');
}
