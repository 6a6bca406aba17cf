;; Conv and dense layers of theory/cnn.ts (cnn-v1), forward and backward over a whole batch in one call.
;; Pointers are byte offsets into the arena's memory (core/wasm/runtime.ts). A dense layer is the 1×1 case of a conv
;; (inH = inW = outH = outW = kh = kw = stride = 1, no padding, cin = nIn, cout = nOut): the same layouts and sums.
;; Bit-identical to the plain loops (properties/theory/cnn-kernels.test.ts): f64x2 lanes only across independent
;; outputs (output channels o, or input channels c for ∂L/∂h), every sum in the plain loop's order, separate mul and add.

;; z[p,i,j,o] = sw·Σ_{a,b,c} h[p, i·s+a−pt, j·s+b−pl, c]·W[a,b,c,o] + sb·b[o], terms in (a, b, c) order with zero
;; inputs skipped (the plain loop's `if (h !== 0)`: it decides 0·∞ and keeps a sum of no terms at +0).
;; Per output position (i, j) the valid taps' input offsets and W rows are listed once (toff, trow); then for each point
;; its nonzero terms are gathered into tx (values) and tw (W row addresses), and each group of output channels runs
;; over them once. Outputs are independent, so visiting points innermost changes no sum.
;; Scratch: tx holds kh·kw·cin f64s; tw three times kh·kw·cin i32s (tw, toff, trow).
(func $cnn_conv_fwd (export "cnn_conv_fwd")
  (param $x i32) (param $W i32) (param $b i32) (param $out i32) (param $tx i32) (param $tw i32)
  (param $rows i32) (param $inH i32) (param $inW i32) (param $cin i32)
  (param $outH i32) (param $outW i32) (param $cout i32)
  (param $kh i32) (param $kw i32) (param $stride i32) (param $pt i32) (param $pl i32)
  (param $sw f64) (param $sb f64)
  (local $p i32) (local $i i32) (local $j i32) (local $a i32) (local $bb i32) (local $c i32) (local $o i32)
  (local $t i32) (local $ii i32) (local $jj i32) (local $nt i32) (local $xo i32) (local $wo i32) (local $zo i32)
  (local $r i32) (local $inSize8 i32) (local $cout8 i32) (local $v f64) (local $s f64)
  (local $m i32) (local $toff i32) (local $trow i32) (local $xb i32) (local $terms i32)
  (local $vv v128) (local $acc0 v128) (local $acc1 v128) (local $swv v128) (local $sbv v128)
  (local.set $inSize8 (i32.shl (i32.mul (i32.mul (local.get $inH) (local.get $inW)) (local.get $cin)) (i32.const 3)))
  (local.set $cout8 (i32.shl (local.get $cout) (i32.const 3)))
  (local.set $terms (i32.mul (i32.mul (local.get $kh) (local.get $kw)) (local.get $cin)))
  (local.set $toff (i32.add (local.get $tw) (i32.shl (local.get $terms) (i32.const 2))))
  (local.set $trow (i32.add (local.get $toff) (i32.shl (local.get $terms) (i32.const 2))))
  (local.set $swv (f64x2.splat (local.get $sw)))
  (local.set $sbv (f64x2.splat (local.get $sb)))
  (local.set $i (i32.const 0))
  (block $idone (loop $iloop
    (br_if $idone (i32.ge_s (local.get $i) (local.get $outH)))
    (local.set $j (i32.const 0))
    (block $jdone (loop $jloop
      (br_if $jdone (i32.ge_s (local.get $j) (local.get $outW)))
      ;; the valid taps of this position in (a, b, c) order: input offset within a point, W row address
      (local.set $m (i32.const 0))
      (local.set $a (i32.const 0))
      (block $adone (loop $aloop
        (br_if $adone (i32.ge_s (local.get $a) (local.get $kh)))
        (local.set $ii (i32.sub (i32.add (i32.mul (local.get $i) (local.get $stride)) (local.get $a)) (local.get $pt)))
        (if (i32.and (i32.ge_s (local.get $ii) (i32.const 0)) (i32.lt_s (local.get $ii) (local.get $inH)))
          (then
            (local.set $bb (i32.const 0))
            (block $bdone (loop $bloop
              (br_if $bdone (i32.ge_s (local.get $bb) (local.get $kw)))
              (local.set $jj (i32.sub (i32.add (i32.mul (local.get $j) (local.get $stride)) (local.get $bb)) (local.get $pl)))
              (if (i32.and (i32.ge_s (local.get $jj) (i32.const 0)) (i32.lt_s (local.get $jj) (local.get $inW)))
                (then
                  (local.set $xo (i32.shl (i32.mul (i32.add (i32.mul (local.get $ii) (local.get $inW)) (local.get $jj)) (local.get $cin)) (i32.const 3)))
                  (local.set $wo (i32.add (local.get $W) (i32.mul
                    (i32.mul (i32.add (i32.mul (local.get $a) (local.get $kw)) (local.get $bb)) (local.get $cin))
                    (local.get $cout8))))
                  (local.set $c (i32.const 0))
                  (block $cdone (loop $cloop
                    (br_if $cdone (i32.ge_s (local.get $c) (local.get $cin)))
                    (i32.store (i32.add (local.get $toff) (i32.shl (local.get $m) (i32.const 2)))
                      (i32.add (local.get $xo) (i32.shl (local.get $c) (i32.const 3))))
                    (i32.store (i32.add (local.get $trow) (i32.shl (local.get $m) (i32.const 2)))
                      (i32.add (local.get $wo) (i32.mul (local.get $c) (local.get $cout8))))
                    (local.set $m (i32.add (local.get $m) (i32.const 1)))
                    (local.set $c (i32.add (local.get $c) (i32.const 1)))
                    (br $cloop)))))
              (local.set $bb (i32.add (local.get $bb) (i32.const 1)))
              (br $bloop)))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $aloop)))
      (local.set $p (i32.const 0))
      (block $pdone (loop $ploop
        (br_if $pdone (i32.ge_s (local.get $p) (local.get $rows)))
        ;; gather this point's nonzero terms, branch-free: always write the slot, keep it (advance nt) when v ≠ 0
        (local.set $xb (i32.add (local.get $x) (i32.mul (local.get $p) (local.get $inSize8))))
        (local.set $nt (i32.const 0))
        (local.set $t (i32.const 0))
        (block $gdone (loop $gloop
          (br_if $gdone (i32.ge_s (local.get $t) (local.get $m)))
          (local.set $v (f64.load (i32.add (local.get $xb) (i32.load (i32.add (local.get $toff) (i32.shl (local.get $t) (i32.const 2)))))))
          (f64.store (i32.add (local.get $tx) (i32.shl (local.get $nt) (i32.const 3))) (local.get $v))
          (i32.store (i32.add (local.get $tw) (i32.shl (local.get $nt) (i32.const 2)))
            (i32.load (i32.add (local.get $trow) (i32.shl (local.get $t) (i32.const 2)))))
          (local.set $nt (i32.add (local.get $nt) (f64.ne (local.get $v) (f64.const 0))))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $gloop)))
        (local.set $zo (i32.add (local.get $out) (i32.mul
          (i32.add (i32.mul (i32.add (i32.mul (local.get $p) (local.get $outH)) (local.get $i)) (local.get $outW)) (local.get $j))
          (local.get $cout8))))
          ;; four output channels per pass over the terms: two f64x2 sums, each lane its own output
          (local.set $o (i32.const 0))
          (block $o4done (loop $o4loop
            (br_if $o4done (i32.gt_s (i32.add (local.get $o) (i32.const 4)) (local.get $cout)))
            (local.set $acc0 (v128.const f64x2 0 0))
            (local.set $acc1 (v128.const f64x2 0 0))
            (local.set $t (i32.const 0))
            (block $tdone (loop $tloop
              (br_if $tdone (i32.ge_s (local.get $t) (local.get $nt)))
              (local.set $vv (f64x2.splat (f64.load (i32.add (local.get $tx) (i32.shl (local.get $t) (i32.const 3))))))
              (local.set $r (i32.add (i32.load (i32.add (local.get $tw) (i32.shl (local.get $t) (i32.const 2))))
                                     (i32.shl (local.get $o) (i32.const 3))))
              (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $vv) (v128.load (local.get $r)))))
              (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $vv) (v128.load offset=16 (local.get $r)))))
              (local.set $t (i32.add (local.get $t) (i32.const 1)))
              (br $tloop)))
            (local.set $r (i32.shl (local.get $o) (i32.const 3)))
            (v128.store (i32.add (local.get $zo) (local.get $r))
              (f64x2.add (f64x2.mul (local.get $swv) (local.get $acc0))
                         (f64x2.mul (local.get $sbv) (v128.load (i32.add (local.get $b) (local.get $r))))))
            (v128.store offset=16 (i32.add (local.get $zo) (local.get $r))
              (f64x2.add (f64x2.mul (local.get $swv) (local.get $acc1))
                         (f64x2.mul (local.get $sbv) (v128.load offset=16 (i32.add (local.get $b) (local.get $r))))))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (br $o4loop)))
          ;; two more channels
          (if (i32.le_s (i32.add (local.get $o) (i32.const 2)) (local.get $cout))
            (then
              (local.set $acc0 (v128.const f64x2 0 0))
              (local.set $t (i32.const 0))
              (block $t2done (loop $t2loop
                (br_if $t2done (i32.ge_s (local.get $t) (local.get $nt)))
                (local.set $vv (f64x2.splat (f64.load (i32.add (local.get $tx) (i32.shl (local.get $t) (i32.const 3))))))
                (local.set $r (i32.add (i32.load (i32.add (local.get $tw) (i32.shl (local.get $t) (i32.const 2))))
                                       (i32.shl (local.get $o) (i32.const 3))))
                (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $vv) (v128.load (local.get $r)))))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $t2loop)))
              (local.set $r (i32.shl (local.get $o) (i32.const 3)))
              (v128.store (i32.add (local.get $zo) (local.get $r))
                (f64x2.add (f64x2.mul (local.get $swv) (local.get $acc0))
                           (f64x2.mul (local.get $sbv) (v128.load (i32.add (local.get $b) (local.get $r))))))
              (local.set $o (i32.add (local.get $o) (i32.const 2)))))
          ;; the last odd channel
          (if (i32.lt_s (local.get $o) (local.get $cout))
            (then
              (local.set $s (f64.const 0))
              (local.set $t (i32.const 0))
              (block $t1done (loop $t1loop
                (br_if $t1done (i32.ge_s (local.get $t) (local.get $nt)))
                (local.set $r (i32.add (i32.load (i32.add (local.get $tw) (i32.shl (local.get $t) (i32.const 2))))
                                       (i32.shl (local.get $o) (i32.const 3))))
                (local.set $s (f64.add (local.get $s)
                  (f64.mul (f64.load (i32.add (local.get $tx) (i32.shl (local.get $t) (i32.const 3)))) (f64.load (local.get $r)))))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $t1loop)))
              (local.set $r (i32.shl (local.get $o) (i32.const 3)))
              (f64.store (i32.add (local.get $zo) (local.get $r))
                (f64.add (f64.mul (local.get $sw) (local.get $s))
                         (f64.mul (local.get $sb) (f64.load (i32.add (local.get $b) (local.get $r))))))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $ploop)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $jloop)))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $iloop)))
)

