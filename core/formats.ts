// Parsing and validation of the tool contracts' JSON formats (DESIGN.md "Tool contracts").
// Every failure is an InputError whose message names the offending field, e.g.
// `net.layers[1].W[3]: expected a finite number, got null`.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { Cnn, CnnLayer, Shape } from '../theory/cnn.ts';
import { ACTIVATIONS, PARAMETERIZATIONS, type Activation, type Mat, type Mlp, type Parameterization } from '../theory/mlp.ts';

import { EnvironmentError, InputError } from './errors.ts';
// Defined in core/errors.ts (no imports), so the CLI's start does not load theory/ for it.
export { EnvironmentError, InputError };

/**
 * The environment failed (disk full, permissions, read-only file system, a busy lock, ...): the CLI prints the
 * message on one line and exits with code 3. `path` and `code` (an errno name) are part of the message.
 */

/** Input files larger than this are refused (a JSON tool's input is at most a few million numbers). */
export const MAX_INPUT_BYTES = 64 * 2 ** 20;

export function fail(field: string, problem: string): never {
  throw new InputError(`${field}: ${problem}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `"${v.length > 20 ? v.slice(0, 20) + '…' : v}"`;
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/**
 * Reads an input file as UTF-8 text: regular files only (symlinks are followed; a directory, FIFO, socket or device
 * such as /dev/zero is refused without reading it), at most MAX_INPUT_BYTES, a leading byte-order mark dropped.
 */
export function readInputText(path: string, label: string, maxBytes = MAX_INPUT_BYTES): string {
  if (path === '') fail(label, 'empty file name');
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below like any other non-regular file.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    fail(label, `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) fail(label, `${path} is not a regular file (${fileKind(st)}); give a JSON file`);
    if (st.size > maxBytes) fail(label, `${path} is ${st.size} bytes, over the input limit of ${maxBytes} bytes (${maxBytes / 2 ** 20} MiB)`);
    // Read at most maxBytes + 1 so a file that grows while we read is still caught by the limit.
    const buf = Buffer.alloc(Math.min(maxBytes + 1, Math.max(st.size, 0) + 65536));
    let len = 0;
    for (;;) {
      if (len === buf.length) break;
      const k = readSync(fd, buf, len, buf.length - len, null);
      if (k === 0) break;
      len += k;
    }
    if (len > maxBytes) fail(label, `${path} is over the input limit of ${maxBytes} bytes (${maxBytes / 2 ** 20} MiB)`);
    let text = buf.subarray(0, len).toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a UTF-8 byte-order mark
    return text;
  } catch (e) {
    if (e instanceof InputError) throw e;
    fail(label, `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    closeSync(fd);
  }
}

function fileKind(st: import('node:fs').Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a file';
}

/** Reads and parses a JSON file; `label` names it in errors (e.g. "--net"). See readInputText for the limits. */
export function readJson(path: string, label: string): unknown {
  const text = readInputText(path, label);
  try {
    return JSON.parse(text);
  } catch (e) {
    fail(label, `${path} is not valid JSON (${(e as Error).message})`);
  }
}

/**
 * The first non-finite number in a JSON-like value, as a path (`y[3][0]`), or null if every number is finite.
 * Tools check their answer with it: a tool never prints null, NaN or Infinity.
 */
export function firstNonFinite(v: unknown, path = ''): string | null {
  if (typeof v === 'number') return Number.isFinite(v) ? null : path || '(value)';
  if (ArrayBuffer.isView(v)) {
    const a = v as unknown as ArrayLike<number>;
    for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return `${path}[${i}]`;
    return null;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = firstNonFinite(v[i], `${path}[${i}]`);
      if (p) return p;
    }
    return null;
  }
  if (v && typeof v === 'object') {
    for (const [k, e] of Object.entries(v)) {
      const p = firstNonFinite(e, path ? `${path}.${k}` : k);
      if (p) return p;
    }
  }
  return null;
}

/** Refuses (exit 2) an answer holding a non-finite number; `blame` names the input field(s) responsible. */
export function assertFiniteOutput<T>(out: T, blame: string, why = 'the result overflows float64'): T {
  const p = firstNonFinite(out);
  if (p) fail(blame, `${why} (output ${p} is not finite); rescale the input`);
  return out;
}

export function asObject(v: unknown, field: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(field, `expected an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}

export function asNumber(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(field, `expected a finite number, got ${describe(v)}`);
  return v;
}

export function asArray(v: unknown, field: string, minLength = 0): unknown[] {
  if (!Array.isArray(v)) fail(field, `expected an array, got ${describe(v)}`);
  if (v.length < minLength) fail(field, `expected at least ${minLength} entries, got ${v.length}`);
  return v;
}

export function asEnum<T extends string>(v: unknown, field: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    fail(field, `expected one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${describe(v)}`);
  }
  return v as T;
}

