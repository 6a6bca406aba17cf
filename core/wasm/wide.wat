;; Kernels of the linearization family's wide-network loops (experiments/linearization/wide-run.ts twoLayerStepper,
;; optim-run.ts oneHiddenLayerStepper): the input layer's product H = X·W1, its gradient G = Xᵀ·Δ, and the GD updates.
;; Row-major f64 matrices; pointers are byte offsets, lengths count f64s, `rows` points at i32 row indices.
;; f64x2 lanes only span adjacent output columns (independent sums); every sum runs in the order of the JS loops these
;; replace, with separate mul and add, so the results are bit-identical to them (properties/linearization-wasm.test.ts).

;; One block of four terms per entry: h[c] = (((h[c] + x0·p0[c]) + x1·p1[c]) + x2·p2[c]) + x3·p3[c], c < n; with
;; first ≠ 0 the sum starts from +0 instead of h[c] (a row's first block: no zeroing pass needed).
(func $wide_blk4 (param $h i32) (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $n i32)
  (param $x0 f64) (param $x1 f64) (param $x2 f64) (param $x3 f64) (param $first i32)
  (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $end i32) (local $end2 i32)
  (local.set $v0 (f64x2.splat (local.get $x0)))
  (local.set $v1 (f64x2.splat (local.get $x1)))
  (local.set $v2 (f64x2.splat (local.get $x2)))
  (local.set $v3 (f64x2.splat (local.get $x3)))
  (local.set $end (i32.add (local.get $h) (i32.shl (local.get $n) (i32.const 3))))
  (local.set $end2 (i32.sub (local.get $end) (i32.const 8)))
  (block $done
    (loop $pairs
      (br_if $done (i32.ge_s (local.get $h) (local.get $end2)))
      (v128.store (local.get $h)
        (f64x2.add
          (f64x2.add
            (f64x2.add
              (f64x2.add (select (result v128) (v128.const i64x2 0 0) (v128.load (local.get $h)) (local.get $first)) (f64x2.mul (local.get $v0) (v128.load (local.get $p0))))
              (f64x2.mul (local.get $v1) (v128.load (local.get $p1))))
            (f64x2.mul (local.get $v2) (v128.load (local.get $p2))))
          (f64x2.mul (local.get $v3) (v128.load (local.get $p3)))))
      (local.set $h (i32.add (local.get $h) (i32.const 16)))
      (local.set $p0 (i32.add (local.get $p0) (i32.const 16)))
      (local.set $p1 (i32.add (local.get $p1) (i32.const 16)))
      (local.set $p2 (i32.add (local.get $p2) (i32.const 16)))
      (local.set $p3 (i32.add (local.get $p3) (i32.const 16)))
      (br $pairs)))
  (if (i32.lt_u (local.get $h) (local.get $end))
    (then (f64.store (local.get $h)
      (f64.add
        (f64.add
          (f64.add
            (f64.add (select (f64.const 0) (f64.load (local.get $h)) (local.get $first)) (f64.mul (local.get $x0) (f64.load (local.get $p0))))
            (f64.mul (local.get $x1) (f64.load (local.get $p1))))
          (f64.mul (local.get $x2) (f64.load (local.get $p2))))
        (f64.mul (local.get $x3) (f64.load (local.get $p3))))))))

;; $wide_blk4 for two output rows h and g sharing the four input rows p0..p3 (each loaded once for both).
(func $wide_blk4x2 (param $h i32) (param $g i32) (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $n i32)
  (param $x0 f64) (param $x1 f64) (param $x2 f64) (param $x3 f64) (param $y0 f64) (param $y1 f64) (param $y2 f64) (param $y3 f64) (param $first i32)
  (local $u0 v128) (local $u1 v128) (local $u2 v128) (local $u3 v128)
  (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
  (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128) (local $end i32) (local $end2 i32)
  (local $a0 f64) (local $a1 f64) (local $a2 f64) (local $a3 f64)
  (local.set $u0 (f64x2.splat (local.get $x0)))
  (local.set $u1 (f64x2.splat (local.get $x1)))
  (local.set $u2 (f64x2.splat (local.get $x2)))
  (local.set $u3 (f64x2.splat (local.get $x3)))
  (local.set $v0 (f64x2.splat (local.get $y0)))
  (local.set $v1 (f64x2.splat (local.get $y1)))
  (local.set $v2 (f64x2.splat (local.get $y2)))
  (local.set $v3 (f64x2.splat (local.get $y3)))
  (local.set $end (i32.add (local.get $h) (i32.shl (local.get $n) (i32.const 3))))
  (local.set $end2 (i32.sub (local.get $end) (i32.const 8)))
  (block $done
    (loop $pairs
      (br_if $done (i32.ge_s (local.get $h) (local.get $end2)))
      (local.set $w0 (v128.load (local.get $p0)))
      (local.set $w1 (v128.load (local.get $p1)))
      (local.set $w2 (v128.load (local.get $p2)))
      (local.set $w3 (v128.load (local.get $p3)))
      (v128.store (local.get $h)
        (f64x2.add
          (f64x2.add
            (f64x2.add
              (f64x2.add (select (result v128) (v128.const i64x2 0 0) (v128.load (local.get $h)) (local.get $first)) (f64x2.mul (local.get $u0) (local.get $w0)))
              (f64x2.mul (local.get $u1) (local.get $w1)))
            (f64x2.mul (local.get $u2) (local.get $w2)))
          (f64x2.mul (local.get $u3) (local.get $w3))))
      (v128.store (local.get $g)
        (f64x2.add
          (f64x2.add
            (f64x2.add
              (f64x2.add (select (result v128) (v128.const i64x2 0 0) (v128.load (local.get $g)) (local.get $first)) (f64x2.mul (local.get $v0) (local.get $w0)))
              (f64x2.mul (local.get $v1) (local.get $w1)))
            (f64x2.mul (local.get $v2) (local.get $w2)))
          (f64x2.mul (local.get $v3) (local.get $w3))))
      (local.set $h (i32.add (local.get $h) (i32.const 16)))
      (local.set $g (i32.add (local.get $g) (i32.const 16)))
      (local.set $p0 (i32.add (local.get $p0) (i32.const 16)))
      (local.set $p1 (i32.add (local.get $p1) (i32.const 16)))
      (local.set $p2 (i32.add (local.get $p2) (i32.const 16)))
      (local.set $p3 (i32.add (local.get $p3) (i32.const 16)))
      (br $pairs)))
  (if (i32.lt_u (local.get $h) (local.get $end))
    (then
      (local.set $a0 (f64.load (local.get $p0)))
      (local.set $a1 (f64.load (local.get $p1)))
      (local.set $a2 (f64.load (local.get $p2)))
      (local.set $a3 (f64.load (local.get $p3)))
      (f64.store (local.get $h)
        (f64.add
          (f64.add
            (f64.add
              (f64.add (select (f64.const 0) (f64.load (local.get $h)) (local.get $first)) (f64.mul (local.get $x0) (local.get $a0)))
              (f64.mul (local.get $x1) (local.get $a1)))
            (f64.mul (local.get $x2) (local.get $a2)))
          (f64.mul (local.get $x3) (local.get $a3))))
      (f64.store (local.get $g)
        (f64.add
          (f64.add
            (f64.add
              (f64.add (select (f64.const 0) (f64.load (local.get $g)) (local.get $first)) (f64.mul (local.get $y0) (local.get $a0)))
              (f64.mul (local.get $y1) (local.get $a1)))
            (f64.mul (local.get $y2) (local.get $a2)))
          (f64.mul (local.get $y3) (local.get $a3)))))))

;; One row of H = X·W over inputs j in order, four per block; with skip ≠ 0 a zero input's terms are skipped (the
;; theory/mlp.ts affine loops: it decides 0·∞ and is a no-op otherwise), without skip every term is added.
(func $wide_xw_row (param $xr i32) (param $W i32) (param $hr i32) (param $d i32) (param $w i32) (param $skip i32) (param $keep i32)
  (local $s i32) (local $j i32) (local $wp i32) (local $x0 f64) (local $x1 f64) (local $x2 f64) (local $x3 f64) (local $q i32) (local $a f64) (local $first i32)
  (local.set $s (i32.shl (local.get $w) (i32.const 3)))
  (local.set $first (i32.eqz (local.get $keep))) ;; the row is not zeroed: its first block starts from +0
  (local.set $wp (local.get $W))
  (block $blocks_done
    (loop $blocks
      (br_if $blocks_done (i32.gt_s (i32.add (local.get $j) (i32.const 3)) (i32.sub (local.get $d) (i32.const 1))))
      (local.set $x0 (f64.load (local.get $xr)))
      (local.set $x1 (f64.load offset=8 (local.get $xr)))
      (local.set $x2 (f64.load offset=16 (local.get $xr)))
      (local.set $x3 (f64.load offset=24 (local.get $xr)))
      (if (i32.and (local.get $skip)
            (i32.or (i32.or (f64.eq (local.get $x0) (f64.const 0)) (f64.eq (local.get $x1) (f64.const 0)))
                    (i32.or (f64.eq (local.get $x2) (f64.const 0)) (f64.eq (local.get $x3) (f64.const 0)))))
        (then
          (if (local.get $first) (then (call $zero (local.get $hr) (local.get $w))))
          (local.set $q (i32.const 0))
          (loop $terms
            (local.set $a (f64.load (i32.add (local.get $xr) (i32.shl (local.get $q) (i32.const 3)))))
            (if (f64.ne (local.get $a) (f64.const 0))
              (then (call $axpy (local.get $a) (i32.add (local.get $wp) (i32.mul (local.get $q) (local.get $s))) (local.get $hr) (local.get $w))))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br_if $terms (i32.lt_s (local.get $q) (i32.const 4)))))
        (else
          (call $wide_blk4 (local.get $hr) (local.get $wp) (i32.add (local.get $wp) (local.get $s))
            (i32.add (local.get $wp) (i32.shl (local.get $s) (i32.const 1))) (i32.add (local.get $wp) (i32.mul (local.get $s) (i32.const 3)))
            (local.get $w) (local.get $x0) (local.get $x1) (local.get $x2) (local.get $x3) (local.get $first))))
      (local.set $first (i32.const 0))
      (local.set $xr (i32.add (local.get $xr) (i32.const 32)))
      (local.set $wp (i32.add (local.get $wp) (i32.shl (local.get $s) (i32.const 2))))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $blocks)))
  (if (local.get $first) (then (call $zero (local.get $hr) (local.get $w)))) ;; d < 4: no block ran
  (block $singles_done
    (loop $singles
      (br_if $singles_done (i32.ge_s (local.get $j) (local.get $d)))
      (local.set $a (f64.load (local.get $xr)))
      (if (i32.or (i32.eqz (local.get $skip)) (f64.ne (local.get $a) (f64.const 0)))
        (then (call $axpy (local.get $a) (local.get $wp) (local.get $hr) (local.get $w))))
      (local.set $xr (i32.add (local.get $xr) (i32.const 8)))
      (local.set $wp (i32.add (local.get $wp) (local.get $s)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $singles))))

