// Exact decimals, as the API's Python Decimal computes them: a value is a BigInt of
// digits and a scale (places after the point). Adding keeps the larger scale,
// multiplying adds the scales, and text is written as Python's str(Decimal) writes
// it ("0.6" × "95.5" = "57.30"), so a total shown here is the total the API gives.

const PLAIN = /^(\d+)(?:\.(\d+))?$/;

/** "95.5" as {digits: 955n, scale: 1}; null if the text is not a plain decimal. */
export function parseDecimal(text) {
  const found = PLAIN.exec(String(text ?? "").trim());
  if (!found) return null;
  const fraction = found[2] || "";
  return { digits: BigInt(found[1] + fraction), scale: fraction.length };
}

export const ZERO = { digits: 0n, scale: 0 };

function rescale(value, scale) {
  return value.digits * 10n ** BigInt(scale - value.scale);
}

export function add(a, b) {
  const scale = Math.max(a.scale, b.scale);
  return { digits: rescale(a, scale) + rescale(b, scale), scale };
}

export function multiply(a, b) {
  return { digits: a.digits * b.digits, scale: a.scale + b.scale };
}

/** Σ values, starting from Decimal(0) as Python's sum(…, Decimal(0)) does. */
export function sum(values) {
  return values.reduce(add, ZERO);
}

/** a compared with b: -1, 0 or 1. */
export function compare(a, b) {
  const scale = Math.max(a.scale, b.scale);
  const x = rescale(a, scale);
  const y = rescale(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The value as Python's str(Decimal) writes a non-negative number of this size. */
export function decimalText(value) {
  const digits = value.digits.toString().padStart(value.scale + 1, "0");
  if (value.scale === 0) return digits;
  return `${digits.slice(0, -value.scale)}.${digits.slice(-value.scale)}`;
}