/** A flat array of finite numbers of the given length (if given). */
export function asVector(v: unknown, field: string, length?: number): Float64Array {
  const a = asArray(v, field);
  if (length !== undefined && a.length !== length) fail(field, `expected ${length} entries, got ${a.length}`);
  const out = new Float64Array(a.length);
  a.forEach((x, i) => (out[i] = asNumber(x, `${field}[${i}]`)));
  return out;
}

/** A non-empty rectangular matrix given as rows; `cols` fixes the row length if given. */
export function asMatrix(v: unknown, field: string, shape: { rows?: number; cols?: number } = {}): Mat {
  const rows = asArray(v, field, 1);
  if (shape.rows !== undefined && rows.length !== shape.rows) fail(field, `expected ${shape.rows} rows, got ${rows.length}`);
  const first = asArray(rows[0], `${field}[0]`, 1);
  const cols = shape.cols ?? first.length;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => {
    const row = asArray(r, `${field}[${i}]`);
    if (row.length !== cols) fail(`${field}[${i}]`, `expected ${cols} entries, got ${row.length}`);
    row.forEach((x, j) => (data[i * cols + j] = asNumber(x, `${field}[${i}][${j}]`)));
  });
  return { rows: rows.length, cols, data };
}

/**
 * The fields every network format shares. sigmaW and sigmaB are required for NTK and optional for standard, where
 * they are ignored (a given value must still be a finite number); absent, they read as 1 and 0.
 */
function parseCommon(o: Record<string, unknown>, field: string): { activation: Activation; parameterization: Parameterization; sigmaW: number; sigmaB: number } {
  const activation = asEnum<Activation>(o.activation, `${field}.activation`, ACTIVATIONS);
  const parameterization = asEnum<Parameterization>(o.parameterization, `${field}.parameterization`, PARAMETERIZATIONS);
  const optional = parameterization === 'standard';
  const sigmaW = optional && o.sigmaW === undefined ? 1 : asNumber(o.sigmaW, `${field}.sigmaW`);
  const sigmaB = optional && o.sigmaB === undefined ? 0 : asNumber(o.sigmaB, `${field}.sigmaB`);
  return { activation, parameterization, sigmaW, sigmaB };
}

/** Parses an `mlp-v1` network, checking that consecutive layers chain. */
export function parseMlp(v: unknown, field = 'net'): Mlp {
  const o = asObject(v, field);
  if (o.format !== 'mlp-v1') fail(`${field}.format`, `expected "mlp-v1", got ${describe(o.format)}`);
  const common = parseCommon(o, field);
  const layersIn = asArray(o.layers, `${field}.layers`, 1);
  let prevOut: number | undefined;
  const layers = layersIn.map((l, i) => {
    const f = `${field}.layers[${i}]`;
    const lo = asObject(l, f);
    const W = asMatrix(lo.W, `${f}.W`, prevOut === undefined ? {} : { rows: prevOut });
    const b = asVector(lo.b, `${f}.b`, W.cols);
    prevOut = W.cols;
    return { nIn: W.rows, nOut: W.cols, W: W.data, b };
  });
  return { ...common, layers };
}

/** A positive integer (sizes, strides). */
export function asPositiveInt(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail(field, `expected a positive integer, got ${describe(v)}`);
  return v;
}

/**
 * A non-empty rectangular nested array of finite numbers with the given dimensions (undefined: any length ≥ 1, fixed
 * by the first entry), flattened row-major. Returns the data and the dimensions found.
 */
