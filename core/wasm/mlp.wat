;; Dense-layer kernels of the float64 MLP (theory/mlp.ts). Pointers are byte offsets into the arena; counts are f64s.
;; Bit-identical to the plain loops of theory/mlp.ts's definitions: every output is its own sum, accumulated from +0
;; in the order of the summed index; f64x2 lanes only hold independent outputs (two columns, or two rows of one
;; column); multiplies and adds are separate instructions. Zero-skipping (`if (h !== 0)`), where a kernel asks for it,
;; drops the term: an all-nonzero block takes the fast path, a block with a zero falls back to per-term updates, and the
;; one-column path masks the product to +0 (a sum that starts at +0 is never −0, so adding +0 changes nothing; only
;; 0·∞ = NaN would differ, which is what the skip is for).

;; out[r·C + c] = Σ_{t<T} a(r,t)·b[t·C + c] for r < R, c < C (out overwritten), with a(r,t) = a[r·sr + t·st]: the
;; one product of the MLP's forward (h·W: sr = nIn, st = 1), gradient (hᵀ·δ: sr = 1, st = nIn) and backward-signal
;; (δ·Wᵀ with Wᵀ stored) passes. skip ≠ 0: terms with a(r,t) = 0 (or −0) are left out.
(func $mlp_gemm (export "mlp_gemm")
  (param $a i32) (param $sr i32) (param $st i32) (param $R i32) (param $T i32)
  (param $b i32) (param $C i32) (param $out i32) (param $skip i32)
  (local $r i32) (local $t i32) (local $rowA i32) (local $pa0 i32) (local $pa1 i32) (local $pb i32)
  (local $o0 i32) (local $o1 i32) (local $sr8 i32) (local $st8 i32) (local $C8 i32)
  (local $x0 f64) (local $x1 f64) (local $x2 f64) (local $x3 f64)
  (local $y0 f64) (local $y1 f64) (local $y2 f64) (local $y3 f64)
  (if (i32.eq (local.get $C) (i32.const 1)) (then
    (call $mlp_gemv (local.get $a) (local.get $sr) (local.get $st) (local.get $R) (local.get $T) (local.get $b)
      (local.get $out) (local.get $skip))
    (return)))
  (call $zero (local.get $out) (i32.mul (local.get $R) (local.get $C)))
  (local.set $sr8 (i32.shl (local.get $sr) (i32.const 3)))
  (local.set $st8 (i32.shl (local.get $st) (i32.const 3)))
  (local.set $C8 (i32.shl (local.get $C) (i32.const 3)))
  ;; two rows at a time
  (local.set $r (i32.const 0))
  (block $rowsDone
    (loop $rows
      (br_if $rowsDone (i32.ge_s (i32.add (local.get $r) (i32.const 1)) (local.get $R)))
      (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $sr8))))
      (local.set $pa1 (i32.add (local.get $pa0) (local.get $sr8)))
      (local.set $o0 (i32.add (local.get $out) (i32.mul (local.get $r) (local.get $C8))))
      (local.set $o1 (i32.add (local.get $o0) (local.get $C8)))
      (local.set $pb (local.get $b))
      (local.set $t (i32.const 0))
      ;; no term of the two rows to skip: whole rows with the sums in registers (the common case: tanh never gives 0)
      (if (i32.or (i32.eqz (local.get $skip)) (call $mlp_nonzero2 (local.get $pa0) (local.get $pa1) (local.get $st8) (local.get $T)))
        (then
          (call $mlp_tile2 (local.get $pa0) (local.get $pa1) (local.get $st8) (local.get $T) (local.get $b) (local.get $C)
            (local.get $o0) (local.get $o1))
          (local.set $t (local.get $T))))
      ;; four terms at a time
      (block $blocksDone
        (loop $blocks
          (br_if $blocksDone (i32.ge_s (i32.add (local.get $t) (i32.const 3)) (local.get $T)))
          (local.set $x0 (f64.load (local.get $pa0)))
          (local.set $x1 (f64.load (i32.add (local.get $pa0) (local.get $st8))))
          (local.set $x2 (f64.load (i32.add (local.get $pa0) (i32.shl (local.get $st8) (i32.const 1)))))
          (local.set $x3 (f64.load (i32.add (local.get $pa0) (i32.mul (local.get $st8) (i32.const 3)))))
          (local.set $y0 (f64.load (local.get $pa1)))
          (local.set $y1 (f64.load (i32.add (local.get $pa1) (local.get $st8))))
          (local.set $y2 (f64.load (i32.add (local.get $pa1) (i32.shl (local.get $st8) (i32.const 1)))))
          (local.set $y3 (f64.load (i32.add (local.get $pa1) (i32.mul (local.get $st8) (i32.const 3)))))
          (if (i32.and (i32.ne (local.get $skip) (i32.const 0))
                (i32.eqz (i32.and
                  (i32.and (i32.and (f64.ne (local.get $x0) (f64.const 0)) (f64.ne (local.get $x1) (f64.const 0)))
                           (i32.and (f64.ne (local.get $x2) (f64.const 0)) (f64.ne (local.get $x3) (f64.const 0))))
                  (i32.and (i32.and (f64.ne (local.get $y0) (f64.const 0)) (f64.ne (local.get $y1) (f64.const 0)))
                           (i32.and (f64.ne (local.get $y2) (f64.const 0)) (f64.ne (local.get $y3) (f64.const 0)))))))
            (then ;; a zero among the eight: term by term, row by row (each output still sums in t order)
              (call $mlp_axpy_skip (local.get $x0) (local.get $pb) (local.get $o0) (local.get $C))
              (call $mlp_axpy_skip (local.get $x1) (i32.add (local.get $pb) (local.get $C8)) (local.get $o0) (local.get $C))
              (call $mlp_axpy_skip (local.get $x2) (i32.add (local.get $pb) (i32.shl (local.get $C8) (i32.const 1))) (local.get $o0) (local.get $C))
              (call $mlp_axpy_skip (local.get $x3) (i32.add (local.get $pb) (i32.mul (local.get $C8) (i32.const 3))) (local.get $o0) (local.get $C))
              (call $mlp_axpy_skip (local.get $y0) (local.get $pb) (local.get $o1) (local.get $C))
              (call $mlp_axpy_skip (local.get $y1) (i32.add (local.get $pb) (local.get $C8)) (local.get $o1) (local.get $C))
              (call $mlp_axpy_skip (local.get $y2) (i32.add (local.get $pb) (i32.shl (local.get $C8) (i32.const 1))) (local.get $o1) (local.get $C))
              (call $mlp_axpy_skip (local.get $y3) (i32.add (local.get $pb) (i32.mul (local.get $C8) (i32.const 3))) (local.get $o1) (local.get $C)))
            (else
              (call $mlp_block24 (local.get $x0) (local.get $x1) (local.get $x2) (local.get $x3)
                (local.get $y0) (local.get $y1) (local.get $y2) (local.get $y3)
                (local.get $pb) (local.get $C) (local.get $o0) (local.get $o1))))
          (local.set $pa0 (i32.add (local.get $pa0) (i32.shl (local.get $st8) (i32.const 2))))
          (local.set $pa1 (i32.add (local.get $pa1) (i32.shl (local.get $st8) (i32.const 2))))
          (local.set $pb (i32.add (local.get $pb) (i32.shl (local.get $C8) (i32.const 2))))
          (local.set $t (i32.add (local.get $t) (i32.const 4)))
          (br $blocks)))
      ;; the remaining terms one at a time
      (block $tailDone
        (loop $tail
          (br_if $tailDone (i32.ge_s (local.get $t) (local.get $T)))
          (call $mlp_axpy_term (f64.load (local.get $pa0)) (local.get $pb) (local.get $o0) (local.get $C) (local.get $skip))
          (call $mlp_axpy_term (f64.load (local.get $pa1)) (local.get $pb) (local.get $o1) (local.get $C) (local.get $skip))
          (local.set $pa0 (i32.add (local.get $pa0) (local.get $st8)))
          (local.set $pa1 (i32.add (local.get $pa1) (local.get $st8)))
          (local.set $pb (i32.add (local.get $pb) (local.get $C8)))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $tail)))
      (local.set $r (i32.add (local.get $r) (i32.const 2)))
      (br $rows)))
  ;; the last row of an odd R
  (if (i32.lt_s (local.get $r) (local.get $R)) (then
    (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $sr8))))
    (local.set $o0 (i32.add (local.get $out) (i32.mul (local.get $r) (local.get $C8))))
    (local.set $pb (local.get $b))
    (local.set $t (i32.const 0))
    (block $lastDone
      (loop $last
        (br_if $lastDone (i32.ge_s (local.get $t) (local.get $T)))
        (call $mlp_axpy_term (f64.load (local.get $pa0)) (local.get $pb) (local.get $o0) (local.get $C) (local.get $skip))
        (local.set $pa0 (i32.add (local.get $pa0) (local.get $st8)))
        (local.set $pb (i32.add (local.get $pb) (local.get $C8)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $last))))))