;; Two rows of H = X·W at once (each loaded W entry serves both); falls back to one row at a time for a block with a
;; skipped zero. Same bits as $wide_xw_row on each row.
(func $wide_xw_pair (param $xr i32) (param $xq i32) (param $W i32) (param $hr i32) (param $hq i32) (param $d i32) (param $w i32) (param $skip i32) (param $keep i32)
  (local $s i32) (local $j i32) (local $wp i32)
  (local $x0 f64) (local $x1 f64) (local $x2 f64) (local $x3 f64) (local $y0 f64) (local $y1 f64) (local $y2 f64) (local $y3 f64)
  (local $zx i32) (local $zy i32) (local $q i32) (local $a f64) (local $b f64) (local $p i32) (local $first i32)
  (local.set $s (i32.shl (local.get $w) (i32.const 3)))
  (local.set $first (i32.eqz (local.get $keep))) ;; the rows are not zeroed: their first block starts from +0
  (local.set $wp (local.get $W))
  (block $blocks_done
    (loop $blocks
      (br_if $blocks_done (i32.gt_s (i32.add (local.get $j) (i32.const 3)) (i32.sub (local.get $d) (i32.const 1))))
      (local.set $x0 (f64.load (local.get $xr)))
      (local.set $x1 (f64.load offset=8 (local.get $xr)))
      (local.set $x2 (f64.load offset=16 (local.get $xr)))
      (local.set $x3 (f64.load offset=24 (local.get $xr)))
      (local.set $y0 (f64.load (local.get $xq)))
      (local.set $y1 (f64.load offset=8 (local.get $xq)))
      (local.set $y2 (f64.load offset=16 (local.get $xq)))
      (local.set $y3 (f64.load offset=24 (local.get $xq)))
      (local.set $zx (i32.and (local.get $skip)
        (i32.or (i32.or (f64.eq (local.get $x0) (f64.const 0)) (f64.eq (local.get $x1) (f64.const 0)))
                (i32.or (f64.eq (local.get $x2) (f64.const 0)) (f64.eq (local.get $x3) (f64.const 0))))))
      (local.set $zy (i32.and (local.get $skip)
        (i32.or (i32.or (f64.eq (local.get $y0) (f64.const 0)) (f64.eq (local.get $y1) (f64.const 0)))
                (i32.or (f64.eq (local.get $y2) (f64.const 0)) (f64.eq (local.get $y3) (f64.const 0))))))
      (if (i32.or (local.get $zx) (local.get $zy))
        (then
          ;; term by term, each row skipping its own zero inputs
          (if (local.get $first) (then
            (call $zero (local.get $hr) (local.get $w))
            (call $zero (local.get $hq) (local.get $w))))
          (local.set $q (i32.const 0))
          (loop $terms
            (local.set $p (i32.add (local.get $wp) (i32.mul (local.get $q) (local.get $s))))
            (local.set $a (f64.load (i32.add (local.get $xr) (i32.shl (local.get $q) (i32.const 3)))))
            (local.set $b (f64.load (i32.add (local.get $xq) (i32.shl (local.get $q) (i32.const 3)))))
            (if (f64.ne (local.get $a) (f64.const 0)) (then (call $axpy (local.get $a) (local.get $p) (local.get $hr) (local.get $w))))
            (if (f64.ne (local.get $b) (f64.const 0)) (then (call $axpy (local.get $b) (local.get $p) (local.get $hq) (local.get $w))))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br_if $terms (i32.lt_s (local.get $q) (i32.const 4)))))
        (else
          (call $wide_blk4x2 (local.get $hr) (local.get $hq) (local.get $wp) (i32.add (local.get $wp) (local.get $s))
            (i32.add (local.get $wp) (i32.shl (local.get $s) (i32.const 1))) (i32.add (local.get $wp) (i32.mul (local.get $s) (i32.const 3)))
            (local.get $w) (local.get $x0) (local.get $x1) (local.get $x2) (local.get $x3)
            (local.get $y0) (local.get $y1) (local.get $y2) (local.get $y3) (local.get $first))))
      (local.set $first (i32.const 0))
      (local.set $xr (i32.add (local.get $xr) (i32.const 32)))
      (local.set $xq (i32.add (local.get $xq) (i32.const 32)))
      (local.set $wp (i32.add (local.get $wp) (i32.shl (local.get $s) (i32.const 2))))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $blocks)))
  (if (local.get $first) (then ;; d < 4: no block ran
    (call $zero (local.get $hr) (local.get $w))
    (call $zero (local.get $hq) (local.get $w))))
  (block $singles_done
    (loop $singles
      (br_if $singles_done (i32.ge_s (local.get $j) (local.get $d)))
      (local.set $a (f64.load (local.get $xr)))
      (local.set $b (f64.load (local.get $xq)))
      (if (i32.or (i32.eqz (local.get $skip)) (f64.ne (local.get $a) (f64.const 0)))
        (then (call $axpy (local.get $a) (local.get $wp) (local.get $hr) (local.get $w))))
      (if (i32.or (i32.eqz (local.get $skip)) (f64.ne (local.get $b) (f64.const 0)))
        (then (call $axpy (local.get $b) (local.get $wp) (local.get $hq) (local.get $w))))
      (local.set $xr (i32.add (local.get $xr) (i32.const 8)))
      (local.set $xq (i32.add (local.get $xq) (i32.const 8)))
      (local.set $wp (i32.add (local.get $wp) (local.get $s)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $singles))))

