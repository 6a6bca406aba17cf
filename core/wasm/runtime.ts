// WebAssembly kernels for the float64 reference computations (issue 19: claims at NumPy speed).
//
// Kernels live in core/wasm/*.wat, assembled into one module by bin/build-wasm.mjs (committed as
// kernels.generated.ts). They use f64x2 SIMD lanes with separate multiply and add (wasm has no fused multiply-add
// outside relaxed-simd), and each kernel keeps the summation order of the plain JavaScript loop it replaces, so
// results are bit-identical: switching a loop to wasm never changes a report.
//
// An Arena is one fixed-size WebAssembly memory with its own instance of the kernels. Its memory never grows, so the
// Float64Array views it hands out stay valid for its whole life (growing a memory detaches every view). Create one
// per training loop or workspace, not per call: a memory and an instance cost ≈ 0.15 ms.
import { KERNELS_WASM_BASE64 } from './kernels.generated.ts';

/** The assembled kernels' exports: every argument is an f64 or an i32 (pointers are byte offsets, lengths count f64s). */
export type WasmExports = Record<string, (...args: number[]) => number>;

let compiled: WebAssembly.Module | undefined;

/** The kernels module, compiled once per thread. */
export function kernelsModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
  return compiled;
}

const PAGE = 65536;
const ALIGN = 16; // one v128

function alignedBytes(n: number): number {
  return Math.ceil((n * 8) / ALIGN) * ALIGN;
}

export class Arena {
  /** The kernels, bound to this arena's memory; cast to a typed interface where they are used. */
  readonly k: WasmExports;
  readonly memory: WebAssembly.Memory;
  private top = 0;
  private readonly capacity: number;

  /** An arena that holds views of the given lengths (f64 counts), each 16-byte aligned. */
  static forSizes(sizes: readonly number[]): Arena {
    return new Arena(sizes.reduce((s, n) => s + alignedBytes(n), 0));
  }

  constructor(bytes: number) {
    if (!(bytes >= 0) || !Number.isFinite(bytes)) throw new Error(`arena size must be a finite byte count, got ${bytes}`);
    const pages = Math.max(1, Math.ceil(bytes / PAGE));
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.capacity = pages * PAGE;
    this.k = new WebAssembly.Instance(kernelsModule(), { env: { memory: this.memory } }).exports as unknown as WasmExports;
  }

  /** A zeroed view of n f64s in this arena. */
  f64(n: number): Float64Array {
    const size = alignedBytes(n);
    if (this.top + size > this.capacity) throw new Error(`wasm arena full: ${n} f64s asked, ${(this.capacity - this.top) / 8} left`);
    const view = new Float64Array(this.memory.buffer, this.top, n);
    this.top += size;
    return view;
  }

  /** A view in this arena holding a copy of a. */
  copyOf(a: Float64Array): Float64Array {
    const v = this.f64(a.length);
    v.set(a);
    return v;
  }

  /** Whether a is a view of this arena's memory. */
  owns(a: ArrayBufferView): boolean {
    return a.buffer === this.memory.buffer;
  }

  /** The byte offset of a view of this arena, which is what the kernels take as a pointer. */
  ptr(a: Float64Array): number {
    if (a.buffer !== this.memory.buffer) throw new Error('wasm arena: the array is not in this arena');
    return a.byteOffset;
  }
}