;; Whether a(r,t) and a(r+1,t) (at p0 and p1, stride st8 bytes) are nonzero for every t < T.
(func $mlp_nonzero2 (param $p0 i32) (param $p1 i32) (param $st8 i32) (param $T i32) (result i32)
  (local $t i32)
  (block $done
    (loop $each
      (br_if $done (i32.ge_s (local.get $t) (local.get $T)))
      (if (i32.or (f64.eq (f64.load (local.get $p0)) (f64.const 0)) (f64.eq (f64.load (local.get $p1)) (f64.const 0)))
        (then (return (i32.const 0))))
      (local.set $p0 (i32.add (local.get $p0) (local.get $st8)))
      (local.set $p1 (i32.add (local.get $p1) (local.get $st8)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $each)))
  (i32.const 1))

;; o0[c] = Σ_t a0(t)·w[t·C + c] and o1[c] = Σ_t a1(t)·w[t·C + c] for c < C, every term added from +0 in t order (what
;; the blocked path computes when no term is skipped), eight columns of both rows per pass: sixteen sums in eight
;; f64x2 registers, each w pair loaded once for both rows and each coefficient once per eight columns.
(func $mlp_tile2 (param $p0 i32) (param $p1 i32) (param $st8 i32) (param $T i32) (param $w i32) (param $C i32) (param $o0 i32) (param $o1 i32)
  (local $c i32) (local $t i32) (local $C8 i32) (local $q0 i32) (local $q1 i32) (local $pw i32)
  (local $x v128) (local $y v128) (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128)
  (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
  (local $sa f64) (local $sb f64) (local $sw f64)
  (local.set $C8 (i32.shl (local.get $C) (i32.const 3)))
  (block $octsDone
    (loop $octs
      (br_if $octsDone (i32.ge_s (i32.add (local.get $c) (i32.const 7)) (local.get $C)))
      (local.set $a0 (v128.const i64x2 0 0)) (local.set $a1 (v128.const i64x2 0 0))
      (local.set $a2 (v128.const i64x2 0 0)) (local.set $a3 (v128.const i64x2 0 0))
      (local.set $b0 (v128.const i64x2 0 0)) (local.set $b1 (v128.const i64x2 0 0))
      (local.set $b2 (v128.const i64x2 0 0)) (local.set $b3 (v128.const i64x2 0 0))
      (local.set $q0 (local.get $p0))
      (local.set $q1 (local.get $p1))
      (local.set $pw (i32.add (local.get $w) (i32.shl (local.get $c) (i32.const 3))))
      (local.set $t (i32.const 0))
      (block $termsDone
        (loop $terms
          (br_if $termsDone (i32.ge_s (local.get $t) (local.get $T)))
          (local.set $x (v128.load64_splat (local.get $q0)))
          (local.set $y (v128.load64_splat (local.get $q1)))
          (local.set $w0 (v128.load (local.get $pw)))
          (local.set $w1 (v128.load offset=16 (local.get $pw)))
          (local.set $w2 (v128.load offset=32 (local.get $pw)))
          (local.set $w3 (v128.load offset=48 (local.get $pw)))
          (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $x) (local.get $w0))))
          (local.set $b0 (f64x2.add (local.get $b0) (f64x2.mul (local.get $y) (local.get $w0))))
          (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $x) (local.get $w1))))
          (local.set $b1 (f64x2.add (local.get $b1) (f64x2.mul (local.get $y) (local.get $w1))))
          (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $x) (local.get $w2))))
          (local.set $b2 (f64x2.add (local.get $b2) (f64x2.mul (local.get $y) (local.get $w2))))
          (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $x) (local.get $w3))))
          (local.set $b3 (f64x2.add (local.get $b3) (f64x2.mul (local.get $y) (local.get $w3))))
          (local.set $q0 (i32.add (local.get $q0) (local.get $st8)))
          (local.set $q1 (i32.add (local.get $q1) (local.get $st8)))
          (local.set $pw (i32.add (local.get $pw) (local.get $C8)))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $terms)))
      (v128.store (local.get $o0) (local.get $a0))
      (v128.store offset=16 (local.get $o0) (local.get $a1))
      (v128.store offset=32 (local.get $o0) (local.get $a2))
      (v128.store offset=48 (local.get $o0) (local.get $a3))
      (v128.store (local.get $o1) (local.get $b0))
      (v128.store offset=16 (local.get $o1) (local.get $b1))
      (v128.store offset=32 (local.get $o1) (local.get $b2))
      (v128.store offset=48 (local.get $o1) (local.get $b3))
      (local.set $o0 (i32.add (local.get $o0) (i32.const 64)))
      (local.set $o1 (i32.add (local.get $o1) (i32.const 64)))
      (local.set $c (i32.add (local.get $c) (i32.const 8)))
      (br $octs)))
  ;; the remaining column pairs
  (block $pairsDone
    (loop $pairs
      (br_if $pairsDone (i32.ge_s (i32.add (local.get $c) (i32.const 1)) (local.get $C)))
      (local.set $a0 (v128.const i64x2 0 0))
      (local.set $b0 (v128.const i64x2 0 0))
      (local.set $q0 (local.get $p0))
      (local.set $q1 (local.get $p1))
      (local.set $pw (i32.add (local.get $w) (i32.shl (local.get $c) (i32.const 3))))
      (local.set $t (i32.const 0))
      (block $termsDone2
        (loop $terms2
          (br_if $termsDone2 (i32.ge_s (local.get $t) (local.get $T)))
          (local.set $w0 (v128.load (local.get $pw)))
          (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load64_splat (local.get $q0)) (local.get $w0))))
          (local.set $b0 (f64x2.add (local.get $b0) (f64x2.mul (v128.load64_splat (local.get $q1)) (local.get $w0))))
          (local.set $q0 (i32.add (local.get $q0) (local.get $st8)))
          (local.set $q1 (i32.add (local.get $q1) (local.get $st8)))
          (local.set $pw (i32.add (local.get $pw) (local.get $C8)))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $terms2)))
      (v128.store (local.get $o0) (local.get $a0))
      (v128.store (local.get $o1) (local.get $b0))
      (local.set $o0 (i32.add (local.get $o0) (i32.const 16)))
      (local.set $o1 (i32.add (local.get $o1) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 2)))
      (br $pairs)))
  ;; the last column of an odd C
  (if (i32.lt_s (local.get $c) (local.get $C)) (then
    (local.set $sa (f64.const 0))
    (local.set $sb (f64.const 0))
    (local.set $q0 (local.get $p0))
    (local.set $q1 (local.get $p1))
    (local.set $pw (i32.add (local.get $w) (i32.shl (local.get $c) (i32.const 3))))
    (local.set $t (i32.const 0))
    (block $termsDone3
      (loop $terms3
        (br_if $termsDone3 (i32.ge_s (local.get $t) (local.get $T)))
        (local.set $sw (f64.load (local.get $pw)))
        (local.set $sa (f64.add (local.get $sa) (f64.mul (f64.load (local.get $q0)) (local.get $sw))))
        (local.set $sb (f64.add (local.get $sb) (f64.mul (f64.load (local.get $q1)) (local.get $sw))))
        (local.set $q0 (i32.add (local.get $q0) (local.get $st8)))
        (local.set $q1 (i32.add (local.get $q1) (local.get $st8)))
        (local.set $pw (i32.add (local.get $pw) (local.get $C8)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $terms3)))
    (f64.store (local.get $o0) (local.get $sa))
    (f64.store (local.get $o1) (local.get $sb)))))