;; H[i, 0..w) = Σ_j X[i, j]·W[j, 0..w) (j in order from +0, H row overwritten) for the nrows listed rows i (X n×d,
;; W d×w, H n×w).
(func (export "wide_xw") (param $x i32) (param $W i32) (param $H i32) (param $rows i32) (param $nrows i32) (param $d i32) (param $w i32) (param $skip i32)
  (call $wide_xw_rows (local.get $x) (local.get $W) (local.get $H) (local.get $rows) (local.get $nrows) (local.get $d) (local.get $w) (local.get $skip) (i32.const 0)))

;; H[i, 0..w) = H[i, 0..w) + Σ_j X[i, j]·W[j, 0..w): the sum starts from H's value, then adds the terms in j order.
(func (export "wide_xw_add") (param $x i32) (param $W i32) (param $H i32) (param $rows i32) (param $nrows i32) (param $d i32) (param $w i32) (param $skip i32)
  (call $wide_xw_rows (local.get $x) (local.get $W) (local.get $H) (local.get $rows) (local.get $nrows) (local.get $d) (local.get $w) (local.get $skip) (i32.const 1)))

(func $wide_xw_rows (param $x i32) (param $W i32) (param $H i32) (param $rows i32) (param $nrows i32) (param $d i32) (param $w i32) (param $skip i32) (param $keep i32)
  (local $p i32) (local $i0 i32) (local $i1 i32) (local $xs i32) (local $hs i32)
  (local.set $xs (i32.shl (local.get $d) (i32.const 3)))
  (local.set $hs (i32.shl (local.get $w) (i32.const 3)))
  (block $done
    (loop $pairs
      (br_if $done (i32.ge_s (i32.add (local.get $p) (i32.const 1)) (local.get $nrows)))
      (local.set $i0 (i32.load (i32.add (local.get $rows) (i32.shl (local.get $p) (i32.const 2)))))
      (local.set $i1 (i32.load offset=4 (i32.add (local.get $rows) (i32.shl (local.get $p) (i32.const 2)))))
      (if (i32.eq (local.get $i0) (local.get $i1))
        (then
          (call $wide_xw_row (i32.add (local.get $x) (i32.mul (local.get $i0) (local.get $xs))) (local.get $W)
            (i32.add (local.get $H) (i32.mul (local.get $i0) (local.get $hs))) (local.get $d) (local.get $w) (local.get $skip) (local.get $keep)))
        (else
          (call $wide_xw_pair (i32.add (local.get $x) (i32.mul (local.get $i0) (local.get $xs))) (i32.add (local.get $x) (i32.mul (local.get $i1) (local.get $xs)))
            (local.get $W) (i32.add (local.get $H) (i32.mul (local.get $i0) (local.get $hs))) (i32.add (local.get $H) (i32.mul (local.get $i1) (local.get $hs)))
            (local.get $d) (local.get $w) (local.get $skip) (local.get $keep))))
      (local.set $p (i32.add (local.get $p) (i32.const 2)))
      (br $pairs)))
  (if (i32.lt_s (local.get $p) (local.get $nrows))
    (then
      (local.set $i0 (i32.load (i32.add (local.get $rows) (i32.shl (local.get $p) (i32.const 2)))))
      (call $wide_xw_row (i32.add (local.get $x) (i32.mul (local.get $i0) (local.get $xs))) (local.get $W)
        (i32.add (local.get $H) (i32.mul (local.get $i0) (local.get $hs))) (local.get $d) (local.get $w) (local.get $skip) (local.get $keep)))))

