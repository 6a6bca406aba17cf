// Canonical JSON for report.json: keys sorted, non-integers rounded to 6 significant digits (integers such as
// seeds, counts and steps stay exact), non-finite → null,
// two-space indentation and a final newline, so the same run gives the same bytes and diffs read well.

export function roundSig(x: number, digits = 6): number {
  if (!Number.isFinite(x)) return x;
  if (x === 0) return 0; // also folds −0
  const r = Number(x.toPrecision(digits));
  return Object.is(r, -0) ? 0 : r;
}

/** A deep copy with sorted keys and rounded numbers (undefined fields dropped, as JSON does). */
export function canonicalize(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? (Number.isSafeInteger(v) ? v : roundSig(v)) : null;
  if (Array.isArray(v)) return v.map(canonicalize);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, (x) => canonicalize(x));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const e = (v as Record<string, unknown>)[k];
      if (e !== undefined && typeof e !== 'function') out[k] = canonicalize(e);
    }
    return out;
  }
  return v;
}

export function canonicalJson(v: unknown): string {
  return JSON.stringify(canonicalize(v), null, 2) + '\n';
}