;; o0[c] = o0[c] + x0·w0[c] + x1·w1[c] + x2·w2[c] + x3·w3[c] (left to right) and the same for o1 with y0..y3, where
;; w_q is row q of the C-wide matrix at w: two rows × four terms per pass, each loaded w pair serving both rows.
(func $mlp_block24
  (param $x0 f64) (param $x1 f64) (param $x2 f64) (param $x3 f64)
  (param $y0 f64) (param $y1 f64) (param $y2 f64) (param $y3 f64)
  (param $w i32) (param $C i32) (param $o0 i32) (param $o1 i32)
  (local $vx0 v128) (local $vx1 v128) (local $vx2 v128) (local $vx3 v128)
  (local $vy0 v128) (local $vy1 v128) (local $vy2 v128) (local $vy3 v128)
  (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128)
  (local $C8 i32) (local $c i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
  (local $s0 f64) (local $s1 f64) (local $s2 f64) (local $s3 f64)
  (local.set $vx0 (f64x2.splat (local.get $x0)))
  (local.set $vx1 (f64x2.splat (local.get $x1)))
  (local.set $vx2 (f64x2.splat (local.get $x2)))
  (local.set $vx3 (f64x2.splat (local.get $x3)))
  (local.set $vy0 (f64x2.splat (local.get $y0)))
  (local.set $vy1 (f64x2.splat (local.get $y1)))
  (local.set $vy2 (f64x2.splat (local.get $y2)))
  (local.set $vy3 (f64x2.splat (local.get $y3)))
  (local.set $C8 (i32.shl (local.get $C) (i32.const 3)))
  (local.set $p1 (i32.add (local.get $w) (local.get $C8)))
  (local.set $p2 (i32.add (local.get $p1) (local.get $C8)))
  (local.set $p3 (i32.add (local.get $p2) (local.get $C8)))
  (local.set $c (i32.const 0))
  (block $done
    (loop $pairs
      (br_if $done (i32.ge_s (i32.add (local.get $c) (i32.const 1)) (local.get $C)))
      (local.set $w0 (v128.load (local.get $w)))
      (local.set $w1 (v128.load (local.get $p1)))
      (local.set $w2 (v128.load (local.get $p2)))
      (local.set $w3 (v128.load (local.get $p3)))
      (v128.store (local.get $o0)
        (f64x2.add (f64x2.add (f64x2.add (f64x2.add (v128.load (local.get $o0))
          (f64x2.mul (local.get $vx0) (local.get $w0)))
          (f64x2.mul (local.get $vx1) (local.get $w1)))
          (f64x2.mul (local.get $vx2) (local.get $w2)))
          (f64x2.mul (local.get $vx3) (local.get $w3))))
      (v128.store (local.get $o1)
        (f64x2.add (f64x2.add (f64x2.add (f64x2.add (v128.load (local.get $o1))
          (f64x2.mul (local.get $vy0) (local.get $w0)))
          (f64x2.mul (local.get $vy1) (local.get $w1)))
          (f64x2.mul (local.get $vy2) (local.get $w2)))
          (f64x2.mul (local.get $vy3) (local.get $w3))))
      (local.set $w (i32.add (local.get $w) (i32.const 16)))
      (local.set $p1 (i32.add (local.get $p1) (i32.const 16)))
      (local.set $p2 (i32.add (local.get $p2) (i32.const 16)))
      (local.set $p3 (i32.add (local.get $p3) (i32.const 16)))
      (local.set $o0 (i32.add (local.get $o0) (i32.const 16)))
      (local.set $o1 (i32.add (local.get $o1) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 2)))
      (br $pairs)))
  (if (i32.lt_s (local.get $c) (local.get $C)) (then ;; the last column of an odd C
    (local.set $s0 (f64.load (local.get $w)))
    (local.set $s1 (f64.load (local.get $p1)))
    (local.set $s2 (f64.load (local.get $p2)))
    (local.set $s3 (f64.load (local.get $p3)))
    (f64.store (local.get $o0)
      (f64.add (f64.add (f64.add (f64.add (f64.load (local.get $o0))
        (f64.mul (local.get $x0) (local.get $s0))) (f64.mul (local.get $x1) (local.get $s1)))
        (f64.mul (local.get $x2) (local.get $s2))) (f64.mul (local.get $x3) (local.get $s3))))
    (f64.store (local.get $o1)
      (f64.add (f64.add (f64.add (f64.add (f64.load (local.get $o1))
        (f64.mul (local.get $y0) (local.get $s0))) (f64.mul (local.get $y1) (local.get $s1)))
        (f64.mul (local.get $y2) (local.get $s2))) (f64.mul (local.get $y3) (local.get $s3)))))))