;; Backward of a conv (or dense) layer given δ = ∂L/∂z (rows × outH·outW·cout), summed over points and positions in
;; order (points outermost, as the plain loop: gW's sums run over (p, i, j)): gb[o] += δ[o]; gW[a,b,c,o] += h·δ[o]
;; (no zero skipping, as the plain loop); and, unless mode = 0, ∂L/∂h[p,ii,jj,c] (+)= sw·Σ_o δ[o]·W[a,b,c,o], each sum
;; over o in order, read from WT = W transposed to [a][b][o][c] so that channels c, c+1 are adjacent lanes. mode 1 adds
;; into dh (a conv: taps overlap), mode 2 stores (a dense layer's `dh[k] = sw·acc`, which differs from 0 + sw·acc only
;; for −0). gW and gb are not scaled here. Scratch lst: per output position, its count of valid taps and for each the
;; input offset within a point and the tap index (outH·outW·(1 + 2·kh·kw) i32s), listed once per call.
(func $cnn_conv_bwd (export "cnn_conv_bwd")
  (param $x i32) (param $delta i32) (param $WT i32) (param $gW i32) (param $gb i32) (param $dh i32) (param $lst i32)
  (param $rows i32) (param $inH i32) (param $inW i32) (param $cin i32)
  (param $outH i32) (param $outW i32) (param $cout i32)
  (param $kh i32) (param $kw i32) (param $stride i32) (param $pt i32) (param $pl i32)
  (param $sw f64) (param $mode i32)
  (local $p i32) (local $i i32) (local $j i32) (local $a i32) (local $bb i32) (local $c i32) (local $o i32)
  (local $ii i32) (local $jj i32) (local $xo i32) (local $dO i32) (local $tap i32) (local $r i32) (local $q i32)
  (local $wt i32) (local $inSize8 i32) (local $cout8 i32) (local $cin8 i32) (local $v f64) (local $s f64)
  (local $e i32) (local $ent i32) (local $n i32) (local $k i32) (local $pos i32) (local $positions i32) (local $estride i32)
  (local $xb i32) (local $gwr i32)
  (local $vv v128) (local $acc v128) (local $swv v128) (local $d01 v128) (local $d23 v128)
  (local.set $inSize8 (i32.shl (i32.mul (i32.mul (local.get $inH) (local.get $inW)) (local.get $cin)) (i32.const 3)))
  (local.set $cout8 (i32.shl (local.get $cout) (i32.const 3)))
  (local.set $cin8 (i32.shl (local.get $cin) (i32.const 3)))
  (local.set $swv (f64x2.splat (local.get $sw)))
  (local.set $positions (i32.mul (local.get $outH) (local.get $outW)))
  (local.set $estride (i32.shl (i32.add (i32.const 1) (i32.shl (i32.mul (local.get $kh) (local.get $kw)) (i32.const 1))) (i32.const 2)))
  ;; the valid taps of every position: (input offset within a point in bytes, tap index a·kw + b), in (a, b) order
  (local.set $e (local.get $lst))
  (local.set $i (i32.const 0))
  (block $idone (loop $iloop
    (br_if $idone (i32.ge_s (local.get $i) (local.get $outH)))
    (local.set $j (i32.const 0))
    (block $jdone (loop $jloop
      (br_if $jdone (i32.ge_s (local.get $j) (local.get $outW)))
      (local.set $n (i32.const 0))
      (local.set $ent (i32.add (local.get $e) (i32.const 4)))
      (local.set $a (i32.const 0))
      (block $adone (loop $aloop
        (br_if $adone (i32.ge_s (local.get $a) (local.get $kh)))
        (local.set $ii (i32.sub (i32.add (i32.mul (local.get $i) (local.get $stride)) (local.get $a)) (local.get $pt)))
        (if (i32.and (i32.ge_s (local.get $ii) (i32.const 0)) (i32.lt_s (local.get $ii) (local.get $inH)))
          (then
            (local.set $bb (i32.const 0))
            (block $bdone (loop $bloop
              (br_if $bdone (i32.ge_s (local.get $bb) (local.get $kw)))
              (local.set $jj (i32.sub (i32.add (i32.mul (local.get $j) (local.get $stride)) (local.get $bb)) (local.get $pl)))
              (if (i32.and (i32.ge_s (local.get $jj) (i32.const 0)) (i32.lt_s (local.get $jj) (local.get $inW)))
                (then
                  (i32.store (local.get $ent)
                    (i32.shl (i32.mul (i32.add (i32.mul (local.get $ii) (local.get $inW)) (local.get $jj)) (local.get $cin)) (i32.const 3)))
                  (i32.store offset=4 (local.get $ent) (i32.add (i32.mul (local.get $a) (local.get $kw)) (local.get $bb)))
                  (local.set $ent (i32.add (local.get $ent) (i32.const 8)))
                  (local.set $n (i32.add (local.get $n) (i32.const 1)))))
              (local.set $bb (i32.add (local.get $bb) (i32.const 1)))
              (br $bloop)))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $aloop)))
      (i32.store (local.get $e) (local.get $n))
      (local.set $e (i32.add (local.get $e) (local.get $estride)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $jloop)))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $iloop)))
  (local.set $dO (local.get $delta))
  (local.set $p (i32.const 0))
  (block $pdone (loop $ploop
    (br_if $pdone (i32.ge_s (local.get $p) (local.get $rows)))
    (local.set $xb (i32.mul (local.get $p) (local.get $inSize8)))
    (local.set $e (local.get $lst))
    (local.set $pos (i32.const 0))
    (block $posdone (loop $posloop
      (br_if $posdone (i32.ge_s (local.get $pos) (local.get $positions)))
      ;; gb[o] += δ[o]
      (local.set $o (i32.const 0))
      (block $gbdone (loop $gbloop
        (br_if $gbdone (i32.gt_s (i32.add (local.get $o) (i32.const 2)) (local.get $cout)))
        (local.set $r (i32.shl (local.get $o) (i32.const 3)))
        (v128.store (i32.add (local.get $gb) (local.get $r))
          (f64x2.add (v128.load (i32.add (local.get $gb) (local.get $r))) (v128.load (i32.add (local.get $dO) (local.get $r)))))
        (local.set $o (i32.add (local.get $o) (i32.const 2)))
        (br $gbloop)))
      (if (i32.lt_s (local.get $o) (local.get $cout))
        (then
          (local.set $r (i32.shl (local.get $o) (i32.const 3)))
          (f64.store (i32.add (local.get $gb) (local.get $r))
            (f64.add (f64.load (i32.add (local.get $gb) (local.get $r))) (f64.load (i32.add (local.get $dO) (local.get $r)))))))
      (if (i32.ge_s (local.get $cout) (i32.const 2)) (then (local.set $d01 (v128.load (local.get $dO)))))
      (if (i32.eq (local.get $cout) (i32.const 4)) (then (local.set $d23 (v128.load offset=16 (local.get $dO)))))
      (local.set $n (i32.load (local.get $e)))
      (local.set $ent (i32.add (local.get $e) (i32.const 4)))
      (local.set $k (i32.const 0))
      (block $kdone (loop $kloop
        (br_if $kdone (i32.ge_s (local.get $k) (local.get $n)))
        (local.set $xo (i32.add (local.get $xb) (i32.load (local.get $ent))))
        (local.set $tap (i32.load offset=4 (local.get $ent)))
        (local.set $ent (i32.add (local.get $ent) (i32.const 8)))
        ;; gW[tap, c, o] += h[c]·δ[o]: o in pairs (2 and 4 output channels unrolled, δ in registers)
        (local.set $gwr (i32.add (local.get $gW) (i32.mul (i32.mul (local.get $tap) (local.get $cin)) (local.get $cout8))))
        (local.set $c (i32.const 0))
        (block $cdone (loop $cloop
          (br_if $cdone (i32.ge_s (local.get $c) (local.get $cin)))
          (local.set $v (f64.load (i32.add (i32.add (local.get $x) (local.get $xo)) (i32.shl (local.get $c) (i32.const 3)))))
          (local.set $vv (f64x2.splat (local.get $v)))
          (local.set $r (i32.add (local.get $gwr) (i32.mul (local.get $c) (local.get $cout8))))
          (if (i32.eq (local.get $cout) (i32.const 4))
            (then
              (v128.store (local.get $r) (f64x2.add (v128.load (local.get $r)) (f64x2.mul (local.get $vv) (local.get $d01))))
              (v128.store offset=16 (local.get $r) (f64x2.add (v128.load offset=16 (local.get $r)) (f64x2.mul (local.get $vv) (local.get $d23)))))
            (else (if (i32.eq (local.get $cout) (i32.const 2))
              (then
                (v128.store (local.get $r) (f64x2.add (v128.load (local.get $r)) (f64x2.mul (local.get $vv) (local.get $d01)))))
              (else
                (local.set $q (local.get $dO))
                (local.set $o (i32.const 0))
                (block $wdone (loop $wloop
                  (br_if $wdone (i32.gt_s (i32.add (local.get $o) (i32.const 2)) (local.get $cout)))
                  (v128.store (local.get $r)
                    (f64x2.add (v128.load (local.get $r)) (f64x2.mul (local.get $vv) (v128.load (local.get $q)))))
                  (local.set $r (i32.add (local.get $r) (i32.const 16)))
                  (local.set $q (i32.add (local.get $q) (i32.const 16)))
                  (local.set $o (i32.add (local.get $o) (i32.const 2)))
                  (br $wloop)))
                (if (i32.lt_s (local.get $o) (local.get $cout))
                  (then (f64.store (local.get $r)
                    (f64.add (f64.load (local.get $r)) (f64.mul (local.get $v) (f64.load (local.get $q)))))))))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $cloop)))
        ;; ∂L/∂h[c] (+)= sw·Σ_o δ[o]·WT[tap, o, c], channels c, c+1 in the two lanes
        (if (local.get $mode)
          (then
            (local.set $wt (i32.add (local.get $WT) (i32.mul (i32.mul (local.get $tap) (local.get $cout)) (local.get $cin8))))
            (local.set $c (i32.const 0))
            (block $hdone (loop $hloop
              (br_if $hdone (i32.gt_s (i32.add (local.get $c) (i32.const 2)) (local.get $cin)))
              (local.set $acc (v128.const f64x2 0 0))
              (local.set $r (i32.add (local.get $wt) (i32.shl (local.get $c) (i32.const 3))))
              (local.set $q (local.get $dO))
              (local.set $o (i32.const 0))
              (block $sdone (loop $sloop
                (br_if $sdone (i32.ge_s (local.get $o) (local.get $cout)))
                (local.set $acc (f64x2.add (local.get $acc)
                  (f64x2.mul (v128.load64_splat (local.get $q)) (v128.load (local.get $r)))))
                (local.set $r (i32.add (local.get $r) (local.get $cin8)))
                (local.set $q (i32.add (local.get $q) (i32.const 8)))
                (local.set $o (i32.add (local.get $o) (i32.const 1)))
                (br $sloop)))
              (local.set $r (i32.add (i32.add (local.get $dh) (local.get $xo)) (i32.shl (local.get $c) (i32.const 3))))
              (if (i32.eq (local.get $mode) (i32.const 1))
                (then (v128.store (local.get $r)
                  (f64x2.add (v128.load (local.get $r)) (f64x2.mul (local.get $swv) (local.get $acc)))))
                (else (v128.store (local.get $r) (f64x2.mul (local.get $swv) (local.get $acc)))))
              (local.set $c (i32.add (local.get $c) (i32.const 2)))
              (br $hloop)))
            (if (i32.lt_s (local.get $c) (local.get $cin))
              (then
                (local.set $s (f64.const 0))
                (local.set $r (i32.add (local.get $wt) (i32.shl (local.get $c) (i32.const 3))))
                (local.set $q (local.get $dO))
                (local.set $o (i32.const 0))
                (block $s1done (loop $s1loop
                  (br_if $s1done (i32.ge_s (local.get $o) (local.get $cout)))
                  (local.set $s (f64.add (local.get $s) (f64.mul (f64.load (local.get $q)) (f64.load (local.get $r)))))
                  (local.set $r (i32.add (local.get $r) (local.get $cin8)))
                  (local.set $q (i32.add (local.get $q) (i32.const 8)))
                  (local.set $o (i32.add (local.get $o) (i32.const 1)))
                  (br $s1loop)))
                (local.set $r (i32.add (i32.add (local.get $dh) (local.get $xo)) (i32.shl (local.get $c) (i32.const 3))))
                (if (i32.eq (local.get $mode) (i32.const 1))
                  (then (f64.store (local.get $r)
                    (f64.add (f64.load (local.get $r)) (f64.mul (local.get $sw) (local.get $s)))))
                  (else (f64.store (local.get $r) (f64.mul (local.get $sw) (local.get $s)))))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $kloop)))
      (local.set $e (i32.add (local.get $e) (local.get $estride)))
      (local.set $dO (i32.add (local.get $dO) (local.get $cout8)))
      (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
      (br $posloop)))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (br $ploop)))
)

;; a[q] = z[q] > 0 ? z[q] : 0 (theory/mlp.ts activateInto 'relu': NaN and −0 give +0), q < n.
(func $cnn_relu (export "cnn_relu") (param $z i32) (param $a i32) (param $n i32)
  (local $q i32) (local $v v128) (local $x f64)
  (block $done (loop $pairs
    (br_if $done (i32.gt_s (i32.add (local.get $q) (i32.const 2)) (local.get $n)))
    (local.set $v (v128.load (local.get $z)))
    (v128.store (local.get $a) (v128.bitselect (local.get $v) (v128.const f64x2 0 0) (f64x2.gt (local.get $v) (v128.const f64x2 0 0))))
    (local.set $z (i32.add (local.get $z) (i32.const 16)))
    (local.set $a (i32.add (local.get $a) (i32.const 16)))
    (local.set $q (i32.add (local.get $q) (i32.const 2)))
    (br $pairs)))
  (if (i32.lt_s (local.get $q) (local.get $n))
    (then
      (local.set $x (f64.load (local.get $z)))
      (f64.store (local.get $a) (select (local.get $x) (f64.const 0) (f64.gt (local.get $x) (f64.const 0)))))))

;; δ[q] = g[q]·φ'(z[q]) read from h = φ(z) (theory/mlp.ts derivInto, then the product): relu' = h > 0 ? 1 : 0
;; (kind 0), tanh' = 1 − h·h (kind 1). q < n.
(func $cnn_delta (export "cnn_delta") (param $g i32) (param $h i32) (param $d i32) (param $n i32) (param $kind i32)
  (local $q i32) (local $v v128) (local $t v128) (local $x f64) (local $e f64)
  (block $done (loop $pairs
    (br_if $done (i32.gt_s (i32.add (local.get $q) (i32.const 2)) (local.get $n)))
    (local.set $v (v128.load (local.get $h)))
    (if (local.get $kind)
      (then (local.set $t (f64x2.sub (v128.const f64x2 1 1) (f64x2.mul (local.get $v) (local.get $v)))))
      (else (local.set $t (v128.bitselect (v128.const f64x2 1 1) (v128.const f64x2 0 0) (f64x2.gt (local.get $v) (v128.const f64x2 0 0))))))
    (v128.store (local.get $d) (f64x2.mul (v128.load (local.get $g)) (local.get $t)))
    (local.set $g (i32.add (local.get $g) (i32.const 16)))
    (local.set $h (i32.add (local.get $h) (i32.const 16)))
    (local.set $d (i32.add (local.get $d) (i32.const 16)))
    (local.set $q (i32.add (local.get $q) (i32.const 2)))
    (br $pairs)))
  (if (i32.lt_s (local.get $q) (local.get $n))
    (then
      (local.set $x (f64.load (local.get $h)))
      (if (local.get $kind)
        (then (local.set $e (f64.sub (f64.const 1) (f64.mul (local.get $x) (local.get $x)))))
        (else (local.set $e (select (f64.const 1) (f64.const 0) (f64.gt (local.get $x) (f64.const 0))))))
      (f64.store (local.get $d) (f64.mul (f64.load (local.get $g)) (local.get $e))))))

;; k×k pooling, stride k, no padding (theory/cnn.ts poolForward), channel c of window (i, j) of point p over the window
;; in (a, b) order. Max (isMax = 1): the first largest value (v > best, from −∞) and its flat index within the point
;; into argmax (i32; −1 when no value beats −∞, as the plain loop). Average: the sum in order, divided by k·k.
(func $cnn_pool_fwd (export "cnn_pool_fwd")
  (param $h i32) (param $out i32) (param $argmax i32) (param $rows i32) (param $inH i32) (param $inW i32) (param $C i32)
  (param $outH i32) (param $outW i32) (param $k i32) (param $isMax i32)
  (local $p i32) (local $i i32) (local $j i32) (local $c i32) (local $a i32) (local $bb i32) (local $q i32) (local $where i32)
  (local $hb i32) (local $o i32) (local $inSize i32) (local $gt i32) (local $v f64) (local $best f64) (local $sum f64) (local $kk f64)
  (local $rowC i32) (local $qbase i32) (local $qrow i32)
  (local $vv v128) (local $gtv v128) (local $bestv v128) (local $wherev v128) (local $sumv v128)
  (local.set $inSize (i32.mul (i32.mul (local.get $inH) (local.get $inW)) (local.get $C)))
  (local.set $rowC (i32.mul (local.get $inW) (local.get $C)))
  (local.set $kk (f64.convert_i32_s (i32.mul (local.get $k) (local.get $k))))
  (block $pdone (loop $ploop
    (br_if $pdone (i32.ge_s (local.get $p) (local.get $rows)))
    (local.set $hb (i32.add (local.get $h) (i32.shl (i32.mul (local.get $p) (local.get $inSize)) (i32.const 3))))
    (local.set $i (i32.const 0))
    (block $idone (loop $iloop
      (br_if $idone (i32.ge_s (local.get $i) (local.get $outH)))
      (local.set $j (i32.const 0))
      (block $jdone (loop $jloop
        (br_if $jdone (i32.ge_s (local.get $j) (local.get $outW)))
        ;; flat index (within the point) of the window's first entry, channel 0
        (local.set $qbase (i32.mul (i32.add (i32.mul (i32.mul (local.get $i) (local.get $k)) (local.get $inW))
                                            (i32.mul (local.get $j) (local.get $k))) (local.get $C)))
        ;; channels c, c+1 in the two lanes (independent outputs): the same comparisons and sums, lane by lane
        (local.set $c (i32.const 0))
        (block $c2done (loop $c2loop
          (br_if $c2done (i32.gt_s (i32.add (local.get $c) (i32.const 2)) (local.get $C)))
          (local.set $bestv (v128.const f64x2 -inf -inf))
          (local.set $wherev (v128.const i64x2 -1 -1))
          (local.set $sumv (v128.const f64x2 0 0))
          (local.set $qrow (i32.add (local.get $qbase) (local.get $c)))
          (local.set $a (i32.const 0))
          (block $a2done (loop $a2loop
            (br_if $a2done (i32.ge_s (local.get $a) (local.get $k)))
            (local.set $q (local.get $qrow))
            (local.set $bb (i32.const 0))
            (block $b2done (loop $b2loop
              (br_if $b2done (i32.ge_s (local.get $bb) (local.get $k)))
              (local.set $vv (v128.load (i32.add (local.get $hb) (i32.shl (local.get $q) (i32.const 3)))))
              (local.set $gtv (f64x2.gt (local.get $vv) (local.get $bestv)))
              (local.set $bestv (v128.bitselect (local.get $vv) (local.get $bestv) (local.get $gtv)))
              (local.set $wherev (v128.bitselect
                (i64x2.add (i64x2.splat (i64.extend_i32_s (local.get $q))) (v128.const i64x2 0 1))
                (local.get $wherev) (local.get $gtv)))
              (local.set $sumv (f64x2.add (local.get $sumv) (local.get $vv)))
              (local.set $q (i32.add (local.get $q) (local.get $C)))
              (local.set $bb (i32.add (local.get $bb) (i32.const 1)))
              (br $b2loop)))
            (local.set $qrow (i32.add (local.get $qrow) (local.get $rowC)))
            (local.set $a (i32.add (local.get $a) (i32.const 1)))
            (br $a2loop)))
          (if (local.get $isMax)
            (then
              (v128.store (i32.add (local.get $out) (i32.shl (local.get $o) (i32.const 3))) (local.get $bestv))
              (i32.store (i32.add (local.get $argmax) (i32.shl (local.get $o) (i32.const 2))) (i32.wrap_i64 (i64x2.extract_lane 0 (local.get $wherev))))
              (i32.store offset=4 (i32.add (local.get $argmax) (i32.shl (local.get $o) (i32.const 2))) (i32.wrap_i64 (i64x2.extract_lane 1 (local.get $wherev)))))
            (else (v128.store (i32.add (local.get $out) (i32.shl (local.get $o) (i32.const 3)))
              (f64x2.div (local.get $sumv) (f64x2.splat (local.get $kk))))))
          (local.set $o (i32.add (local.get $o) (i32.const 2)))
          (local.set $c (i32.add (local.get $c) (i32.const 2)))
          (br $c2loop)))
        (block $cdone (loop $cloop
          (br_if $cdone (i32.ge_s (local.get $c) (local.get $C)))
          (local.set $best (f64.const -inf))
          (local.set $where (i32.const -1))
          (local.set $sum (f64.const 0))
          (local.set $qrow (i32.add (local.get $qbase) (local.get $c)))
          (local.set $a (i32.const 0))
          (block $adone (loop $aloop
            (br_if $adone (i32.ge_s (local.get $a) (local.get $k)))
            (local.set $q (local.get $qrow))
            (local.set $bb (i32.const 0))
            (block $bdone (loop $bloop
              (br_if $bdone (i32.ge_s (local.get $bb) (local.get $k)))
              (local.set $v (f64.load (i32.add (local.get $hb) (i32.shl (local.get $q) (i32.const 3)))))
              ;; branch-free (which value wins is data-dependent): best ← v and where ← q when v > best
              (local.set $gt (f64.gt (local.get $v) (local.get $best)))
              (local.set $best (select (local.get $v) (local.get $best) (local.get $gt)))
              (local.set $where (select (local.get $q) (local.get $where) (local.get $gt)))
              (local.set $sum (f64.add (local.get $sum) (local.get $v)))
              (local.set $q (i32.add (local.get $q) (local.get $C)))
              (local.set $bb (i32.add (local.get $bb) (i32.const 1)))
              (br $bloop)))
            (local.set $qrow (i32.add (local.get $qrow) (local.get $rowC)))
            (local.set $a (i32.add (local.get $a) (i32.const 1)))
            (br $aloop)))
          (if (local.get $isMax)
            (then
              (f64.store (i32.add (local.get $out) (i32.shl (local.get $o) (i32.const 3))) (local.get $best))
              (i32.store (i32.add (local.get $argmax) (i32.shl (local.get $o) (i32.const 2))) (local.get $where)))
            (else (f64.store (i32.add (local.get $out) (i32.shl (local.get $o) (i32.const 3))) (f64.div (local.get $sum) (local.get $kk)))))
          (local.set $o (i32.add (local.get $o) (i32.const 1)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $cloop)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jloop)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $iloop)))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (br $ploop)))
)

;; ∂L/∂(pool input) into dh (zeroed by the caller) from g = ∂L/∂(pool output), outputs in order (theory/cnn.ts): max
;; adds g to its argmax (an argmax of −1 adds to the entry before the point, as the plain loop's flat index does, and
;; nothing before the first point); average adds g/(k·k) to each entry of the window in (a, b) order.
(func $cnn_pool_bwd (export "cnn_pool_bwd")
  (param $g i32) (param $argmax i32) (param $dh i32) (param $rows i32) (param $inH i32) (param $inW i32) (param $C i32)
  (param $outH i32) (param $outW i32) (param $k i32) (param $isMax i32)
  (local $p i32) (local $i i32) (local $j i32) (local $c i32) (local $a i32) (local $bb i32) (local $q i32) (local $idx i32)
  (local $o i32) (local $inSize i32) (local $share f64) (local $kk f64)
  (local.set $inSize (i32.mul (i32.mul (local.get $inH) (local.get $inW)) (local.get $C)))
  (local.set $kk (f64.convert_i32_s (i32.mul (local.get $k) (local.get $k))))
  (block $pdone (loop $ploop
    (br_if $pdone (i32.ge_s (local.get $p) (local.get $rows)))
    (local.set $i (i32.const 0))
    (block $idone (loop $iloop
      (br_if $idone (i32.ge_s (local.get $i) (local.get $outH)))
      (local.set $j (i32.const 0))
      (block $jdone (loop $jloop
        (br_if $jdone (i32.ge_s (local.get $j) (local.get $outW)))
        (local.set $c (i32.const 0))
        (block $cdone (loop $cloop
          (br_if $cdone (i32.ge_s (local.get $c) (local.get $C)))
          (if (local.get $isMax)
            (then
              (local.set $idx (i32.add (i32.mul (local.get $p) (local.get $inSize))
                (i32.load (i32.add (local.get $argmax) (i32.shl (local.get $o) (i32.const 2))))))
              (if (i32.ge_s (local.get $idx) (i32.const 0))
                (then
                  (local.set $q (i32.add (local.get $dh) (i32.shl (local.get $idx) (i32.const 3))))
                  (f64.store (local.get $q) (f64.add (f64.load (local.get $q))
                    (f64.load (i32.add (local.get $g) (i32.shl (local.get $o) (i32.const 3)))))))))
            (else
              (local.set $share (f64.div (f64.load (i32.add (local.get $g) (i32.shl (local.get $o) (i32.const 3)))) (local.get $kk)))
              (local.set $a (i32.const 0))
              (block $adone (loop $aloop
                (br_if $adone (i32.ge_s (local.get $a) (local.get $k)))
                (local.set $bb (i32.const 0))
                (block $bdone (loop $bloop
                  (br_if $bdone (i32.ge_s (local.get $bb) (local.get $k)))
                  (local.set $q (i32.add (local.get $dh) (i32.shl (i32.add (i32.mul (local.get $p) (local.get $inSize))
                    (i32.add (i32.mul (i32.add
                      (i32.mul (i32.add (i32.mul (local.get $i) (local.get $k)) (local.get $a)) (local.get $inW))
                      (i32.add (i32.mul (local.get $j) (local.get $k)) (local.get $bb))) (local.get $C)) (local.get $c))) (i32.const 3))))
                  (f64.store (local.get $q) (f64.add (f64.load (local.get $q)) (local.get $share)))
                  (local.set $bb (i32.add (local.get $bb) (i32.const 1)))
                  (br $bloop)))
                (local.set $a (i32.add (local.get $a) (i32.const 1)))
                (br $aloop)))))
          (local.set $o (i32.add (local.get $o) (i32.const 1)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $cloop)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jloop)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $iloop)))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (br $ploop)))
)