export function asTensor(v: unknown, field: string, dims: readonly (number | undefined)[], why: readonly (string | undefined)[] = []): { data: Float64Array; dims: number[] } {
  const found: number[] = [];
  const out: number[] = [];
  const walk = (x: unknown, f: string, d: number): void => {
    if (d === dims.length) {
      out.push(asNumber(x, f));
      return;
    }
    const a = asArray(x, f, 1);
    const want = dims[d] ?? found[d];
    if (want !== undefined && a.length !== want) fail(f, `expected ${want} entries${why[d] ? ` (${why[d]})` : ''}, got ${a.length}`);
    if (found[d] === undefined) found[d] = a.length;
    a.forEach((e, i) => walk(e, `${f}[${i}]`, d + 1));
  };
  walk(v, field, 0);
  return { data: Float64Array.from(out), dims: found };
}

const CNN_LAYER_TYPES = ['conv', 'avgpool', 'maxpool', 'dense'] as const;

function shapeText(s: Shape): string {
  return s.kind === 'map' ? `${s.h}×${s.w}×${s.c}` : `${s.n}`;
}

/**
 * Parses a `cnn-v1` network (DESIGN.md "Tool contracts"), checking every layer against the shape it receives: a
 * conv's cin against the input channels, a dense layer's rows against the flattened size, kernels and windows against
 * the input, conv and pool only on feature maps, and a dense last layer. Each refusal names the field.
 */
export function parseCnn(v: unknown, field = 'net'): Cnn {
  const o = asObject(v, field);
  if (o.format !== 'cnn-v1') fail(`${field}.format`, `expected "cnn-v1", got ${describe(o.format)}`);
  const common = parseCommon(o, field);
  const inArr = asArray(o.input, `${field}.input`);
  if (inArr.length !== 3) fail(`${field}.input`, `expected [H, W, C] (3 entries), got ${inArr.length} entries`);
  const input = inArr.map((x, i) => asPositiveInt(x, `${field}.input[${i}]`)) as [number, number, number];
  const layersIn = asArray(o.layers, `${field}.layers`, 1);
  let s: Shape = { kind: 'map', h: input[0], w: input[1], c: input[2] };
  const layers = layersIn.map((l, i): CnnLayer => {
    const f = `${field}.layers[${i}]`;
    const lo = asObject(l, f);
    const type = asEnum(lo.type, `${f}.type`, CNN_LAYER_TYPES);
    if (type === 'dense') {
      const nIn = s.kind === 'map' ? s.h * s.w * s.c : s.n;
      const why = s.kind === 'map' ? `one row per entry of the flattened ${shapeText(s)} input` : 'one row per output of the previous layer';
      const W = asTensor(lo.W, `${f}.W`, [nIn, undefined], [why]);
      const nOut = W.dims[1]!;
      const b = asVector(lo.b, `${f}.b`, nOut);
      s = { kind: 'flat', n: nOut };
      return { type, nIn, nOut, W: W.data, b };
    }
    if (s.kind !== 'map') fail(`${f}.type`, `a ${type} layer needs a feature map, but its input is the flat output of a dense layer`);
    const map = s;
    if (type === 'conv') {
      const W = asTensor(lo.W, `${f}.W`, [undefined, undefined, map.c, undefined], [undefined, undefined, `one per input channel: the input is ${shapeText(map)}`]);
      const [kh, kw, cin, cout] = W.dims as [number, number, number, number];
      const b = asVector(lo.b, `${f}.b`, cout);
      const stride = asPositiveInt(lo.stride, `${f}.stride`);
      const padding = asEnum<'same' | 'valid'>(lo.padding, `${f}.padding`, ['same', 'valid']);
      let h: number;
      let w: number;
      if (padding === 'same') {
        h = Math.ceil(map.h / stride);
        w = Math.ceil(map.w / stride);
      } else {
        if (kh > map.h || kw > map.w) fail(`${f}.W`, `a ${kh}×${kw} kernel does not fit the ${map.h}×${map.w} input with padding "valid"`);
        h = Math.floor((map.h - kh) / stride) + 1;
        w = Math.floor((map.w - kw) / stride) + 1;
      }
      s = { kind: 'map', h, w, c: cout };
      return { type, kh, kw, cin, cout, W: W.data, b, stride, padding };
    }
    const size = asPositiveInt(lo.size, `${f}.size`);
    if (size > map.h || size > map.w) fail(`${f}.size`, `a ${size}×${size} window is larger than the ${map.h}×${map.w} input`);
    s = { kind: 'map', h: Math.floor(map.h / size), w: Math.floor(map.w / size), c: map.c };
    return { type, size };
  });
  const last = layers.length - 1;
  if (layers[last]!.type !== 'dense') fail(`${field}.layers[${last}].type`, `the last layer must be "dense", got "${layers[last]!.type}"`);
  return { ...common, input, layers };
}