;; y[0..n) += x·w[0..n), skipped when x = 0 (or −0)
(func $mlp_axpy_skip (param $x f64) (param $w i32) (param $y i32) (param $n i32)
  (if (f64.ne (local.get $x) (f64.const 0))
    (then (call $axpy (local.get $x) (local.get $w) (local.get $y) (local.get $n)))))

;; y[0..n) += x·w[0..n); with skip ≠ 0 skipped when x = 0
(func $mlp_axpy_term (param $x f64) (param $w i32) (param $y i32) (param $n i32) (param $skip i32)
  (if (i32.or (i32.eqz (local.get $skip)) (f64.ne (local.get $x) (f64.const 0)))
    (then (call $axpy (local.get $x) (local.get $w) (local.get $y) (local.get $n)))))

;; mlp_gemm for one column: out[r] = Σ_t a(r,t)·b[t]. Lanes hold rows r and r+1 (four rows per pass: two independent
;; chains); with skip the product of a zero a(r,t) is masked to +0 (see the header).
(func $mlp_gemv
  (param $a i32) (param $sr i32) (param $st i32) (param $R i32) (param $T i32) (param $b i32) (param $out i32) (param $skip i32)
  (local $r i32) (local $t i32) (local $sr8 i32) (local $st8 i32) (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
  (local $pb i32) (local $keep v128) (local $acc0 v128) (local $acc1 v128) (local $v0 v128) (local $v1 v128) (local $bt v128)
  (local $acc f64) (local $x f64)
  (local.set $sr8 (i32.shl (local.get $sr) (i32.const 3)))
  (local.set $st8 (i32.shl (local.get $st) (i32.const 3)))
  ;; all lanes kept when not skipping
  (local.set $keep (select (v128.const i64x2 0 0) (v128.const i64x2 -1 -1) (local.get $skip)))
  (local.set $r (i32.const 0))
  (block $quadsDone
    (loop $quads
      (br_if $quadsDone (i32.ge_s (i32.add (local.get $r) (i32.const 3)) (local.get $R)))
      (local.set $p0 (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $sr8))))
      (local.set $p1 (i32.add (local.get $p0) (local.get $sr8)))
      (local.set $p2 (i32.add (local.get $p1) (local.get $sr8)))
      (local.set $p3 (i32.add (local.get $p2) (local.get $sr8)))
      (local.set $acc0 (v128.const i64x2 0 0))
      (local.set $acc1 (v128.const i64x2 0 0))
      (local.set $pb (local.get $b))
      (local.set $t (i32.const 0))
      (block $termsDone
        (loop $terms
          (br_if $termsDone (i32.ge_s (local.get $t) (local.get $T)))
          (local.set $bt (v128.load64_splat (local.get $pb)))
          (local.set $v0 (v128.load64_lane 1 (local.get $p1) (v128.load64_zero (local.get $p0))))
          (local.set $v1 (v128.load64_lane 1 (local.get $p3) (v128.load64_zero (local.get $p2))))
          (local.set $acc0 (f64x2.add (local.get $acc0) (v128.and (f64x2.mul (local.get $v0) (local.get $bt))
            (v128.or (f64x2.ne (local.get $v0) (v128.const i64x2 0 0)) (local.get $keep)))))
          (local.set $acc1 (f64x2.add (local.get $acc1) (v128.and (f64x2.mul (local.get $v1) (local.get $bt))
            (v128.or (f64x2.ne (local.get $v1) (v128.const i64x2 0 0)) (local.get $keep)))))
          (local.set $p0 (i32.add (local.get $p0) (local.get $st8)))
          (local.set $p1 (i32.add (local.get $p1) (local.get $st8)))
          (local.set $p2 (i32.add (local.get $p2) (local.get $st8)))
          (local.set $p3 (i32.add (local.get $p3) (local.get $st8)))
          (local.set $pb (i32.add (local.get $pb) (i32.const 8)))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $terms)))
      (v128.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 3))) (local.get $acc0))
      (v128.store (i32.add (local.get $out) (i32.shl (i32.add (local.get $r) (i32.const 2)) (i32.const 3))) (local.get $acc1))
      (local.set $r (i32.add (local.get $r) (i32.const 4)))
      (br $quads)))
  ;; the remaining rows one at a time
  (block $rowsDone
    (loop $rows
      (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $R)))
      (local.set $p0 (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $sr8))))
      (local.set $pb (local.get $b))
      (local.set $acc (f64.const 0))
      (local.set $t (i32.const 0))
      (block $done
        (loop $each
          (br_if $done (i32.ge_s (local.get $t) (local.get $T)))
          (local.set $x (f64.load (local.get $p0)))
          (if (i32.or (i32.eqz (local.get $skip)) (f64.ne (local.get $x) (f64.const 0)))
            (then (local.set $acc (f64.add (local.get $acc) (f64.mul (local.get $x) (f64.load (local.get $pb)))))))
          (local.set $p0 (i32.add (local.get $p0) (local.get $st8)))
          (local.set $pb (i32.add (local.get $pb) (i32.const 8)))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $each)))
      (f64.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 3))) (local.get $acc))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

