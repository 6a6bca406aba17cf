;; Small shared kernels. Pointers are byte offsets into the arena's memory (core/wasm/runtime.ts); lengths count f64s.
;; f64x2 lanes do exactly the scalar operations (no fused multiply-add), so each value is bit-identical to a JS loop.

;; y[0..n) += a·x[0..n)
(func $axpy (export "axpy") (param $a f64) (param $x i32) (param $y i32) (param $n i32)
  (local $av v128) (local $end i32) (local $end2 i32)
  (local.set $av (f64x2.splat (local.get $a)))
  (local.set $end (i32.add (local.get $y) (i32.shl (local.get $n) (i32.const 3))))
  (local.set $end2 (i32.sub (local.get $end) (i32.const 8)))
  (block $done
    (loop $pairs
      (br_if $done (i32.ge_s (local.get $y) (local.get $end2))) ;; signed: end2 is −8 when y = 0 and n = 0
      (v128.store (local.get $y)
        (f64x2.add (v128.load (local.get $y)) (f64x2.mul (local.get $av) (v128.load (local.get $x)))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (br $pairs)))
  (if (i32.lt_u (local.get $y) (local.get $end))
    (then (f64.store (local.get $y)
      (f64.add (f64.load (local.get $y)) (f64.mul (local.get $a) (f64.load (local.get $x))))))))

;; y[0..n) −= a·x[0..n) (each y_k − a·x_k rounded as in `y[k] -= a * x[k]`): the gradient step of every loop
(func $sub_scaled (export "sub_scaled") (param $a f64) (param $x i32) (param $y i32) (param $n i32)
  (local $av v128) (local $end i32) (local $end2 i32)
  (local.set $av (f64x2.splat (local.get $a)))
  (local.set $end (i32.add (local.get $y) (i32.shl (local.get $n) (i32.const 3))))
  (local.set $end2 (i32.sub (local.get $end) (i32.const 8)))
  (block $done
    (loop $pairs
      (br_if $done (i32.ge_s (local.get $y) (local.get $end2))) ;; signed, as in axpy
      (v128.store (local.get $y)
        (f64x2.sub (v128.load (local.get $y)) (f64x2.mul (local.get $av) (v128.load (local.get $x)))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (br $pairs)))
  (if (i32.lt_u (local.get $y) (local.get $end))
    (then (f64.store (local.get $y)
      (f64.sub (f64.load (local.get $y)) (f64.mul (local.get $a) (f64.load (local.get $x))))))))

;; x[0..n) = +0
(func $zero (param $x i32) (param $n i32)
  (memory.fill (local.get $x) (i32.const 0) (i32.shl (local.get $n) (i32.const 3))))