;; G[j, 0..w) = Σ_i (scale·X[i, j])·Δ[i, 0..w) over the listed rows i in list order, from +0 (G overwritten; X n×d,
;; Δ n×w, G d×w). Four rows per block: each G entry still adds its terms one row at a time, in order.
(func (export "wide_xtd") (param $x i32) (param $D i32) (param $G i32) (param $rows i32) (param $nrows i32) (param $d i32) (param $w i32) (param $scale f64)
  (local $p i32) (local $j i32) (local $xs i32) (local $ds i32) (local $g i32)
  (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $q0 i32) (local $q1 i32) (local $q2 i32) (local $q3 i32)
  (local $first i32)
  (local.set $first (i32.const 1))
  (local.set $xs (i32.shl (local.get $d) (i32.const 3)))
  (local.set $ds (i32.shl (local.get $w) (i32.const 3)))
  ;; the first block of four rows starts every G entry from +0; with fewer than four rows G is zeroed instead
  (if (i32.lt_s (local.get $nrows) (i32.const 4)) (then (call $zero (local.get $G) (i32.mul (local.get $d) (local.get $w)))))
  (block $blocks_done
    (loop $blocks
      (br_if $blocks_done (i32.ge_s (i32.add (local.get $p) (i32.const 3)) (local.get $nrows)))
      (local.set $a0 (i32.load (i32.add (local.get $rows) (i32.shl (local.get $p) (i32.const 2)))))
      (local.set $a1 (i32.load offset=4 (i32.add (local.get $rows) (i32.shl (local.get $p) (i32.const 2)))))
      (local.set $a2 (i32.load offset=8 (i32.add (local.get $rows) (i32.shl (local.get $p) (i32.const 2)))))
      (local.set $a3 (i32.load offset=12 (i32.add (local.get $rows) (i32.shl (local.get $p) (i32.const 2)))))
      (local.set $q0 (i32.add (local.get $D) (i32.mul (local.get $a0) (local.get $ds))))
      (local.set $q1 (i32.add (local.get $D) (i32.mul (local.get $a1) (local.get $ds))))
      (local.set $q2 (i32.add (local.get $D) (i32.mul (local.get $a2) (local.get $ds))))
      (local.set $q3 (i32.add (local.get $D) (i32.mul (local.get $a3) (local.get $ds))))
      (local.set $a0 (i32.add (local.get $x) (i32.mul (local.get $a0) (local.get $xs))))
      (local.set $a1 (i32.add (local.get $x) (i32.mul (local.get $a1) (local.get $xs))))
      (local.set $a2 (i32.add (local.get $x) (i32.mul (local.get $a2) (local.get $xs))))
      (local.set $a3 (i32.add (local.get $x) (i32.mul (local.get $a3) (local.get $xs))))
      (local.set $g (local.get $G))
      (local.set $j (i32.const 0))
      ;; two G rows j, j+1 per pass share each loaded Δ entry
      (block $cols_done
        (loop $cols
          (br_if $cols_done (i32.ge_s (i32.add (local.get $j) (i32.const 1)) (local.get $d)))
          (call $wide_blk4x2 (local.get $g) (i32.add (local.get $g) (local.get $ds))
            (local.get $q0) (local.get $q1) (local.get $q2) (local.get $q3) (local.get $w)
            (f64.mul (local.get $scale) (f64.load (local.get $a0)))
            (f64.mul (local.get $scale) (f64.load (local.get $a1)))
            (f64.mul (local.get $scale) (f64.load (local.get $a2)))
            (f64.mul (local.get $scale) (f64.load (local.get $a3)))
            (f64.mul (local.get $scale) (f64.load offset=8 (local.get $a0)))
            (f64.mul (local.get $scale) (f64.load offset=8 (local.get $a1)))
            (f64.mul (local.get $scale) (f64.load offset=8 (local.get $a2)))
            (f64.mul (local.get $scale) (f64.load offset=8 (local.get $a3))) (local.get $first))
          (local.set $a0 (i32.add (local.get $a0) (i32.const 16)))
          (local.set $a1 (i32.add (local.get $a1) (i32.const 16)))
          (local.set $a2 (i32.add (local.get $a2) (i32.const 16)))
          (local.set $a3 (i32.add (local.get $a3) (i32.const 16)))
          (local.set $g (i32.add (local.get $g) (i32.shl (local.get $ds) (i32.const 1))))
          (local.set $j (i32.add (local.get $j) (i32.const 2)))
          (br $cols)))
      (if (i32.lt_s (local.get $j) (local.get $d))
        (then
          (call $wide_blk4 (local.get $g) (local.get $q0) (local.get $q1) (local.get $q2) (local.get $q3) (local.get $w)
            (f64.mul (local.get $scale) (f64.load (local.get $a0)))
            (f64.mul (local.get $scale) (f64.load (local.get $a1)))
            (f64.mul (local.get $scale) (f64.load (local.get $a2)))
            (f64.mul (local.get $scale) (f64.load (local.get $a3))) (local.get $first))))
      (local.set $first (i32.const 0))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $blocks)))
  (block $rows_done
    (loop $rest
      (br_if $rows_done (i32.ge_s (local.get $p) (local.get $nrows)))
      (local.set $a0 (i32.load (i32.add (local.get $rows) (i32.shl (local.get $p) (i32.const 2)))))
      (local.set $q0 (i32.add (local.get $D) (i32.mul (local.get $a0) (local.get $ds))))
      (local.set $a0 (i32.add (local.get $x) (i32.mul (local.get $a0) (local.get $xs))))
      (local.set $g (local.get $G))
      (local.set $j (i32.const 0))
      (block $cols1_done
        (loop $cols1
          (br_if $cols1_done (i32.ge_s (local.get $j) (local.get $d)))
          (call $axpy (f64.mul (local.get $scale) (f64.load (local.get $a0))) (local.get $q0) (local.get $g) (local.get $w))
          (local.set $a0 (i32.add (local.get $a0) (i32.const 8)))
          (local.set $g (i32.add (local.get $g) (local.get $ds)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $cols1)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $rest))))

;; twoLayerStepper's hidden signals: δ[i, k] = ((r[i]·s)·v[k])·δ[i, k] in place (δ holds φ'(z) on entry), and
;; gb[k] = Σ_i δ[i, k] in order from +0 (gb overwritten); δ n×w.
(func (export "wide_delta") (param $r i32) (param $v i32) (param $D i32) (param $gb i32) (param $n i32) (param $w i32) (param $s f64)
  (local $i i32) (local $ri f64) (local $rv v128) (local $k i32) (local $vp i32) (local $gp i32) (local $x v128) (local $y f64)
  (call $zero (local.get $gb) (local.get $w))
  (block $rows_done
    (loop $rows
      (br_if $rows_done (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $ri (f64.mul (f64.load (i32.add (local.get $r) (i32.shl (local.get $i) (i32.const 3)))) (local.get $s)))
      (local.set $rv (f64x2.splat (local.get $ri)))
      (local.set $vp (local.get $v))
      (local.set $gp (local.get $gb))
      (local.set $k (i32.const 0))
      (block $pairs_done
        (loop $pairs
          (br_if $pairs_done (i32.ge_s (i32.add (local.get $k) (i32.const 1)) (local.get $w)))
          (local.set $x (f64x2.mul (f64x2.mul (local.get $rv) (v128.load (local.get $vp))) (v128.load (local.get $D))))
          (v128.store (local.get $D) (local.get $x))
          (v128.store (local.get $gp) (f64x2.add (v128.load (local.get $gp)) (local.get $x)))
          (local.set $D (i32.add (local.get $D) (i32.const 16)))
          (local.set $vp (i32.add (local.get $vp) (i32.const 16)))
          (local.set $gp (i32.add (local.get $gp) (i32.const 16)))
          (local.set $k (i32.add (local.get $k) (i32.const 2)))
          (br $pairs)))
      (if (i32.lt_s (local.get $k) (local.get $w))
        (then
          (local.set $y (f64.mul (f64.mul (local.get $ri) (f64.load (local.get $vp))) (f64.load (local.get $D))))
          (f64.store (local.get $D) (local.get $y))
          (f64.store (local.get $gp) (f64.add (f64.load (local.get $gp)) (local.get $y)))
          (local.set $D (i32.add (local.get $D) (i32.const 8)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows))))

;; twoLayerStepper's readout update, one sample at a time in order: v = v − (c·r[i])·H[i, 0..w) (H n×w).
(func (export "wide_readout") (param $H i32) (param $r i32) (param $v i32) (param $n i32) (param $w i32) (param $c f64)
  (local $i i32) (local $hs i32)
  (local.set $hs (i32.shl (local.get $w) (i32.const 3)))
  (block $done
    (loop $rows
      (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
      (call $sub_scaled (f64.mul (local.get $c) (f64.load (i32.add (local.get $r) (i32.shl (local.get $i) (i32.const 3))))) (i32.add (local.get $H) (i32.mul (local.get $i) (local.get $hs))) (local.get $v) (local.get $w))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows))))

;; The hidden layer's tanh on the listed rows of H (n×w), in place: h = tanh(s1w·H[i, q] + s1b·b1[q]) (z by f64x2 lanes,
;; then $tanh_into of core/wasm/tanh.wat: Math.tanh's bits on each lane); with deriv ≠ 0 also D[i, q] = 1 − h·h.
(func (export "wide_tanh_rows") (param $H i32) (param $b1 i32) (param $D i32) (param $rows i32) (param $nrows i32) (param $w i32)
  (param $s1w f64) (param $s1b f64) (param $deriv i32)
  (local $p i32) (local $off i32) (local $row i32) (local $hp i32) (local $dp i32) (local $bp i32) (local $end i32) (local $end2 i32)
  (local $sw v128) (local $sb v128) (local $h v128) (local $x f64)
  (local.set $sw (f64x2.splat (local.get $s1w)))
  (local.set $sb (f64x2.splat (local.get $s1b)))
  (block $rows_done
    (loop $each_row
      (br_if $rows_done (i32.ge_s (local.get $p) (local.get $nrows)))
      (local.set $off (i32.mul (i32.load (i32.add (local.get $rows) (i32.shl (local.get $p) (i32.const 2)))) (i32.shl (local.get $w) (i32.const 3))))
      (local.set $row (i32.add (local.get $H) (local.get $off)))
      (local.set $end (i32.add (local.get $row) (i32.shl (local.get $w) (i32.const 3))))
      (local.set $end2 (i32.sub (local.get $end) (i32.const 8)))
      ;; z = s1w·H + s1b·b1
      (local.set $hp (local.get $row))
      (local.set $bp (local.get $b1))
      (block $z_done
        (loop $z_pairs
          (br_if $z_done (i32.ge_s (local.get $hp) (local.get $end2)))
          (v128.store (local.get $hp) (f64x2.add (f64x2.mul (local.get $sw) (v128.load (local.get $hp))) (f64x2.mul (local.get $sb) (v128.load (local.get $bp)))))
          (local.set $hp (i32.add (local.get $hp) (i32.const 16)))
          (local.set $bp (i32.add (local.get $bp) (i32.const 16)))
          (br $z_pairs)))
      (if (i32.lt_u (local.get $hp) (local.get $end))
        (then (f64.store (local.get $hp) (f64.add (f64.mul (local.get $s1w) (f64.load (local.get $hp))) (f64.mul (local.get $s1b) (f64.load (local.get $bp)))))))
      (call $tanh_into (local.get $row) (local.get $row) (local.get $w))
      (if (local.get $deriv)
        (then
          (local.set $hp (local.get $row))
          (local.set $dp (i32.add (local.get $D) (local.get $off)))
          (block $d_done
            (loop $d_pairs
              (br_if $d_done (i32.ge_s (local.get $hp) (local.get $end2)))
              (local.set $h (v128.load (local.get $hp)))
              (v128.store (local.get $dp) (f64x2.sub (v128.const f64x2 1 1) (f64x2.mul (local.get $h) (local.get $h))))
              (local.set $hp (i32.add (local.get $hp) (i32.const 16)))
              (local.set $dp (i32.add (local.get $dp) (i32.const 16)))
              (br $d_pairs)))
          (if (i32.lt_u (local.get $hp) (local.get $end))
            (then
              (local.set $x (f64.load (local.get $hp)))
              (f64.store (local.get $dp) (f64.sub (f64.const 1) (f64.mul (local.get $x) (local.get $x))))))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $each_row))))

;; The readout on the listed rows: f[i, c] = s2w·Σ_q H[i, q]·V[q, c] + cb[c] (q in order from +0; H n×w, V w×k, f n×k,
;; cb = s2b·b2 precomputed); with skip ≠ 0 zero hidden values are skipped (theory/mlp.ts forward's affine loops).
(func (export "wide_readout_rows") (param $H i32) (param $V i32) (param $f i32) (param $cb i32) (param $rows i32) (param $nrows i32)
  (param $w i32) (param $k i32) (param $s2w f64) (param $skip i32)
  (local $p i32) (local $i i32) (local $c i32) (local $hp i32) (local $vp i32) (local $end i32) (local $acc f64) (local $h f64) (local $ks i32)
  (local.set $ks (i32.shl (local.get $k) (i32.const 3)))
  (block $rows_done
    (loop $each_row
      (br_if $rows_done (i32.ge_s (local.get $p) (local.get $nrows)))
      (local.set $i (i32.load (i32.add (local.get $rows) (i32.shl (local.get $p) (i32.const 2)))))
      (local.set $c (i32.const 0))
      (block $outs_done
        (loop $each_out
          (br_if $outs_done (i32.ge_s (local.get $c) (local.get $k)))
          (local.set $hp (i32.add (local.get $H) (i32.mul (local.get $i) (i32.shl (local.get $w) (i32.const 3)))))
          (local.set $end (i32.add (local.get $hp) (i32.shl (local.get $w) (i32.const 3))))
          (local.set $vp (i32.add (local.get $V) (i32.shl (local.get $c) (i32.const 3))))
          (local.set $acc (f64.const 0))
          (block $sum_done
            (loop $sum
              (br_if $sum_done (i32.ge_u (local.get $hp) (local.get $end)))
              (local.set $h (f64.load (local.get $hp)))
              (if (i32.or (i32.eqz (local.get $skip)) (f64.ne (local.get $h) (f64.const 0)))
                (then (local.set $acc (f64.add (local.get $acc) (f64.mul (local.get $h) (f64.load (local.get $vp)))))))
              (local.set $hp (i32.add (local.get $hp) (i32.const 8)))
              (local.set $vp (i32.add (local.get $vp) (local.get $ks)))
              (br $sum)))
          (f64.store (i32.add (local.get $f) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $k)) (local.get $c)) (i32.const 3)))
            (f64.add (f64.mul (local.get $s2w) (local.get $acc)) (f64.load (i32.add (local.get $cb) (i32.shl (local.get $c) (i32.const 3))))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $each_out)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $each_row))))

;; erf(x) bit-identical to @stdlib/math-base-special-erf (theory/mlp.ts's erf; fdlibm s_erf.c as stdlib writes it),
;; with its exp (@stdlib/math-base-special-exp: e_exp.c's reduction, expmulti, and ldexp) inlined below. Every
;; operation is stdlib's, in its order (its evalpoly Horner forms; their `x === 0` shortcut returns the constant term,
;; which c0 + 0·(…) also gives). Checked against stdlib with Object.is (properties/linearization-wasm.test.ts).

;; ldexp(frac, e) as stdlib computes it (normalize subnormals, rebuild the exponent bits, scale subnormal results).
(func $wide_ldexp (param $frac f64) (param $e i32) (result f64)
  (local $bits i64) (local $high i32) (local $m f64)
  (if (i32.or (i32.or (i32.eqz (local.get $e)) (f64.eq (local.get $frac) (f64.const 0)))
        (i32.or (f64.ne (local.get $frac) (local.get $frac)) (f64.eq (f64.abs (local.get $frac)) (f64.const inf))))
    (then (return (local.get $frac))))
  (if (f64.lt (f64.abs (local.get $frac)) (f64.const 0x1p-1022)) ;; normalize a subnormal
    (then
      (local.set $frac (f64.mul (local.get $frac) (f64.const 0x1p52)))
      (local.set $e (i32.sub (local.get $e) (i32.const 52)))))
  (local.set $bits (i64.reinterpret_f64 (local.get $frac)))
  (local.set $high (i32.wrap_i64 (i64.shr_u (local.get $bits) (i64.const 32))))
  (local.set $e (i32.add (local.get $e) (i32.sub (i32.and (i32.shr_u (local.get $high) (i32.const 20)) (i32.const 0x7ff)) (i32.const 1023))))
  (if (i32.lt_s (local.get $e) (i32.const -1074))
    (then (return (f64.copysign (f64.const 0) (local.get $frac)))))
  (if (i32.gt_s (local.get $e) (i32.const 1023))
    (then (return (select (f64.const -inf) (f64.const inf) (f64.lt (local.get $frac) (f64.const 0))))))
  (local.set $m (f64.const 1))
  (if (i32.le_s (local.get $e) (i32.const -1023))
    (then
      (local.set $e (i32.add (local.get $e) (i32.const 52)))
      (local.set $m (f64.const 0x1p-52))))
  (local.set $high (i32.or (i32.and (local.get $high) (i32.const 0x800fffff)) (i32.shl (i32.add (local.get $e) (i32.const 1023)) (i32.const 20))))
  (f64.mul (local.get $m)
    (f64.reinterpret_i64 (i64.or (i64.shl (i64.extend_i32_u (local.get $high)) (i64.const 32))
      (i64.and (local.get $bits) (i64.const 0xffffffff))))))

;; exp(x) of @stdlib/math-base-special-exp.
(func $wide_exp (param $x f64) (result f64)
  (local $k f64) (local $hi f64) (local $lo f64) (local $r f64) (local $t f64) (local $c f64) (local $y f64)
  (if (i32.or (f64.ne (local.get $x) (local.get $x)) (f64.eq (local.get $x) (f64.const inf))) (then (return (local.get $x))))
  (if (f64.eq (local.get $x) (f64.const -inf)) (then (return (f64.const 0))))
  (if (f64.gt (local.get $x) (f64.const 7.09782712893383973096e+02)) (then (return (f64.const inf))))
  (if (f64.lt (local.get $x) (f64.const -7.45133219101941108420e+02)) (then (return (f64.const 0))))
  (if (i32.and (f64.gt (local.get $x) (f64.const -0x1p-28)) (f64.lt (local.get $x) (f64.const 0x1p-28)))
    (then (return (f64.add (f64.const 1) (local.get $x)))))
  (local.set $k (f64.trunc (select
    (f64.sub (f64.mul (f64.const 1.44269504088896338700e+00) (local.get $x)) (f64.const 0.5))
    (f64.add (f64.mul (f64.const 1.44269504088896338700e+00) (local.get $x)) (f64.const 0.5))
    (f64.lt (local.get $x) (f64.const 0)))))
  (local.set $hi (f64.sub (local.get $x) (f64.mul (local.get $k) (f64.const 6.93147180369123816490e-01))))
  (local.set $lo (f64.mul (local.get $k) (f64.const 1.90821492927058770002e-10)))
  ;; expmulti(hi, lo, k)
  (local.set $r (f64.sub (local.get $hi) (local.get $lo)))
  (local.set $t (f64.mul (local.get $r) (local.get $r)))
  (local.set $c (f64.sub (local.get $r) (f64.mul (local.get $t) (f64.add (f64.const 0.16666666666666602) (f64.mul (local.get $t) (f64.add (f64.const -0.0027777777777015593) (f64.mul (local.get $t) (f64.add (f64.const 0.00006613756321437934) (f64.mul (local.get $t) (f64.add (f64.const -0.0000016533902205465252) (f64.mul (local.get $t) (f64.const 4.1381367970572385e-8))))))))))))
  (local.set $y (f64.sub (f64.const 1)
    (f64.sub (f64.sub (local.get $lo) (f64.div (f64.mul (local.get $r) (local.get $c)) (f64.sub (f64.const 2) (local.get $c)))) (local.get $hi))))
  (call $wide_ldexp (local.get $y) (i32.trunc_f64_s (local.get $k))))

(func $wide_erf (export "wide_erf") (param $x f64) (result f64)
  (local $sign i32) (local $ax f64) (local $z f64) (local $r f64) (local $s f64) (local $y f64) (local $p f64) (local $q f64)
  (if (f64.ne (local.get $x) (local.get $x)) (then (return (local.get $x))))
  (if (f64.eq (local.get $x) (f64.const inf)) (then (return (f64.const 1))))
  (if (f64.eq (local.get $x) (f64.const -inf)) (then (return (f64.const -1))))
  (if (f64.eq (local.get $x) (f64.const 0)) (then (return (local.get $x))))
  (local.set $sign (f64.lt (local.get $x) (f64.const 0)))
  (local.set $ax (select (f64.neg (local.get $x)) (local.get $x) (local.get $sign)))
  (if (f64.lt (local.get $ax) (f64.const 0.84375))
    (then
      (if (f64.lt (local.get $ax) (f64.const 3.725290298461914e-9))
        (then
          (if (f64.lt (local.get $ax) (f64.const 2.848094538889218e-306))
            (then (return (f64.mul (f64.const 0.125)
              (f64.add (f64.mul (f64.const 8) (local.get $x)) (f64.mul (f64.const 1.02703333676410069053) (local.get $x)))))))
          (return (f64.add (local.get $x) (f64.mul (f64.const 1.28379167095512586316e-1) (local.get $x))))))
      (local.set $z (f64.mul (local.get $x) (local.get $x)))
      (local.set $r (f64.add (f64.const 1.28379167095512558561e-1) (f64.mul (local.get $z) (f64.add (f64.const -0.3250421072470015) (f64.mul (local.get $z) (f64.add (f64.const -0.02848174957559851) (f64.mul (local.get $z) (f64.add (f64.const -0.005770270296489442) (f64.mul (local.get $z) (f64.const -0.000023763016656650163))))))))))
      (local.set $s (f64.add (f64.const 1) (f64.mul (local.get $z) (f64.add (f64.const 0.39791722395915535) (f64.mul (local.get $z) (f64.add (f64.const 0.0650222499887673) (f64.mul (local.get $z) (f64.add (f64.const 0.005081306281875766) (f64.mul (local.get $z) (f64.add (f64.const 0.00013249473800432164) (f64.mul (local.get $z) (f64.const -0.000003960228278775368))))))))))))
      (local.set $y (f64.div (local.get $r) (local.get $s)))
      (return (f64.add (local.get $x) (f64.mul (local.get $x) (local.get $y))))))
  (if (f64.lt (local.get $ax) (f64.const 1.25))
    (then
      (local.set $s (f64.sub (local.get $ax) (f64.const 1)))
      (local.set $p (f64.add (f64.const -2.36211856075265944077e-3) (f64.mul (local.get $s) (f64.add (f64.const 0.41485611868374833) (f64.mul (local.get $s) (f64.add (f64.const -0.3722078760357013) (f64.mul (local.get $s) (f64.add (f64.const 0.31834661990116175) (f64.mul (local.get $s) (f64.add (f64.const -0.11089469428239668) (f64.mul (local.get $s) (f64.add (f64.const 0.035478304325618236) (f64.mul (local.get $s) (f64.const -0.002166375594868791))))))))))))))
      (local.set $q (f64.add (f64.const 1) (f64.mul (local.get $s) (f64.add (f64.const 0.10642088040084423) (f64.mul (local.get $s) (f64.add (f64.const 0.540397917702171) (f64.mul (local.get $s) (f64.add (f64.const 0.07182865441419627) (f64.mul (local.get $s) (f64.add (f64.const 0.12617121980876164) (f64.mul (local.get $s) (f64.add (f64.const 0.01363708391202905) (f64.mul (local.get $s) (f64.const 0.011984499846799107))))))))))))))
      (if (local.get $sign)
        (then (return (f64.sub (f64.neg (f64.const 8.45062911510467529297e-1)) (f64.div (local.get $p) (local.get $q))))))
      (return (f64.add (f64.const 8.45062911510467529297e-1) (f64.div (local.get $p) (local.get $q))))))
  (if (f64.ge (local.get $ax) (f64.const 6))
    (then (return (select (f64.sub (f64.const 1.0e-300) (f64.const 1)) (f64.sub (f64.const 1) (f64.const 1.0e-300)) (local.get $sign)))))
  (local.set $s (f64.div (f64.const 1) (f64.mul (local.get $ax) (local.get $ax))))
  (if (f64.lt (local.get $ax) (f64.const 2.857142857142857))
    (then
      (local.set $r (f64.add (f64.const -9.86494403484714822705e-3) (f64.mul (local.get $s) (f64.add (f64.const -0.6938585727071818) (f64.mul (local.get $s) (f64.add (f64.const -10.558626225323291) (f64.mul (local.get $s) (f64.add (f64.const -62.375332450326006) (f64.mul (local.get $s) (f64.add (f64.const -162.39666946257347) (f64.mul (local.get $s) (f64.add (f64.const -184.60509290671104) (f64.mul (local.get $s) (f64.add (f64.const -81.2874355063066) (f64.mul (local.get $s) (f64.const -9.814329344169145))))))))))))))))
      (local.set $s (f64.add (f64.const 1) (f64.mul (local.get $s) (f64.add (f64.const 19.651271667439257) (f64.mul (local.get $s) (f64.add (f64.const 137.65775414351904) (f64.mul (local.get $s) (f64.add (f64.const 434.56587747522923) (f64.mul (local.get $s) (f64.add (f64.const 645.3872717332679) (f64.mul (local.get $s) (f64.add (f64.const 429.00814002756783) (f64.mul (local.get $s) (f64.add (f64.const 108.63500554177944) (f64.mul (local.get $s) (f64.add (f64.const 6.570249770319282) (f64.mul (local.get $s) (f64.const -0.0604244152148581)))))))))))))))))))
    (else
      (local.set $r (f64.add (f64.const -9.86494292470009928597e-3) (f64.mul (local.get $s) (f64.add (f64.const -0.799283237680523) (f64.mul (local.get $s) (f64.add (f64.const -17.757954917754752) (f64.mul (local.get $s) (f64.add (f64.const -160.63638485582192) (f64.mul (local.get $s) (f64.add (f64.const -637.5664433683896) (f64.mul (local.get $s) (f64.add (f64.const -1025.0951316110772) (f64.mul (local.get $s) (f64.const -483.5191916086514))))))))))))))
      (local.set $s (f64.add (f64.const 1) (f64.mul (local.get $s) (f64.add (f64.const 30.33806074348246) (f64.mul (local.get $s) (f64.add (f64.const 325.7925129965739) (f64.mul (local.get $s) (f64.add (f64.const 1536.729586084437) (f64.mul (local.get $s) (f64.add (f64.const 3199.8582195085955) (f64.mul (local.get $s) (f64.add (f64.const 2553.0504064331644) (f64.mul (local.get $s) (f64.add (f64.const 474.52854120695537) (f64.mul (local.get $s) (f64.const -22.44095244658582))))))))))))))))))
  (local.set $z (f64.reinterpret_i64 (i64.and (i64.reinterpret_f64 (local.get $ax)) (i64.const 0xffffffff00000000))))
  (local.set $r (f64.mul
    (call $wide_exp (f64.sub (f64.neg (f64.mul (local.get $z) (local.get $z))) (f64.const 0.5625)))
    (call $wide_exp (f64.add (f64.mul (f64.sub (local.get $z) (local.get $ax)) (f64.add (local.get $z) (local.get $ax))) (f64.div (local.get $r) (local.get $s))))))
  (if (local.get $sign) (then (return (f64.sub (f64.div (local.get $r) (local.get $ax)) (f64.const 1)))))
  (f64.sub (f64.const 1) (f64.div (local.get $r) (local.get $ax))))

;; dst[0..n) = erf(src[0..n)) (in place when dst = src).
(func (export "wide_erf_into") (param $src i32) (param $dst i32) (param $n i32)
  (local $end i32)
  (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 3))))
  (block $done
    (loop $each
      (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
      (f64.store (local.get $dst) (call $wide_erf (f64.load (local.get $src))))
      (local.set $src (i32.add (local.get $src) (i32.const 8)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
      (br $each))))