;; out[r·C + c] = sw·out[r·C + c] + sb·bias[c]: the affine layer's scales and bias
(func $mlp_affine_out (export "mlp_affine_out") (param $out i32) (param $R i32) (param $C i32) (param $sw f64) (param $sb f64) (param $bias i32)
  (local $r i32) (local $c i32) (local $pb i32) (local $vsw v128) (local $vsb v128)
  (local.set $vsw (f64x2.splat (local.get $sw)))
  (local.set $vsb (f64x2.splat (local.get $sb)))
  (block $rowsDone
    (loop $rows
      (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $R)))
      (local.set $pb (local.get $bias))
      (local.set $c (i32.const 0))
      (block $pairsDone
        (loop $pairs
          (br_if $pairsDone (i32.ge_s (i32.add (local.get $c) (i32.const 1)) (local.get $C)))
          (v128.store (local.get $out) (f64x2.add (f64x2.mul (local.get $vsw) (v128.load (local.get $out)))
                                                  (f64x2.mul (local.get $vsb) (v128.load (local.get $pb)))))
          (local.set $out (i32.add (local.get $out) (i32.const 16)))
          (local.set $pb (i32.add (local.get $pb) (i32.const 16)))
          (local.set $c (i32.add (local.get $c) (i32.const 2)))
          (br $pairs)))
      (if (i32.lt_s (local.get $c) (local.get $C)) (then
        (f64.store (local.get $out) (f64.add (f64.mul (local.get $sw) (f64.load (local.get $out)))
                                             (f64.mul (local.get $sb) (f64.load (local.get $pb)))))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

;; x[q] = (s·x[q])·d[q]: the backward signal's scale and activation derivative
(func $mlp_scale_mul (export "mlp_scale_mul") (param $x i32) (param $d i32) (param $n i32) (param $s f64)
  (local $q i32) (local $vs v128)
  (local.set $vs (f64x2.splat (local.get $s)))
  (block $done
    (loop $pairs
      (br_if $done (i32.ge_s (i32.add (local.get $q) (i32.const 1)) (local.get $n)))
      (v128.store (local.get $x) (f64x2.mul (f64x2.mul (local.get $vs) (v128.load (local.get $x))) (v128.load (local.get $d))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $d (i32.add (local.get $d) (i32.const 16)))
      (local.set $q (i32.add (local.get $q) (i32.const 2)))
      (br $pairs)))
  (if (i32.lt_s (local.get $q) (local.get $n)) (then
    (f64.store (local.get $x) (f64.mul (f64.mul (local.get $s) (f64.load (local.get $x))) (f64.load (local.get $d)))))))

;; x[q] = x[q]·s
(func $mlp_scale (export "mlp_scale") (param $x i32) (param $n i32) (param $s f64)
  (local $q i32) (local $vs v128)
  (local.set $vs (f64x2.splat (local.get $s)))
  (block $done
    (loop $pairs
      (br_if $done (i32.ge_s (i32.add (local.get $q) (i32.const 1)) (local.get $n)))
      (v128.store (local.get $x) (f64x2.mul (v128.load (local.get $x)) (local.get $vs)))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $q (i32.add (local.get $q) (i32.const 2)))
      (br $pairs)))
  (if (i32.lt_s (local.get $q) (local.get $n)) (then
    (f64.store (local.get $x) (f64.mul (f64.load (local.get $x)) (local.get $s))))))

;; out[c] = Σ_r a[r·C + c] (r in order, from +0): the bias gradient
(func $mlp_colsum (export "mlp_colsum") (param $a i32) (param $R i32) (param $C i32) (param $out i32)
  (local $r i32) (local $c i32) (local $po i32)
  (call $zero (local.get $out) (local.get $C))
  (block $rowsDone
    (loop $rows
      (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $R)))
      (local.set $po (local.get $out))
      (local.set $c (i32.const 0))
      (block $pairsDone
        (loop $pairs
          (br_if $pairsDone (i32.ge_s (i32.add (local.get $c) (i32.const 1)) (local.get $C)))
          (v128.store (local.get $po) (f64x2.add (v128.load (local.get $po)) (v128.load (local.get $a))))
          (local.set $po (i32.add (local.get $po) (i32.const 16)))
          (local.set $a (i32.add (local.get $a) (i32.const 16)))
          (local.set $c (i32.add (local.get $c) (i32.const 2)))
          (br $pairs)))
      (if (i32.lt_s (local.get $c) (local.get $C)) (then
        (f64.store (local.get $po) (f64.add (f64.load (local.get $po)) (f64.load (local.get $a))))
        (local.set $a (i32.add (local.get $a) (i32.const 8)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

;; dst[c·R + r] = src[r·C + c]
(func $mlp_transpose (export "mlp_transpose") (param $src i32) (param $R i32) (param $C i32) (param $dst i32)
  (local $r i32) (local $c i32) (local $R8 i32) (local $pd i32)
  (local.set $R8 (i32.shl (local.get $R) (i32.const 3)))
  (block $rowsDone
    (loop $rows
      (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $R)))
      (local.set $pd (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 3))))
      (local.set $c (i32.const 0))
      (block $colsDone
        (loop $cols
          (br_if $colsDone (i32.ge_s (local.get $c) (local.get $C)))
          (f64.store (local.get $pd) (f64.load (local.get $src)))
          (local.set $src (i32.add (local.get $src) (i32.const 8)))
          (local.set $pd (i32.add (local.get $pd) (local.get $R8)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $cols)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

;; h[q] = z[q] > 0 ? z[q] : 0 (NaN and −0 give +0, as the JS ternary)
(func $mlp_relu (export "mlp_relu") (param $z i32) (param $h i32) (param $n i32)
  (local $q i32) (local $v v128)
  (block $done
    (loop $pairs
      (br_if $done (i32.ge_s (i32.add (local.get $q) (i32.const 1)) (local.get $n)))
      (local.set $v (v128.load (local.get $z)))
      (v128.store (local.get $h) (v128.and (local.get $v) (f64x2.gt (local.get $v) (v128.const i64x2 0 0))))
      (local.set $z (i32.add (local.get $z) (i32.const 16)))
      (local.set $h (i32.add (local.get $h) (i32.const 16)))
      (local.set $q (i32.add (local.get $q) (i32.const 2)))
      (br $pairs)))
  (if (i32.lt_s (local.get $q) (local.get $n)) (then
    (f64.store (local.get $h) (select (f64.load (local.get $z)) (f64.const 0) (f64.gt (f64.load (local.get $z)) (f64.const 0)))))))

;; d[q] = 1 − h[q]·h[q] (tanh' from h = tanh z)
(func $mlp_tanh_deriv (export "mlp_tanh_deriv") (param $h i32) (param $d i32) (param $n i32)
  (local $q i32) (local $v v128)
  (block $done
    (loop $pairs
      (br_if $done (i32.ge_s (i32.add (local.get $q) (i32.const 1)) (local.get $n)))
      (local.set $v (v128.load (local.get $h)))
      (v128.store (local.get $d) (f64x2.sub (v128.const f64x2 1 1) (f64x2.mul (local.get $v) (local.get $v))))
      (local.set $h (i32.add (local.get $h) (i32.const 16)))
      (local.set $d (i32.add (local.get $d) (i32.const 16)))
      (local.set $q (i32.add (local.get $q) (i32.const 2)))
      (br $pairs)))
  (if (i32.lt_s (local.get $q) (local.get $n)) (then
    (f64.store (local.get $d) (f64.sub (f64.const 1) (f64.mul (f64.load (local.get $h)) (f64.load (local.get $h))))))))

;; d[q] = h[q] > 0 ? 1 : 0 (ReLU' from h = relu z)
(func $mlp_relu_deriv (export "mlp_relu_deriv") (param $h i32) (param $d i32) (param $n i32)
  (local $q i32)
  (block $done
    (loop $pairs
      (br_if $done (i32.ge_s (i32.add (local.get $q) (i32.const 1)) (local.get $n)))
      (v128.store (local.get $d) (v128.and (v128.const f64x2 1 1) (f64x2.gt (v128.load (local.get $h)) (v128.const i64x2 0 0))))
      (local.set $h (i32.add (local.get $h) (i32.const 16)))
      (local.set $d (i32.add (local.get $d) (i32.const 16)))
      (local.set $q (i32.add (local.get $q) (i32.const 2)))
      (br $pairs)))
  (if (i32.lt_s (local.get $q) (local.get $n)) (then
    (f64.store (local.get $d) (select (f64.const 1) (f64.const 0) (f64.gt (f64.load (local.get $h)) (f64.const 0)))))))

;; Adam (Kingma & Ba 2015, Alg. 1), core/engine/reference.ts's order: m = b1·m + a1·g; v = b2·v + a2·g·g;
;; p = p − (lr·(m/c1)) / (√(v/c2) + eps), with a1 = 1 − b1, a2 = 1 − b2, c1 = 1 − b1^t, c2 = 1 − b2^t.
(func $mlp_adam (export "mlp_adam") (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
  (param $b1 f64) (param $a1 f64) (param $b2 f64) (param $a2 f64) (param $c1 f64) (param $c2 f64) (param $lr f64) (param $eps f64)
  (local $q i32) (local $gq v128) (local $mq v128) (local $vq v128)
  (local $sg f64) (local $sm f64) (local $sv f64)
  (block $done
    (loop $pairs
      (br_if $done (i32.ge_s (i32.add (local.get $q) (i32.const 1)) (local.get $n)))
      (local.set $gq (v128.load (local.get $g)))
      (local.set $mq (f64x2.add (f64x2.mul (f64x2.splat (local.get $b1)) (v128.load (local.get $m)))
                                (f64x2.mul (f64x2.splat (local.get $a1)) (local.get $gq))))
      (local.set $vq (f64x2.add (f64x2.mul (f64x2.splat (local.get $b2)) (v128.load (local.get $v)))
                                (f64x2.mul (f64x2.mul (f64x2.splat (local.get $a2)) (local.get $gq)) (local.get $gq))))
      (v128.store (local.get $m) (local.get $mq))
      (v128.store (local.get $v) (local.get $vq))
      (v128.store (local.get $p) (f64x2.sub (v128.load (local.get $p))
        (f64x2.div (f64x2.mul (f64x2.splat (local.get $lr)) (f64x2.div (local.get $mq) (f64x2.splat (local.get $c1))))
                   (f64x2.add (f64x2.sqrt (f64x2.div (local.get $vq) (f64x2.splat (local.get $c2)))) (f64x2.splat (local.get $eps))))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $g (i32.add (local.get $g) (i32.const 16)))
      (local.set $m (i32.add (local.get $m) (i32.const 16)))
      (local.set $v (i32.add (local.get $v) (i32.const 16)))
      (local.set $q (i32.add (local.get $q) (i32.const 2)))
      (br $pairs)))
  (if (i32.lt_s (local.get $q) (local.get $n)) (then
    (local.set $sg (f64.load (local.get $g)))
    (local.set $sm (f64.add (f64.mul (local.get $b1) (f64.load (local.get $m))) (f64.mul (local.get $a1) (local.get $sg))))
    (local.set $sv (f64.add (f64.mul (local.get $b2) (f64.load (local.get $v))) (f64.mul (f64.mul (local.get $a2) (local.get $sg)) (local.get $sg))))
    (f64.store (local.get $m) (local.get $sm))
    (f64.store (local.get $v) (local.get $sv))
    (f64.store (local.get $p) (f64.sub (f64.load (local.get $p))
      (f64.div (f64.mul (local.get $lr) (f64.div (local.get $sm) (local.get $c1)))
               (f64.add (f64.sqrt (f64.div (local.get $sv) (local.get $c2))) (local.get $eps))))))))

;; Momentum (torch.optim.SGD, dampening 0): a = mu·a + g; heavy ball p = p − lr·a, Nesterov p = p − lr·(g + mu·a).
(func $mlp_momentum (export "mlp_momentum") (param $p i32) (param $g i32) (param $a i32) (param $n i32)
  (param $lr f64) (param $mu f64) (param $nesterov i32)
  (local $q i32) (local $gq f64) (local $aq f64)
  (block $done
    (loop $each
      (br_if $done (i32.ge_s (local.get $q) (local.get $n)))
      (local.set $gq (f64.load (local.get $g)))
      (local.set $aq (f64.add (f64.mul (local.get $mu) (f64.load (local.get $a))) (local.get $gq)))
      (f64.store (local.get $a) (local.get $aq))
      (f64.store (local.get $p) (f64.sub (f64.load (local.get $p)) (f64.mul (local.get $lr)
        (select (f64.add (local.get $gq) (f64.mul (local.get $mu) (local.get $aq))) (local.get $aq) (local.get $nesterov)))))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (local.set $g (i32.add (local.get $g) (i32.const 8)))
      (local.set $a (i32.add (local.get $a) (i32.const 8)))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br $each))))

;; Gradient descent: p = p − lr·g
(func $mlp_sgd (export "mlp_sgd") (param $p i32) (param $g i32) (param $n i32) (param $lr f64)
  (local $q i32) (local $vlr v128)
  (local.set $vlr (f64x2.splat (local.get $lr)))
  (block $done
    (loop $pairs
      (br_if $done (i32.ge_s (i32.add (local.get $q) (i32.const 1)) (local.get $n)))
      (v128.store (local.get $p) (f64x2.sub (v128.load (local.get $p)) (f64x2.mul (local.get $vlr) (v128.load (local.get $g)))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $g (i32.add (local.get $g) (i32.const 16)))
      (local.set $q (i32.add (local.get $q) (i32.const 2)))
      (br $pairs)))
  (if (i32.lt_s (local.get $q) (local.get $n)) (then
    (f64.store (local.get $p) (f64.sub (f64.load (local.get $p)) (f64.mul (local.get $lr) (f64.load (local.get $g))))))))