/** A `cnn-v1` network as JSON (W nested as [kh][kw][cin][cout] and [nIn][nOut]). */
export function cnnToJson(net: Cnn): Record<string, unknown> {
  return {
    format: 'cnn-v1',
    activation: net.activation,
    parameterization: net.parameterization,
    sigmaW: net.sigmaW,
    sigmaB: net.sigmaB,
    input: [...net.input],
    layers: net.layers.map((l) => {
      if (l.type === 'conv') return { type: 'conv', W: nest(l.W, [l.kh, l.kw, l.cin, l.cout]), b: Array.from(l.b), stride: l.stride, padding: l.padding };
      if (l.type === 'dense') return { type: 'dense', W: nest(l.W, [l.nIn, l.nOut]), b: Array.from(l.b) };
      return { type: l.type, size: l.size };
    }),
  };
}

/** A row-major flat array as nested arrays of the given dimensions. */
export function nest(data: ArrayLike<number>, dims: readonly number[]): unknown[] {
  const build = (offset: number, d: number): unknown[] => {
    const n = dims[d]!;
    if (d === dims.length - 1) return Array.from({ length: n }, (_, i) => data[offset + i]!);
    const stride = dims.slice(d + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: n }, (_, i) => build(offset + i * stride, d + 1));
  };
  return build(0, 0);
}

export type AnyNet = { format: 'mlp-v1'; net: Mlp } | { format: 'cnn-v1'; net: Cnn };

/** A network in either format, dispatched on its `format` field. */
export function parseNet(v: unknown, field = 'net'): AnyNet {
  const o = asObject(v, field);
  if (o.format === 'mlp-v1') return { format: 'mlp-v1', net: parseMlp(o, field) };
  if (o.format === 'cnn-v1') return { format: 'cnn-v1', net: parseCnn(o, field) };
  fail(`${field}.format`, `expected "mlp-v1" or "cnn-v1", got ${describe(o.format)}`);
}

export function netToJson(n: AnyNet): Record<string, unknown> {
  return n.format === 'mlp-v1' ? mlpToJson(n.net) : cnnToJson(n.net);
}

export function mlpToJson(net: Mlp): Record<string, unknown> {
  return {
    format: 'mlp-v1',
    activation: net.activation,
    parameterization: net.parameterization,
    sigmaW: net.sigmaW,
    sigmaB: net.sigmaB,
    layers: net.layers.map((l) => ({
      W: Array.from({ length: l.nIn }, (_, k) => Array.from(l.W.subarray(k * l.nOut, (k + 1) * l.nOut))),
      b: Array.from(l.b),
    })),
  };
}

/** Points `{"x": [[...], ...]}`, with `dim` fixing the input dimension if given. */
export function parsePoints(v: unknown, field = 'points', dim?: number): Mat {
  const o = asObject(v, field);
  return asMatrix(o.x, `${field}.x`, dim === undefined ? {} : { cols: dim });
}

/** Data `{"x": [[...]], "y": [...] | [[...]]}`; y becomes n×k (a flat y is n×1). */
export function parseData(v: unknown, field = 'data', opts: { dim?: number; outputs?: number } = {}): { x: Mat; y: Mat } {
  const o = asObject(v, field);
  const x = asMatrix(o.x, `${field}.x`, opts.dim === undefined ? {} : { cols: opts.dim });
  const yRaw = asArray(o.y, `${field}.y`);
  if (yRaw.length !== x.rows) fail(`${field}.y`, `expected ${x.rows} entries (one per row of x), got ${yRaw.length}`);
  let y: Mat;
  if (yRaw.length > 0 && Array.isArray(yRaw[0])) y = asMatrix(yRaw, `${field}.y`, { rows: x.rows, cols: opts.outputs });
  else {
    y = { rows: x.rows, cols: 1, data: asVector(yRaw, `${field}.y`) };
    if (opts.outputs !== undefined && opts.outputs !== 1) fail(`${field}.y`, `expected rows of ${opts.outputs} outputs, got a flat array`);
  }
  return { x, y };
}
