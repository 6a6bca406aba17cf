;; The small-network training loops (issue 19): whole gradient-descent loops in one call, each keeping the summation
;; order of the JavaScript loop it replaced (f64x2 lanes only across independent outputs, separate mul and add), so
;; every iterate has the same bits. Pointers are byte offsets into the arena (core/wasm/runtime.ts); lengths count f64s.

;; exp(x), bit-identical to V8's Math.exp: a port of fdlibm's e_exp.c as V8 carries it (src/base/ieee754.cc), with
;; V8's special case exp(1) = E. Checked against Math.exp bit for bit in properties/theory/loops-wasm.test.ts.
(func $loops_exp (export "loops_exp") (param $x f64) (result f64)
  (local $hx i32) (local $xsb i32) (local $k i32) (local $hi f64) (local $lo f64) (local $t f64) (local $c f64)
  (local $y f64) (local $twopk f64) (local $bits i64)
  (local.set $bits (i64.reinterpret_f64 (local.get $x)))
  (local.set $hx (i32.wrap_i64 (i64.shr_u (local.get $bits) (i64.const 32))))
  (local.set $xsb (i32.shr_u (local.get $hx) (i32.const 31)))
  (local.set $hx (i32.and (local.get $hx) (i32.const 0x7fffffff)))
  ;; non-finite arguments, overflow and underflow (|x| >= 709.78...)
  (if (i32.ge_u (local.get $hx) (i32.const 0x40862E42))
    (then
      (if (i32.ge_u (local.get $hx) (i32.const 0x7ff00000))
        (then
          (if (i32.or (i32.and (local.get $hx) (i32.const 0xfffff)) (i32.wrap_i64 (local.get $bits)))
            (then (return (f64.add (local.get $x) (local.get $x))))) ;; NaN
          (return (select (local.get $x) (f64.const 0) (i32.eqz (local.get $xsb)))))) ;; exp(±inf) = {inf, 0}
      (if (f64.gt (local.get $x) (f64.const 0x1.62e42fefa39efp+9)) (then (return (f64.const inf)))) ;; huge·huge
      (if (f64.lt (local.get $x) (f64.const -0x1.74910d52d3051p+9)) (then (return (f64.const 0)))))) ;; twom1000²
  ;; argument reduction x = k·ln2 + (hi − lo)
  (if (i32.gt_u (local.get $hx) (i32.const 0x3fd62e42)) ;; |x| > 0.5 ln2
    (then
      (if (i32.lt_u (local.get $hx) (i32.const 0x3FF0A2B2)) ;; and |x| < 1.5 ln2
        (then
          (if (f64.eq (local.get $x) (f64.const 1)) (then (return (f64.const 0x1.5bf0a8b145769p+1)))) ;; V8: exp(1) = E
          (if (local.get $xsb)
            (then
              (local.set $hi (f64.sub (local.get $x) (f64.const -0x1.62e42feep-1)))
              (local.set $lo (f64.const -0x1.a39ef35793c76p-33))
              (local.set $k (i32.const -1)))
            (else
              (local.set $hi (f64.sub (local.get $x) (f64.const 0x1.62e42feep-1)))
              (local.set $lo (f64.const 0x1.a39ef35793c76p-33))
              (local.set $k (i32.const 1)))))
        (else
          (local.set $k (i32.trunc_f64_s (f64.add (f64.mul (f64.const 0x1.71547652b82fep+0) (local.get $x))
            (select (f64.const -0.5) (f64.const 0.5) (local.get $xsb)))))
          (local.set $t (f64.convert_i32_s (local.get $k)))
          (local.set $hi (f64.sub (local.get $x) (f64.mul (local.get $t) (f64.const 0x1.62e42feep-1)))) ;; exact
          (local.set $lo (f64.mul (local.get $t) (f64.const 0x1.a39ef35793c76p-33)))))
      (local.set $x (f64.sub (local.get $hi) (local.get $lo))))
    (else
      (if (i32.lt_u (local.get $hx) (i32.const 0x3e300000)) ;; |x| < 2^-28: fdlibm's huge + x > one always holds
        (then (return (f64.add (f64.const 1) (local.get $x)))))))
  ;; x is now in the primary range
  (local.set $t (f64.mul (local.get $x) (local.get $x)))
  (local.set $twopk (f64.reinterpret_i64 (i64.shl (i64.extend_i32_s
    (i32.add (select (local.get $k) (i32.add (local.get $k) (i32.const 1000)) (i32.ge_s (local.get $k) (i32.const -1021))) (i32.const 1023)))
    (i64.const 52))))
  (local.set $c (f64.sub (local.get $x) (f64.mul (local.get $t)
    (f64.add (f64.const 0x1.555555555553ep-3) (f64.mul (local.get $t)
    (f64.add (f64.const -0x1.6c16c16bebd93p-9) (f64.mul (local.get $t)
    (f64.add (f64.const 0x1.1566aaf25de2cp-14) (f64.mul (local.get $t)
    (f64.add (f64.const -0x1.bbd41c5d26bf1p-20) (f64.mul (local.get $t) (f64.const 0x1.6376972bea4d0p-25))))))))))))
  (if (i32.eqz (local.get $k))
    (then (return (f64.sub (f64.const 1) (f64.sub (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (local.get $c) (f64.const 2))) (local.get $x))))))
  (local.set $y (f64.sub (f64.const 1)
    (f64.sub (f64.sub (local.get $lo) (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (f64.const 2) (local.get $c)))) (local.get $hi))))
  (if (i32.ge_s (local.get $k) (i32.const -1021))
    (then
      (if (i32.eq (local.get $k) (i32.const 1024))
        (then (return (f64.mul (f64.mul (local.get $y) (f64.const 2)) (f64.const 0x1p1023)))))
      (return (f64.mul (local.get $y) (local.get $twopk)))))
  (f64.mul (f64.mul (local.get $y) (local.get $twopk)) (f64.const 0x1p-1000)))

;; exp on two lanes at once, for 0.5·ln2 < |x| < 708 in both lanes (x ≠ 1 handled by a select): there $loops_exp
;; always takes the branch k = (int)(x/ln2 ± 1/2) ≠ 0, k ≥ −1021, k ≠ 1024 (for 0.5·ln2 < |x| < 1.5·ln2 its special
;; case k = ±1, hi = x ∓ ln2_hi, lo = ±ln2_lo gives the same numbers), so the lanes do exactly its operations.
;; $loops_exp2_fast says whether both lanes qualify (the same test as fdlibm's high word > 0x3fd62e42).
(func $loops_exp2_fast (param $x v128) (result i32)
  (local $ax v128)
  (local.set $ax (f64x2.abs (local.get $x)))
  (i64x2.all_true (v128.and (f64x2.ge (local.get $ax) (v128.const f64x2 0x1.62e43p-2 0x1.62e43p-2))
    (f64x2.lt (local.get $ax) (v128.const f64x2 708 708)))))

(func $loops_exp2 (param $x v128) (result v128)
  (local $kv v128) (local $t v128) (local $hi v128) (local $lo v128) (local $r v128) (local $tt v128) (local $c v128)
  (local $y v128) (local $half v128)
  ;; ±0.5 with the sign of x
  (local.set $half (v128.or (v128.and (local.get $x) (v128.const i64x2 0x8000000000000000 0x8000000000000000))
    (v128.const f64x2 0.5 0.5)))
  (local.set $kv (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (f64x2.mul (v128.const f64x2 0x1.71547652b82fep+0 0x1.71547652b82fep+0) (local.get $x)) (local.get $half))))
  (local.set $t (f64x2.convert_low_i32x4_s (local.get $kv)))
  (local.set $hi (f64x2.sub (local.get $x) (f64x2.mul (local.get $t) (v128.const f64x2 0x1.62e42feep-1 0x1.62e42feep-1))))
  (local.set $lo (f64x2.mul (local.get $t) (v128.const f64x2 0x1.a39ef35793c76p-33 0x1.a39ef35793c76p-33)))
  (local.set $r (f64x2.sub (local.get $hi) (local.get $lo)))
  (local.set $tt (f64x2.mul (local.get $r) (local.get $r)))
  (local.set $c (f64x2.sub (local.get $r) (f64x2.mul (local.get $tt)
    (f64x2.add (v128.const f64x2 0x1.555555555553ep-3 0x1.555555555553ep-3) (f64x2.mul (local.get $tt)
    (f64x2.add (v128.const f64x2 -0x1.6c16c16bebd93p-9 -0x1.6c16c16bebd93p-9) (f64x2.mul (local.get $tt)
    (f64x2.add (v128.const f64x2 0x1.1566aaf25de2cp-14 0x1.1566aaf25de2cp-14) (f64x2.mul (local.get $tt)
    (f64x2.add (v128.const f64x2 -0x1.bbd41c5d26bf1p-20 -0x1.bbd41c5d26bf1p-20) (f64x2.mul (local.get $tt) (v128.const f64x2 0x1.6376972bea4d0p-25 0x1.6376972bea4d0p-25))))))))))))
  (local.set $y (f64x2.sub (v128.const f64x2 1 1)
    (f64x2.sub (f64x2.sub (local.get $lo) (f64x2.div (f64x2.mul (local.get $r) (local.get $c)) (f64x2.sub (v128.const f64x2 2 2) (local.get $c)))) (local.get $hi))))
  (local.set $y (f64x2.mul (local.get $y)
    (i64x2.shl (i64x2.add (i64x2.extend_low_i32x4_s (local.get $kv)) (v128.const i64x2 1023 1023)) (i32.const 52))))
  (v128.bitselect (v128.const f64x2 0x1.5bf0a8b145769p+1 0x1.5bf0a8b145769p+1) (local.get $y)
    (f64x2.eq (local.get $x) (v128.const f64x2 1 1)))) ;; V8: exp(1) = E

;; u[0..N) ← ℓ'(u) for the margin losses (loss: 0 logistic −1/(1 + e^u), 1 exp −e^(−u), 2 squared u − 1), with the
;; body of $loops_exp inlined (V8 does not inline calls between wasm functions; a call per point cost ≈ 40%).
(func $loops_dloss_into (export "loops_dloss_into") (param $u i32) (param $N i32) (param $loss i32)
  (local $x f64) (local $e f64) (local $s f64) (local $end i32) (local $v v128)
  (local $hx i32) (local $xsb i32) (local $k i32) (local $hi f64) (local $lo f64) (local $t f64) (local $c f64)
  (local $y f64) (local $twopk f64) (local $bits i64)
  (local.set $end (i32.add (local.get $u) (i32.shl (local.get $N) (i32.const 3))))
  (block $done
    (loop $each
      (br_if $done (i32.ge_u (local.get $u) (local.get $end)))
      ;; two points at once where both take exp's main branch
      (if (i32.and (i32.le_u (i32.add (local.get $u) (i32.const 16)) (local.get $end)) (i32.lt_u (local.get $loss) (i32.const 2)))
        (then
          (local.set $v (v128.load (local.get $u)))
          (if (i32.eqz (local.get $loss)) (then (local.set $v (local.get $v))) (else (local.set $v (f64x2.neg (local.get $v)))))
          (if (call $loops_exp2_fast (local.get $v))
            (then
              (local.set $v (call $loops_exp2 (local.get $v)))
              (v128.store (local.get $u) (if (result v128) (i32.eqz (local.get $loss))
                (then (f64x2.div (v128.const f64x2 -1 -1) (f64x2.add (v128.const f64x2 1 1) (local.get $v))))
                (else (f64x2.neg (local.get $v)))))
              (local.set $u (i32.add (local.get $u) (i32.const 16)))
              (br $each)))))
      (local.set $s (f64.load (local.get $u)))
      (if (i32.eq (local.get $loss) (i32.const 2))
        (then (f64.store (local.get $u) (f64.sub (local.get $s) (f64.const 1))))
        (else
          (local.set $x (select (local.get $s) (f64.neg (local.get $s)) (i32.eqz (local.get $loss))))
          (local.set $k (i32.const 0))
          (local.set $e (block $ret (result f64)
        (local.set $bits (i64.reinterpret_f64 (local.get $x)))
        (local.set $hx (i32.wrap_i64 (i64.shr_u (local.get $bits) (i64.const 32))))
        (local.set $xsb (i32.shr_u (local.get $hx) (i32.const 31)))
        (local.set $hx (i32.and (local.get $hx) (i32.const 0x7fffffff)))
        ;; non-finite arguments, overflow and underflow (|x| >= 709.78...)
        (if (i32.ge_u (local.get $hx) (i32.const 0x40862E42))
          (then
            (if (i32.ge_u (local.get $hx) (i32.const 0x7ff00000))
              (then
                (if (i32.or (i32.and (local.get $hx) (i32.const 0xfffff)) (i32.wrap_i64 (local.get $bits)))
                  (then (br $ret (f64.add (local.get $x) (local.get $x))))) ;; NaN
                (br $ret (select (local.get $x) (f64.const 0) (i32.eqz (local.get $xsb)))))) ;; exp(±inf) = {inf, 0}
            (if (f64.gt (local.get $x) (f64.const 0x1.62e42fefa39efp+9)) (then (br $ret (f64.const inf)))) ;; huge·huge
            (if (f64.lt (local.get $x) (f64.const -0x1.74910d52d3051p+9)) (then (br $ret (f64.const 0)))))) ;; twom1000²
        ;; argument reduction x = k·ln2 + (hi − lo)
        (if (i32.gt_u (local.get $hx) (i32.const 0x3fd62e42)) ;; |x| > 0.5 ln2
          (then
            (if (i32.lt_u (local.get $hx) (i32.const 0x3FF0A2B2)) ;; and |x| < 1.5 ln2
              (then
                (if (f64.eq (local.get $x) (f64.const 1)) (then (br $ret (f64.const 0x1.5bf0a8b145769p+1)))) ;; V8: exp(1) = E
                (if (local.get $xsb)
                  (then
                    (local.set $hi (f64.sub (local.get $x) (f64.const -0x1.62e42feep-1)))
                    (local.set $lo (f64.const -0x1.a39ef35793c76p-33))
                    (local.set $k (i32.const -1)))
                  (else
                    (local.set $hi (f64.sub (local.get $x) (f64.const 0x1.62e42feep-1)))
                    (local.set $lo (f64.const 0x1.a39ef35793c76p-33))
                    (local.set $k (i32.const 1)))))
              (else
                (local.set $k (i32.trunc_f64_s (f64.add (f64.mul (f64.const 0x1.71547652b82fep+0) (local.get $x))
                  (select (f64.const -0.5) (f64.const 0.5) (local.get $xsb)))))
                (local.set $t (f64.convert_i32_s (local.get $k)))
                (local.set $hi (f64.sub (local.get $x) (f64.mul (local.get $t) (f64.const 0x1.62e42feep-1)))) ;; exact
                (local.set $lo (f64.mul (local.get $t) (f64.const 0x1.a39ef35793c76p-33)))))
            (local.set $x (f64.sub (local.get $hi) (local.get $lo))))
          (else
            (if (i32.lt_u (local.get $hx) (i32.const 0x3e300000)) ;; |x| < 2^-28: fdlibm's huge + x > one always holds
              (then (br $ret (f64.add (f64.const 1) (local.get $x)))))))
        ;; x is now in the primary range
        (local.set $t (f64.mul (local.get $x) (local.get $x)))
        (local.set $twopk (f64.reinterpret_i64 (i64.shl (i64.extend_i32_s
          (i32.add (select (local.get $k) (i32.add (local.get $k) (i32.const 1000)) (i32.ge_s (local.get $k) (i32.const -1021))) (i32.const 1023)))
          (i64.const 52))))
        (local.set $c (f64.sub (local.get $x) (f64.mul (local.get $t)
          (f64.add (f64.const 0x1.555555555553ep-3) (f64.mul (local.get $t)
          (f64.add (f64.const -0x1.6c16c16bebd93p-9) (f64.mul (local.get $t)
          (f64.add (f64.const 0x1.1566aaf25de2cp-14) (f64.mul (local.get $t)
          (f64.add (f64.const -0x1.bbd41c5d26bf1p-20) (f64.mul (local.get $t) (f64.const 0x1.6376972bea4d0p-25))))))))))))
        (if (i32.eqz (local.get $k))
          (then (br $ret (f64.sub (f64.const 1) (f64.sub (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (local.get $c) (f64.const 2))) (local.get $x))))))
        (local.set $y (f64.sub (f64.const 1)
          (f64.sub (f64.sub (local.get $lo) (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (f64.const 2) (local.get $c)))) (local.get $hi))))
        (if (i32.ge_s (local.get $k) (i32.const -1021))
          (then
            (if (i32.eq (local.get $k) (i32.const 1024))
              (then (br $ret (f64.mul (f64.mul (local.get $y) (f64.const 2)) (f64.const 0x1p1023)))))
            (br $ret (f64.mul (local.get $y) (local.get $twopk)))))
        (f64.mul (f64.mul (local.get $y) (local.get $twopk)) (f64.const 0x1p-1000))))
          (f64.store (local.get $u) (select
            (f64.div (f64.const -1) (f64.add (f64.const 1) (local.get $e)))
            (f64.neg (local.get $e))
            (i32.eqz (local.get $loss))))))
      (local.set $u (i32.add (local.get $u) (i32.const 8)))
      (br $each))))

;; Gradient descent on the margin losses of theory/maxmargin.ts (gradientDescent), `steps` steps of
;;   u_n = Σ_k zt[k·N + n]·w_k (k ascending from 0),  u_n ← ℓ'(u_n),  g_k = Σ_n u_n·z[n·d + k] (n ascending),
;;   w_k ← w_k − η·g_k,
;; with zt = Zᵀ (column k holds z_nk for every n) and z = Z row-major. Lanes: two points n in the margins, two
;; coordinates k in the gradient. loss: 0 logistic ℓ' = −1/(1 + e^u), 1 exp ℓ' = −e^(−u), 2 squared ℓ' = u − 1.
;; Stops after the first step whose w_0 is not finite. Returns the number of steps taken.
(func $loops_margin_gd (export "loops_margin_gd")
  (param $zt i32) (param $z i32) (param $w i32) (param $g i32) (param $u i32)
  (param $N i32) (param $d i32) (param $eta f64) (param $loss i32) (param $steps i32) (result i32)
  (local $t i32) (local $n i32) (local $k i32) (local $acc v128) (local $s f64) (local $p i32) (local $q i32)
  (local $un v128) (local $etav v128) (local $w0 f64)
  (local.set $etav (f64x2.splat (local.get $eta)))
  (block $done
    (loop $step
      (br_if $done (i32.ge_s (local.get $t) (local.get $steps)))
      ;; margins, two points at a time
      (local.set $n (i32.const 0))
      (block $mdone
        (loop $mpairs
          (br_if $mdone (i32.gt_s (i32.add (local.get $n) (i32.const 2)) (local.get $N)))
          (local.set $acc (v128.const f64x2 0 0))
          (local.set $p (i32.add (local.get $zt) (i32.shl (local.get $n) (i32.const 3))))
          (local.set $k (i32.const 0))
          (block $kdone
            (loop $ks
              (br_if $kdone (i32.ge_s (local.get $k) (local.get $d)))
              (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (v128.load (local.get $p))
                (f64x2.splat (f64.load (i32.add (local.get $w) (i32.shl (local.get $k) (i32.const 3))))))))
              (local.set $p (i32.add (local.get $p) (i32.shl (local.get $N) (i32.const 3))))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br $ks)))
          (v128.store (i32.add (local.get $u) (i32.shl (local.get $n) (i32.const 3))) (local.get $acc))
          (local.set $n (i32.add (local.get $n) (i32.const 2)))
          (br $mpairs)))
      (if (i32.lt_s (local.get $n) (local.get $N))
        (then
          (local.set $s (f64.const 0))
          (local.set $p (i32.add (local.get $zt) (i32.shl (local.get $n) (i32.const 3))))
          (local.set $k (i32.const 0))
          (block $kdone1
            (loop $ks1
              (br_if $kdone1 (i32.ge_s (local.get $k) (local.get $d)))
              (local.set $s (f64.add (local.get $s) (f64.mul (f64.load (local.get $p))
                (f64.load (i32.add (local.get $w) (i32.shl (local.get $k) (i32.const 3)))))))
              (local.set $p (i32.add (local.get $p) (i32.shl (local.get $N) (i32.const 3))))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br $ks1)))
          (f64.store (i32.add (local.get $u) (i32.shl (local.get $n) (i32.const 3))) (local.get $s))))
      ;; ℓ'(u), in place
      (call $loops_dloss_into (local.get $u) (local.get $N) (local.get $loss))
      ;; g = Σ_n u_n z_n, two coordinates at a time, then w ← w − η g
      (call $zero (local.get $g) (local.get $d))
      (local.set $n (i32.const 0))
      (block $gdone
        (loop $gs
          (br_if $gdone (i32.ge_s (local.get $n) (local.get $N)))
          (local.set $s (f64.load (i32.add (local.get $u) (i32.shl (local.get $n) (i32.const 3)))))
          (local.set $un (f64x2.splat (local.get $s)))
          (local.set $p (i32.add (local.get $z) (i32.shl (i32.mul (local.get $n) (local.get $d)) (i32.const 3))))
          (local.set $q (local.get $g))
          (local.set $k (i32.const 0))
          (block $gkdone
            (loop $gks
              (br_if $gkdone (i32.gt_s (i32.add (local.get $k) (i32.const 2)) (local.get $d)))
              (v128.store (local.get $q) (f64x2.add (v128.load (local.get $q)) (f64x2.mul (local.get $un) (v128.load (local.get $p)))))
              (local.set $p (i32.add (local.get $p) (i32.const 16)))
              (local.set $q (i32.add (local.get $q) (i32.const 16)))
              (local.set $k (i32.add (local.get $k) (i32.const 2)))
              (br $gks)))
          (if (i32.lt_s (local.get $k) (local.get $d))
            (then (f64.store (local.get $q) (f64.add (f64.load (local.get $q)) (f64.mul (local.get $s) (f64.load (local.get $p)))))))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br $gs)))
      (call $sub_scaled (local.get $eta) (local.get $g) (local.get $w) (local.get $d))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (local.set $w0 (f64.load (local.get $w)))
      (br_if $done (f64.ne (f64.sub (local.get $w0) (local.get $w0)) (f64.const 0))) ;; w_0 not finite
      (br $step)))
  (local.get $t))

;; The squared loss's Gram form (gradientDescent when d < 2N): g_k = −c_k + Σ_l A[k·d + l]·w_l (l ascending),
;; w ← w − η g, for `steps` steps. A = ZᵀZ is symmetric to the bit (each entry is the same sum), so the lanes read
;; A[l·d + k..k+1] for two coordinates k. Stops after the first step whose w_0 is not finite; returns the steps taken.
(func $loops_gram_gd (export "loops_gram_gd")
  (param $A i32) (param $c i32) (param $w i32) (param $g i32) (param $d i32) (param $eta f64) (param $steps i32) (result i32)
  (local $t i32) (local $k i32) (local $l i32) (local $acc v128) (local $s f64) (local $wl f64) (local $w0 f64)
  (block $done
    (loop $step
      (br_if $done (i32.ge_s (local.get $t) (local.get $steps)))
      (local.set $k (i32.const 0))
      (block $kdone
        (loop $kpairs
          (br_if $kdone (i32.gt_s (i32.add (local.get $k) (i32.const 2)) (local.get $d)))
          (local.set $acc (f64x2.neg (v128.load (i32.add (local.get $c) (i32.shl (local.get $k) (i32.const 3))))))
          (local.set $l (i32.const 0))
          (block $ldone
            (loop $ls
              (br_if $ldone (i32.ge_s (local.get $l) (local.get $d)))
              (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul
                (v128.load (i32.add (local.get $A) (i32.shl (i32.add (i32.mul (local.get $l) (local.get $d)) (local.get $k)) (i32.const 3))))
                (f64x2.splat (f64.load (i32.add (local.get $w) (i32.shl (local.get $l) (i32.const 3))))))))
              (local.set $l (i32.add (local.get $l) (i32.const 1)))
              (br $ls)))
          (v128.store (i32.add (local.get $g) (i32.shl (local.get $k) (i32.const 3))) (local.get $acc))
          (local.set $k (i32.add (local.get $k) (i32.const 2)))
          (br $kpairs)))
      (if (i32.lt_s (local.get $k) (local.get $d))
        (then
          (local.set $s (f64.neg (f64.load (i32.add (local.get $c) (i32.shl (local.get $k) (i32.const 3))))))
          (local.set $l (i32.const 0))
          (block $ldone1
            (loop $ls1
              (br_if $ldone1 (i32.ge_s (local.get $l) (local.get $d)))
              (local.set $s (f64.add (local.get $s) (f64.mul
                (f64.load (i32.add (local.get $A) (i32.shl (i32.add (i32.mul (local.get $k) (local.get $d)) (local.get $l)) (i32.const 3))))
                (f64.load (i32.add (local.get $w) (i32.shl (local.get $l) (i32.const 3)))))))
              (local.set $l (i32.add (local.get $l) (i32.const 1)))
              (br $ls1)))
          (f64.store (i32.add (local.get $g) (i32.shl (local.get $k) (i32.const 3))) (local.get $s))))
      (call $sub_scaled (local.get $eta) (local.get $g) (local.get $w) (local.get $d))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (local.set $w0 (f64.load (local.get $w)))
      (br_if $done (f64.ne (f64.sub (local.get $w0) (local.get $w0)) (f64.const 0)))
      (br $step)))
  (local.get $t))

;; ladderGradientInto of theory/double-descent.ts (two-layer ReLU nets of several widths side by side), the sums in
;; the JavaScript loop's order. Layout: XT[c·n + i] = x_ic (for lanes over two points), Xr[i·d + c] = x_ic (for lanes
;; over two coordinates), W[k·d + c], b[k], a[k]; seg[k] the width of unit k and act[j] ≠ 0 for the widths computed
;; (i32 arrays); scale[j] = 1/√m_j. Writes H[k·n + i] (pre-activations, up to the sign of a zero), F and R (n × J),
;; gW, gb, ga (active units only), loss[j] and gradSq[j]; G (n f64s) and on (n i32s) are scratch.
(func $loops_ladder_grad (export "loops_ladder_grad")
  (param $XT i32) (param $Xr i32) (param $y i32) (param $W i32) (param $b i32) (param $a i32) (param $seg i32)
  (param $act i32) (param $scale i32) (param $lambda f64) (param $n i32) (param $d i32) (param $M i32) (param $J i32)
  (param $H i32) (param $F i32) (param $R i32) (param $gW i32) (param $gb i32) (param $ga i32) (param $loss i32)
  (param $gradSq i32) (param $G i32) (param $on i32) (param $FT i32)
  (local $k i32) (local $j i32) (local $i i32) (local $c i32) (local $q i32) (local $t i32) (local $p i32)
  (local $sa f64) (local $bk f64) (local $h f64) (local $hv v128) (local $r f64) (local $fn f64) (local $two_n f64)
  (local $gak f64) (local $gbk f64) (local $g f64) (local $gaK f64) (local $gbK f64) (local $sq f64) (local $v f64)
  (local $acc v128) (local $s f64) (local $wo i32) (local $fp i32)
  (local.set $fn (f64.convert_i32_s (local.get $n)))
  (local.set $two_n (f64.convert_i32_s (i32.shl (local.get $n) (i32.const 1))))
  ;; forward: H and F
  (call $zero (local.get $FT) (i32.mul (local.get $n) (local.get $J)))
  (local.set $k (i32.const 0))
  (block $kdone
    (loop $ks
      (br_if $kdone (i32.ge_s (local.get $k) (local.get $M)))
      (local.set $j (i32.load (i32.add (local.get $seg) (i32.shl (local.get $k) (i32.const 2)))))
      (if (i32.load (i32.add (local.get $act) (i32.shl (local.get $j) (i32.const 2))))
        (then
          (local.set $sa (f64.mul (f64.load (i32.add (local.get $scale) (i32.shl (local.get $j) (i32.const 3))))
            (f64.load (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 3))))))
          (local.set $bk (f64.load (i32.add (local.get $b) (i32.shl (local.get $k) (i32.const 3)))))
          (local.set $wo (i32.add (local.get $W) (i32.shl (i32.mul (local.get $k) (local.get $d)) (i32.const 3))))
          (local.set $i (i32.const 0))
          (block $idone
            (loop $is
              (br_if $idone (i32.gt_s (i32.add (local.get $i) (i32.const 2)) (local.get $n)))
              (local.set $hv (f64x2.splat (local.get $bk)))
              (local.set $p (i32.add (local.get $XT) (i32.shl (local.get $i) (i32.const 3))))
              (local.set $c (i32.const 0))
              (block $cdone
                (loop $cs
                  (br_if $cdone (i32.ge_s (local.get $c) (local.get $d)))
                  (local.set $hv (f64x2.add (local.get $hv) (f64x2.mul (v128.load (local.get $p))
                    (f64x2.splat (f64.load (i32.add (local.get $wo) (i32.shl (local.get $c) (i32.const 3))))))))
                  (local.set $p (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 3))))
                  (local.set $c (i32.add (local.get $c) (i32.const 1)))
                  (br $cs)))
              (v128.store (i32.add (local.get $H) (i32.shl (i32.add (i32.mul (local.get $k) (local.get $n)) (local.get $i)) (i32.const 3))) (local.get $hv))
              ;; FT[j·n + i] += s·a_k·h where h > 0 (a masked +0 elsewhere: FT starts at +0, so it is never −0)
              (local.set $fp (i32.add (local.get $FT) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $n)) (local.get $i)) (i32.const 3))))
              (v128.store (local.get $fp) (f64x2.add (v128.load (local.get $fp))
                (v128.and (f64x2.gt (local.get $hv) (v128.const f64x2 0 0)) (f64x2.mul (f64x2.splat (local.get $sa)) (local.get $hv)))))
              (local.set $i (i32.add (local.get $i) (i32.const 2)))
              (br $is)))
          (if (i32.lt_s (local.get $i) (local.get $n))
            (then
              (local.set $h (local.get $bk))
              (local.set $p (i32.add (local.get $XT) (i32.shl (local.get $i) (i32.const 3))))
              (local.set $c (i32.const 0))
              (block $cdone1
                (loop $cs1
                  (br_if $cdone1 (i32.ge_s (local.get $c) (local.get $d)))
                  (local.set $h (f64.add (local.get $h) (f64.mul (f64.load (local.get $p))
                    (f64.load (i32.add (local.get $wo) (i32.shl (local.get $c) (i32.const 3)))))))
                  (local.set $p (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 3))))
                  (local.set $c (i32.add (local.get $c) (i32.const 1)))
                  (br $cs1)))
              (f64.store (i32.add (local.get $H) (i32.shl (i32.add (i32.mul (local.get $k) (local.get $n)) (local.get $i)) (i32.const 3))) (local.get $h))
              (if (f64.gt (local.get $h) (f64.const 0))
                (then
                  (local.set $fp (i32.add (local.get $FT) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $n)) (local.get $i)) (i32.const 3))))
                  (f64.store (local.get $fp) (f64.add (f64.load (local.get $fp)) (f64.mul (local.get $sa) (local.get $h))))))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $ks)))
  ;; F (n × J) from its transpose FT (J × n)
  (local.set $i (i32.const 0))
  (block $tdone2
    (loop $ts2
      (br_if $tdone2 (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $j (i32.const 0))
      (block $tjdone
        (loop $tjs
          (br_if $tjdone (i32.ge_s (local.get $j) (local.get $J)))
          (f64.store (i32.add (local.get $F) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $J)) (local.get $j)) (i32.const 3)))
            (f64.load (i32.add (local.get $FT) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $n)) (local.get $i)) (i32.const 3)))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $tjs)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $ts2)))
  ;; residuals R = (F − y)/n and the data term (1/2n)Σ r² per width
  (call $zero (local.get $loss) (local.get $J))
  (call $zero (local.get $gradSq) (local.get $J))
  (local.set $i (i32.const 0))
  (block $rdone
    (loop $rs
      (br_if $rdone (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $j (i32.const 0))
      (block $rjdone
        (loop $rjs
          (br_if $rjdone (i32.ge_s (local.get $j) (local.get $J)))
          (if (i32.load (i32.add (local.get $act) (i32.shl (local.get $j) (i32.const 2))))
            (then
              (local.set $p (i32.shl (i32.add (i32.mul (local.get $i) (local.get $J)) (local.get $j)) (i32.const 3)))
              (local.set $r (f64.sub (f64.load (i32.add (local.get $F) (local.get $p)))
                (f64.load (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3))))))
              (f64.store (i32.add (local.get $R) (local.get $p)) (f64.div (local.get $r) (local.get $fn)))
              (local.set $p (i32.add (local.get $loss) (i32.shl (local.get $j) (i32.const 3))))
              (f64.store (local.get $p) (f64.add (f64.load (local.get $p))
                (f64.div (f64.mul (local.get $r) (local.get $r)) (local.get $two_n))))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $rjs)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rs)))
  ;; backward, unit by unit
  (local.set $k (i32.const 0))
  (block $bdone
    (loop $bs
      (br_if $bdone (i32.ge_s (local.get $k) (local.get $M)))
      (local.set $j (i32.load (i32.add (local.get $seg) (i32.shl (local.get $k) (i32.const 2)))))
      (if (i32.load (i32.add (local.get $act) (i32.shl (local.get $j) (i32.const 2))))
        (then
          (local.set $sa (f64.mul (f64.load (i32.add (local.get $scale) (i32.shl (local.get $j) (i32.const 3))))
            (f64.load (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 3))))))
          (local.set $gak (f64.const 0))
          (local.set $gbk (f64.const 0))
          (local.set $q (i32.const 0))
          (local.set $i (i32.const 0))
          (block $odone
            (loop $os
              (br_if $odone (i32.ge_s (local.get $i) (local.get $n)))
              (local.set $h (f64.load (i32.add (local.get $H) (i32.shl (i32.add (i32.mul (local.get $k) (local.get $n)) (local.get $i)) (i32.const 3)))))
              (if (f64.gt (local.get $h) (f64.const 0))
                (then
                  (local.set $r (f64.load (i32.add (local.get $R) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $J)) (local.get $j)) (i32.const 3)))))
                  (local.set $gak (f64.add (local.get $gak) (f64.mul (local.get $r) (local.get $h))))
                  (local.set $g (f64.mul (local.get $r) (local.get $sa)))
                  (local.set $gbk (f64.add (local.get $gbk) (local.get $g)))
                  (f64.store (i32.add (local.get $G) (i32.shl (local.get $q) (i32.const 3))) (local.get $g))
                  (i32.store (i32.add (local.get $on) (i32.shl (local.get $q) (i32.const 2))) (local.get $i))
                  (local.set $q (i32.add (local.get $q) (i32.const 1)))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $os)))
          (local.set $gaK (f64.add (f64.mul (f64.load (i32.add (local.get $scale) (i32.shl (local.get $j) (i32.const 3)))) (local.get $gak))
            (f64.mul (local.get $lambda) (f64.load (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 3)))))))
          (local.set $gbK (f64.add (local.get $gbk)
            (f64.mul (local.get $lambda) (f64.load (i32.add (local.get $b) (i32.shl (local.get $k) (i32.const 3)))))))
          (f64.store (i32.add (local.get $ga) (i32.shl (local.get $k) (i32.const 3))) (local.get $gaK))
          (f64.store (i32.add (local.get $gb) (i32.shl (local.get $k) (i32.const 3))) (local.get $gbK))
          (local.set $sq (f64.add (f64.mul (local.get $gaK) (local.get $gaK)) (f64.mul (local.get $gbK) (local.get $gbK))))
          (local.set $wo (i32.shl (i32.mul (local.get $k) (local.get $d)) (i32.const 3)))
          ;; ∂R/∂w_k: two coordinates at a time, each summed over the points where the unit is on, in point order
          (local.set $c (i32.const 0))
          (block $wcdone
            (loop $wcs
              (br_if $wcdone (i32.gt_s (i32.add (local.get $c) (i32.const 2)) (local.get $d)))
              (local.set $acc (v128.const f64x2 0 0))
              (local.set $t (i32.const 0))
              (block $tdone
                (loop $ts
                  (br_if $tdone (i32.ge_s (local.get $t) (local.get $q)))
                  (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul
                    (f64x2.splat (f64.load (i32.add (local.get $G) (i32.shl (local.get $t) (i32.const 3)))))
                    (v128.load (i32.add (local.get $Xr) (i32.shl (i32.add (i32.mul
                      (i32.load (i32.add (local.get $on) (i32.shl (local.get $t) (i32.const 2)))) (local.get $d)) (local.get $c)) (i32.const 3)))))))
                  (local.set $t (i32.add (local.get $t) (i32.const 1)))
                  (br $ts)))
              (local.set $p (i32.add (local.get $wo) (i32.shl (local.get $c) (i32.const 3))))
              (local.set $v (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64.mul (local.get $lambda) (f64.load (i32.add (local.get $W) (local.get $p))))))
              (f64.store (i32.add (local.get $gW) (local.get $p)) (local.get $v))
              (local.set $sq (f64.add (local.get $sq) (f64.mul (local.get $v) (local.get $v))))
              (local.set $p (i32.add (local.get $p) (i32.const 8)))
              (local.set $v (f64.add (f64x2.extract_lane 1 (local.get $acc)) (f64.mul (local.get $lambda) (f64.load (i32.add (local.get $W) (local.get $p))))))
              (f64.store (i32.add (local.get $gW) (local.get $p)) (local.get $v))
              (local.set $sq (f64.add (local.get $sq) (f64.mul (local.get $v) (local.get $v))))
              (local.set $c (i32.add (local.get $c) (i32.const 2)))
              (br $wcs)))
          (if (i32.lt_s (local.get $c) (local.get $d))
            (then
              (local.set $s (f64.const 0))
              (local.set $t (i32.const 0))
              (block $tdone1
                (loop $ts1
                  (br_if $tdone1 (i32.ge_s (local.get $t) (local.get $q)))
                  (local.set $s (f64.add (local.get $s) (f64.mul
                    (f64.load (i32.add (local.get $G) (i32.shl (local.get $t) (i32.const 3))))
                    (f64.load (i32.add (local.get $Xr) (i32.shl (i32.add (i32.mul
                      (i32.load (i32.add (local.get $on) (i32.shl (local.get $t) (i32.const 2)))) (local.get $d)) (local.get $c)) (i32.const 3)))))))
                  (local.set $t (i32.add (local.get $t) (i32.const 1)))
                  (br $ts1)))
              (local.set $p (i32.add (local.get $wo) (i32.shl (local.get $c) (i32.const 3))))
              (local.set $v (f64.add (local.get $s) (f64.mul (local.get $lambda) (f64.load (i32.add (local.get $W) (local.get $p))))))
              (f64.store (i32.add (local.get $gW) (local.get $p)) (local.get $v))
              (local.set $sq (f64.add (local.get $sq) (f64.mul (local.get $v) (local.get $v))))))
          (local.set $p (i32.add (local.get $gradSq) (i32.shl (local.get $j) (i32.const 3))))
          (f64.store (local.get $p) (f64.add (f64.load (local.get $p)) (local.get $sq)))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $bs))))

;; trainLadder's update of theory/double-descent.ts: per unit k of width j = seg[k], state[j] = 2 restores the
;; initialization (W0, b0, a0), 1 takes the step θ ← θ − η_j·∇ (a, then b, then W), 0 leaves it.
(func $loops_ladder_update (export "loops_ladder_update")
  (param $W i32) (param $b i32) (param $a i32) (param $gW i32) (param $gb i32) (param $ga i32)
  (param $W0 i32) (param $b0 i32) (param $a0 i32) (param $seg i32) (param $state i32) (param $eta i32)
  (param $M i32) (param $d i32)
  (local $k i32) (local $j i32) (local $s i32) (local $e f64) (local $o i32) (local $wo i32) (local $bytes i32)
  (local.set $bytes (i32.shl (local.get $d) (i32.const 3)))
  (block $done
    (loop $ks
      (br_if $done (i32.ge_s (local.get $k) (local.get $M)))
      (local.set $j (i32.load (i32.add (local.get $seg) (i32.shl (local.get $k) (i32.const 2)))))
      (local.set $s (i32.load (i32.add (local.get $state) (i32.shl (local.get $j) (i32.const 2)))))
      (local.set $o (i32.shl (local.get $k) (i32.const 3)))
      (local.set $wo (i32.mul (local.get $k) (local.get $bytes)))
      (if (i32.eq (local.get $s) (i32.const 2))
        (then
          (f64.store (i32.add (local.get $a) (local.get $o)) (f64.load (i32.add (local.get $a0) (local.get $o))))
          (f64.store (i32.add (local.get $b) (local.get $o)) (f64.load (i32.add (local.get $b0) (local.get $o))))
          (memory.copy (i32.add (local.get $W) (local.get $wo)) (i32.add (local.get $W0) (local.get $wo)) (local.get $bytes)))
        (else (if (i32.eq (local.get $s) (i32.const 1))
          (then
            (local.set $e (f64.load (i32.add (local.get $eta) (i32.shl (local.get $j) (i32.const 3)))))
            (f64.store (i32.add (local.get $a) (local.get $o)) (f64.sub (f64.load (i32.add (local.get $a) (local.get $o)))
              (f64.mul (local.get $e) (f64.load (i32.add (local.get $ga) (local.get $o))))))
            (f64.store (i32.add (local.get $b) (local.get $o)) (f64.sub (f64.load (i32.add (local.get $b) (local.get $o)))
              (f64.mul (local.get $e) (f64.load (i32.add (local.get $gb) (local.get $o))))))
            (call $sub_scaled (local.get $e) (i32.add (local.get $gW) (local.get $wo)) (i32.add (local.get $W) (local.get $wo)) (local.get $d))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $ks))))

;; trainTwoLayer of theory/homogeneous.ts (bias-free two-layer ReLU net, margin losses), `steps` steps, the sums in
;; the JavaScript loop's order. W[j·d + k], a[j]; xt[k·N + n] = x_nk (lanes over two points) and x[n·d + k] (lanes over
;; two coordinates); y[n] = ±1. Scratch: pre (m·N), f, c, cj (N each), gW (m·d), ga (m). loss as in loops_margin_gd.
;; Stops after the first step whose a_0 is not finite; returns the steps taken.
(func $loops_homog_gd (export "loops_homog_gd")
  (param $W i32) (param $a i32) (param $xt i32) (param $x i32) (param $y i32) (param $pre i32) (param $f i32)
  (param $c i32) (param $cj i32) (param $gW i32) (param $ga i32) (param $m i32) (param $d i32) (param $N i32)
  (param $eta f64) (param $loss i32) (param $steps i32) (result i32)
  (local $t i32) (local $j i32) (local $n i32) (local $k i32) (local $p i32) (local $o i32) (local $wo i32)
  (local $hv v128) (local $h f64) (local $aj f64) (local $q f64) (local $s f64) (local $gaj f64) (local $acc v128)
  (local $a0 f64) (local $fp i32)
  (block $done
    (loop $step
      (br_if $done (i32.ge_s (local.get $t) (local.get $steps)))
      (call $zero (local.get $f) (local.get $N))
      (local.set $j (i32.const 0))
      (block $jdone
        (loop $js
          (br_if $jdone (i32.ge_s (local.get $j) (local.get $m)))
          (local.set $o (i32.add (local.get $pre) (i32.shl (i32.mul (local.get $j) (local.get $N)) (i32.const 3))))
          (local.set $wo (i32.add (local.get $W) (i32.shl (i32.mul (local.get $j) (local.get $d)) (i32.const 3))))
          (local.set $aj (f64.load (i32.add (local.get $a) (i32.shl (local.get $j) (i32.const 3)))))
          (local.set $n (i32.const 0))
          (block $ndone
            (loop $ns
              (br_if $ndone (i32.gt_s (i32.add (local.get $n) (i32.const 2)) (local.get $N)))
              (local.set $hv (v128.const f64x2 0 0))
              (local.set $p (i32.add (local.get $xt) (i32.shl (local.get $n) (i32.const 3))))
              (local.set $k (i32.const 0))
              (block $kdone
                (loop $ks
                  (br_if $kdone (i32.ge_s (local.get $k) (local.get $d)))
                  (local.set $hv (f64x2.add (local.get $hv) (f64x2.mul
                    (f64x2.splat (f64.load (i32.add (local.get $wo) (i32.shl (local.get $k) (i32.const 3))))) (v128.load (local.get $p)))))
                  (local.set $p (i32.add (local.get $p) (i32.shl (local.get $N) (i32.const 3))))
                  (local.set $k (i32.add (local.get $k) (i32.const 1)))
                  (br $ks)))
              (v128.store (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 3))) (local.get $hv))
              ;; f_n += a_j·h where h > 0: a masked +0 elsewhere leaves f (never −0: it starts at +0) unchanged
              (local.set $fp (i32.add (local.get $f) (i32.shl (local.get $n) (i32.const 3))))
              (v128.store (local.get $fp) (f64x2.add (v128.load (local.get $fp))
                (v128.and (f64x2.gt (local.get $hv) (v128.const f64x2 0 0)) (f64x2.mul (f64x2.splat (local.get $aj)) (local.get $hv)))))
              (local.set $n (i32.add (local.get $n) (i32.const 2)))
              (br $ns)))
          (if (i32.lt_s (local.get $n) (local.get $N))
            (then
              (local.set $h (f64.const 0))
              (local.set $p (i32.add (local.get $xt) (i32.shl (local.get $n) (i32.const 3))))
              (local.set $k (i32.const 0))
              (block $kdone1
                (loop $ks1
                  (br_if $kdone1 (i32.ge_s (local.get $k) (local.get $d)))
                  (local.set $h (f64.add (local.get $h) (f64.mul
                    (f64.load (i32.add (local.get $wo) (i32.shl (local.get $k) (i32.const 3)))) (f64.load (local.get $p)))))
                  (local.set $p (i32.add (local.get $p) (i32.shl (local.get $N) (i32.const 3))))
                  (local.set $k (i32.add (local.get $k) (i32.const 1)))
                  (br $ks1)))
              (f64.store (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 3))) (local.get $h))
              (if (f64.gt (local.get $h) (f64.const 0))
                (then
                  (local.set $fp (i32.add (local.get $f) (i32.shl (local.get $n) (i32.const 3))))
                  (f64.store (local.get $fp) (f64.add (f64.load (local.get $fp)) (f64.mul (local.get $aj) (local.get $h))))))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $js)))
      ;; c_n = y_n·ℓ'(y_n f_n): the margins q_n = y_n f_n into c, ℓ' in place, then times y_n
      (local.set $n (i32.const 0))
      (block $qdone
        (loop $qs
          (br_if $qdone (i32.ge_s (local.get $n) (local.get $N)))
          (local.set $p (i32.shl (local.get $n) (i32.const 3)))
          (f64.store (i32.add (local.get $c) (local.get $p))
            (f64.mul (f64.load (i32.add (local.get $y) (local.get $p))) (f64.load (i32.add (local.get $f) (local.get $p)))))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br $qs)))
      (call $loops_dloss_into (local.get $c) (local.get $N) (local.get $loss))
      (local.set $n (i32.const 0))
      (block $cdone
        (loop $cs
          (br_if $cdone (i32.ge_s (local.get $n) (local.get $N)))
          (local.set $p (i32.shl (local.get $n) (i32.const 3)))
          (f64.store (i32.add (local.get $c) (local.get $p))
            (f64.mul (f64.load (i32.add (local.get $y) (local.get $p))) (f64.load (i32.add (local.get $c) (local.get $p)))))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br $cs)))
      ;; backward, unit by unit
      (local.set $j (i32.const 0))
      (block $bdone
        (loop $bs
          (br_if $bdone (i32.ge_s (local.get $j) (local.get $m)))
          (local.set $o (i32.add (local.get $pre) (i32.shl (i32.mul (local.get $j) (local.get $N)) (i32.const 3))))
          (local.set $aj (f64.load (i32.add (local.get $a) (i32.shl (local.get $j) (i32.const 3)))))
          (local.set $gaj (f64.const 0))
          (local.set $n (i32.const 0))
          (block $ondone
            (loop $ons
              (br_if $ondone (i32.ge_s (local.get $n) (local.get $N)))
              (local.set $h (f64.load (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 3)))))
              (local.set $p (i32.add (local.get $cj) (i32.shl (local.get $n) (i32.const 3))))
              (if (f64.le (local.get $h) (f64.const 0))
                (then (f64.store (local.get $p) (f64.const 0)))
                (else
                  (local.set $s (f64.load (i32.add (local.get $c) (i32.shl (local.get $n) (i32.const 3)))))
                  (local.set $gaj (f64.add (local.get $gaj) (f64.mul (local.get $s) (local.get $h))))
                  (f64.store (local.get $p) (f64.mul (local.get $s) (local.get $aj)))))
              (local.set $n (i32.add (local.get $n) (i32.const 1)))
              (br $ons)))
          (f64.store (i32.add (local.get $ga) (i32.shl (local.get $j) (i32.const 3))) (local.get $gaj))
          ;; gW_jk = Σ_n cj_n·x_nk (every n, zeros included), two coordinates at a time
          (local.set $wo (i32.add (local.get $gW) (i32.shl (i32.mul (local.get $j) (local.get $d)) (i32.const 3))))
          (local.set $k (i32.const 0))
          (block $gkdone
            (loop $gks
              (br_if $gkdone (i32.gt_s (i32.add (local.get $k) (i32.const 2)) (local.get $d)))
              (local.set $acc (v128.const f64x2 0 0))
              (local.set $n (i32.const 0))
              (block $gndone
                (loop $gns
                  (br_if $gndone (i32.ge_s (local.get $n) (local.get $N)))
                  (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul
                    (f64x2.splat (f64.load (i32.add (local.get $cj) (i32.shl (local.get $n) (i32.const 3)))))
                    (v128.load (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $n) (local.get $d)) (local.get $k)) (i32.const 3)))))))
                  (local.set $n (i32.add (local.get $n) (i32.const 1)))
                  (br $gns)))
              (v128.store (i32.add (local.get $wo) (i32.shl (local.get $k) (i32.const 3))) (local.get $acc))
              (local.set $k (i32.add (local.get $k) (i32.const 2)))
              (br $gks)))
          (if (i32.lt_s (local.get $k) (local.get $d))
            (then
              (local.set $s (f64.const 0))
              (local.set $n (i32.const 0))
              (local.set $p (i32.add (local.get $xt) (i32.shl (i32.mul (local.get $k) (local.get $N)) (i32.const 3))))
              (block $gndone1
                (loop $gns1
                  (br_if $gndone1 (i32.ge_s (local.get $n) (local.get $N)))
                  (local.set $s (f64.add (local.get $s) (f64.mul
                    (f64.load (i32.add (local.get $cj) (i32.shl (local.get $n) (i32.const 3))))
                    (f64.load (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 3)))))))
                  (local.set $n (i32.add (local.get $n) (i32.const 1)))
                  (br $gns1)))
              (f64.store (i32.add (local.get $wo) (i32.shl (local.get $k) (i32.const 3))) (local.get $s))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $bs)))
      (call $sub_scaled (local.get $eta) (local.get $gW) (local.get $W) (i32.mul (local.get $m) (local.get $d)))
      (call $sub_scaled (local.get $eta) (local.get $ga) (local.get $a) (local.get $m))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (local.set $a0 (f64.load (local.get $a)))
      (br_if $done (f64.ne (f64.sub (local.get $a0) (local.get $a0)) (f64.const 0)))
      (br $step)))
  (local.get $t))

;; gdTwoLayer of theory/plateau.ts: full-batch GD on the paper's loss (1/n)Σ(f(x_i) − y_i)² for the 1-m-1 tanh net
;; f(x) = Σ_k a_k tanh(w_k x + b_k) + c, θ = [w (m), b (m), a (m), c] (the same layout for the gradient gr).
;; The forward pass at the current θ, then up to `count` times: the backward pass from the stored h (n·m, point-major)
;; and g (n), the update, and the forward pass at the new θ; stops early after a forward pass whose loss is not finite.
;; The loss of the last forward pass goes to out[0]. Returns the steps taken. Sums in the JavaScript loop's order:
;; f over k, the loss and gc over i, each gradient entry over i (lanes: two units k in the backward pass and update).
(func $loops_plateau_forward (param $th i32) (param $x i32) (param $y i32) (param $h i32) (param $g i32)
  (param $m i32) (param $n i32) (result f64) ;; the loss; gc (Σ g_i) goes to g[n]
  (local $i i32) (local $k i32) (local $xi f64) (local $f f64) (local $t f64) (local $r f64) (local $loss f64)
  (local $gc f64) (local $gi f64) (local $fn f64) (local $b i32) (local $a i32) (local $ho i32)
  (local $q_bits i64) (local $q_hx i32) (local $q_xsb i32) (local $q_k i32) (local $q_y f64) (local $q_hi f64) (local $q_lo f64)
  (local $q_c f64) (local $q_t f64) (local $q_e f64) (local $q_hxs f64) (local $q_hfx f64) (local $q_r1 f64) (local $q_twopk f64) (local $q_x f64)
  (local $tx f64) (local $tjx i32) (local $tix i32) (local $tz f64)
  (local.set $fn (f64.convert_i32_s (local.get $n)))
  (local.set $b (i32.add (local.get $th) (i32.shl (local.get $m) (i32.const 3))))
  (local.set $a (i32.add (local.get $th) (i32.shl (local.get $m) (i32.const 4))))
  (local.set $ho (local.get $h))
  (block $idone
    (loop $is
      (br_if $idone (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $xi (f64.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $f (f64.load (i32.add (local.get $a) (i32.shl (local.get $m) (i32.const 3))))) ;; c = θ[3m]
      (local.set $k (i32.const 0))
      (block $kdone
        (loop $ks
          (br_if $kdone (i32.ge_s (local.get $k) (local.get $m)))
          (local.set $tx (f64.add
            (f64.mul (f64.load (i32.add (local.get $th) (i32.shl (local.get $k) (i32.const 3)))) (local.get $xi))
            (f64.load (i32.add (local.get $b) (i32.shl (local.get $k) (i32.const 3))))))
          (local.set $t (block $tret (result f64)
        ;; tanh(tx): the body of tanh.wat's $tanh with its $tanh_expm1 inlined (V8 does not inline wasm calls)
        (local.set $tjx (i32.wrap_i64 (i64.shr_u (i64.reinterpret_f64 (local.get $tx)) (i64.const 32))))
        (local.set $tix (i32.and (local.get $tjx) (i32.const 0x7FFFFFFF)))
        (if (i32.ge_s (local.get $tix) (i32.const 0x7FF00000)) (then
          (if (i32.ge_s (local.get $tjx) (i32.const 0))
            (then (br $tret (f64.add (f64.div (f64.const 1) (local.get $tx)) (f64.const 1))))
            (else (br $tret (f64.sub (f64.div (f64.const 1) (local.get $tx)) (f64.const 1)))))))
        (if (i32.lt_s (local.get $tix) (i32.const 0x40360000))
          (then
            (if (i32.lt_s (local.get $tix) (i32.const 0x3E300000))
              (then (if (f64.gt (f64.add (f64.const 0x1.7e43c8800759cp996) (local.get $tx)) (f64.const 1))
                (then (br $tret (local.get $tx))))))
            (local.set $q_x (select (f64.mul (f64.const 2) (f64.abs (local.get $tx))) (f64.mul (f64.const -2) (f64.abs (local.get $tx)))
              (i32.ge_s (local.get $tix) (i32.const 0x3FF00000))))
            (local.set $q_t (block $q_ret (result f64)
            (local.set $q_bits (i64.reinterpret_f64 (local.get $q_x)))
            (local.set $q_hx (i32.wrap_i64 (i64.shr_u (local.get $q_bits) (i64.const 32))))
            (local.set $q_xsb (i32.and (local.get $q_hx) (i32.const 0x80000000))) ;; sign bit of x
            (local.set $q_hx (i32.and (local.get $q_hx) (i32.const 0x7FFFFFFF))) ;; high word of |x|

            ;; filter out huge and non-finite argument
            (if (i32.ge_u (local.get $q_hx) (i32.const 0x4043687A)) (then ;; |x| >= 56·ln2
            (if (i32.ge_u (local.get $q_hx) (i32.const 0x40862E42)) (then ;; |x| >= 709.78...
            (if (i32.ge_u (local.get $q_hx) (i32.const 0x7FF00000)) (then
            (if (i32.ne (i32.or (i32.and (local.get $q_hx) (i32.const 0xFFFFF)) (i32.wrap_i64 (local.get $q_bits))) (i32.const 0))
            (then (br $q_ret (f64.add (local.get $q_x) (local.get $q_x))))) ;; NaN
            (br $q_ret (select (local.get $q_x) (f64.const -1) (i32.eqz (local.get $q_xsb)))))) ;; expm1(±inf) = {inf, −1}
            (if (f64.gt (local.get $q_x) (f64.const 0x1.62e42fefa39efp9)) ;; o_threshold 0x40862E42 FEFA39EF
            (then (br $q_ret (f64.mul (f64.const 0x1.7e43c8800759cp996) (f64.const 0x1.7e43c8800759cp996))))))) ;; huge·huge: overflow
            (if (i32.ne (local.get $q_xsb) (i32.const 0)) (then ;; x < −56·ln2: −1 with inexact
            (if (f64.lt (f64.add (local.get $q_x) (f64.const 0x1.56e1fc2f8f359p-997)) (f64.const 0)) ;; x + tiny < 0
            (then (br $q_ret (f64.sub (f64.const 0x1.56e1fc2f8f359p-997) (f64.const 1)))))))))

            ;; argument reduction
            (if (i32.gt_u (local.get $q_hx) (i32.const 0x3FD62E42)) ;; |x| > 0.5·ln2
            (then
            (if (i32.lt_u (local.get $q_hx) (i32.const 0x3FF0A2B2)) ;; and |x| < 1.5·ln2
            (then
            (if (i32.eqz (local.get $q_xsb))
            (then
            (local.set $q_hi (f64.sub (local.get $q_x) (f64.const 0x1.62e42fee00000p-1))) ;; ln2_hi 0x3FE62E42 FEE00000
            (local.set $q_lo (f64.const 0x1.a39ef35793c76p-33)) ;; ln2_lo 0x3DEA39EF 35793C76
            (local.set $q_k (i32.const 1)))
            (else
            (local.set $q_hi (f64.add (local.get $q_x) (f64.const 0x1.62e42fee00000p-1)))
            (local.set $q_lo (f64.const -0x1.a39ef35793c76p-33))
            (local.set $q_k (i32.const -1)))))
            (else
            ;; k = (int)(invln2·x ± 0.5): C's conversion truncates toward zero
            (local.set $q_k (i32.trunc_f64_s (f64.add
            (f64.mul (f64.const 0x1.71547652b82fep0) (local.get $q_x)) ;; invln2 0x3FF71547 652B82FE
            (select (f64.const 0.5) (f64.const -0.5) (i32.eqz (local.get $q_xsb))))))
            (local.set $q_t (f64.convert_i32_s (local.get $q_k)))
            (local.set $q_hi (f64.sub (local.get $q_x) (f64.mul (local.get $q_t) (f64.const 0x1.62e42fee00000p-1)))) ;; exact
            (local.set $q_lo (f64.mul (local.get $q_t) (f64.const 0x1.a39ef35793c76p-33)))))
            (local.set $q_x (f64.sub (local.get $q_hi) (local.get $q_lo)))
            (local.set $q_c (f64.sub (f64.sub (local.get $q_hi) (local.get $q_x)) (local.get $q_lo))))
            (else
            (if (i32.lt_u (local.get $q_hx) (i32.const 0x3C900000)) ;; |x| < 2^−54: x (the C code's inexact-raising form)
            (then
            (local.set $q_t (f64.add (f64.const 0x1.7e43c8800759cp996) (local.get $q_x)))
            (br $q_ret (f64.sub (local.get $q_x)
            (f64.sub (local.get $q_t) (f64.add (f64.const 0x1.7e43c8800759cp996) (local.get $q_x)))))))
            (local.set $q_k (i32.const 0))))

            ;; x is now in the primary range
            (local.set $q_hfx (f64.mul (f64.const 0.5) (local.get $q_x)))
            (local.set $q_hxs (f64.mul (local.get $q_x) (local.get $q_hfx)))
            ;; r1 = 1 + hxs·(Q1 + hxs·(Q2 + hxs·(Q3 + hxs·(Q4 + hxs·Q5))))
            (local.set $q_r1 (f64.add (f64.const 1) (f64.mul (local.get $q_hxs)
            (f64.add (f64.const -0x1.11111111110f4p-5) (f64.mul (local.get $q_hxs) ;; Q1 BFA11111 111110F4
            (f64.add (f64.const 0x1.a01a019fe5585p-10) (f64.mul (local.get $q_hxs) ;; Q2 3F5A01A0 19FE5585
            (f64.add (f64.const -0x1.4ce199eaadbb7p-14) (f64.mul (local.get $q_hxs) ;; Q3 BF14CE19 9EAADBB7
            (f64.add (f64.const 0x1.0cfca86e65239p-18) ;; Q4 3ED0CFCA 86E65239
            (f64.mul (local.get $q_hxs) (f64.const -0x1.afdb76e09c32dp-23)))))))))))) ;; Q5 BE8AFDB7 6E09C32D
            (local.set $q_t (f64.sub (f64.const 3) (f64.mul (local.get $q_r1) (local.get $q_hfx))))
            (local.set $q_e (f64.mul (local.get $q_hxs)
            (f64.div (f64.sub (local.get $q_r1) (local.get $q_t))
            (f64.sub (f64.const 6) (f64.mul (local.get $q_x) (local.get $q_t))))))
            (if (i32.eqz (local.get $q_k)) ;; c is 0
            (then (br $q_ret (f64.sub (local.get $q_x) (f64.sub (f64.mul (local.get $q_x) (local.get $q_e)) (local.get $q_hxs))))))
            ;; twopk = 2^k
            (local.set $q_twopk (f64.reinterpret_i64 (i64.shl
            (i64.extend_i32_u (i32.add (i32.const 0x3FF00000) (i32.shl (local.get $q_k) (i32.const 20)))) (i64.const 32))))
            (local.set $q_e (f64.sub (f64.mul (local.get $q_x) (f64.sub (local.get $q_e) (local.get $q_c))) (local.get $q_c)))
            (local.set $q_e (f64.sub (local.get $q_e) (local.get $q_hxs)))
            (if (i32.eq (local.get $q_k) (i32.const -1))
            (then (br $q_ret (f64.sub (f64.mul (f64.const 0.5) (f64.sub (local.get $q_x) (local.get $q_e))) (f64.const 0.5)))))
            (if (i32.eq (local.get $q_k) (i32.const 1))
            (then
            (if (f64.lt (local.get $q_x) (f64.const -0.25))
            (then (br $q_ret (f64.mul (f64.const -2) (f64.sub (local.get $q_e) (f64.add (local.get $q_x) (f64.const 0.5))))))
            (else (br $q_ret (f64.add (f64.const 1) (f64.mul (f64.const 2) (f64.sub (local.get $q_x) (local.get $q_e)))))))))
            (if (i32.or (i32.le_s (local.get $q_k) (i32.const -2)) (i32.gt_s (local.get $q_k) (i32.const 56)))
            (then ;; suffices to return exp(x) − 1
            (local.set $q_y (f64.sub (f64.const 1) (f64.sub (local.get $q_e) (local.get $q_x))))
            (if (i32.eq (local.get $q_k) (i32.const 1024))
            (then (local.set $q_y (f64.mul (f64.mul (local.get $q_y) (f64.const 2)) (f64.const 0x1p1023)))) ;; V8: 8.98846567431158e+307
            (else (local.set $q_y (f64.mul (local.get $q_y) (local.get $q_twopk)))))
            (br $q_ret (f64.sub (local.get $q_y) (f64.const 1)))))
            (if (i32.lt_s (local.get $q_k) (i32.const 20))
            (then
            ;; t = 1 − 2^−k
            (local.set $q_t (f64.reinterpret_i64 (i64.shl (i64.extend_i32_u
            (i32.sub (i32.const 0x3FF00000) (i32.shr_s (i32.const 0x200000) (local.get $q_k)))) (i64.const 32))))
            (local.set $q_y (f64.sub (local.get $q_t) (f64.sub (local.get $q_e) (local.get $q_x))))
            (local.set $q_y (f64.mul (local.get $q_y) (local.get $q_twopk))))
            (else
            ;; t = 2^−k
            (local.set $q_t (f64.reinterpret_i64 (i64.shl (i64.extend_i32_u
            (i32.shl (i32.sub (i32.const 0x3FF) (local.get $q_k)) (i32.const 20))) (i64.const 32))))
            (local.set $q_y (f64.sub (local.get $q_x) (f64.add (local.get $q_e) (local.get $q_t))))
            (local.set $q_y (f64.add (local.get $q_y) (f64.const 1)))
            (local.set $q_y (f64.mul (local.get $q_y) (local.get $q_twopk)))))
            (local.get $q_y)))
            (if (i32.ge_s (local.get $tix) (i32.const 0x3FF00000))
              (then (local.set $tz (f64.sub (f64.const 1) (f64.div (f64.const 2) (f64.add (local.get $q_t) (f64.const 2))))))
              (else (local.set $tz (f64.div (f64.neg (local.get $q_t)) (f64.add (local.get $q_t) (f64.const 2)))))))
          (else (local.set $tz (f64.sub (f64.const 1) (f64.const 0x1.56e1fc2f8f359p-997)))))
        (select (local.get $tz) (f64.neg (local.get $tz)) (i32.ge_s (local.get $tjx) (i32.const 0)))))
          (f64.store (local.get $ho) (local.get $t))
          (local.set $ho (i32.add (local.get $ho) (i32.const 8)))
          (local.set $f (f64.add (local.get $f) (f64.mul (f64.load (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 3)))) (local.get $t))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $ks)))
      (local.set $r (f64.sub (local.get $f) (f64.load (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3))))))
      (local.set $loss (f64.add (local.get $loss) (f64.mul (local.get $r) (local.get $r))))
      (local.set $gi (f64.div (f64.mul (f64.const 2) (local.get $r)) (local.get $fn)))
      (f64.store (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 3))) (local.get $gi))
      (local.set $gc (f64.add (local.get $gc) (local.get $gi)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $is)))
  (f64.store (i32.add (local.get $g) (i32.shl (local.get $n) (i32.const 3))) (local.get $gc))
  (f64.div (local.get $loss) (local.get $fn)))

(func $loops_plateau_gd (export "loops_plateau_gd")
  (param $th i32) (param $gr i32) (param $x i32) (param $y i32) (param $h i32) (param $g i32) (param $out i32)
  (param $m i32) (param $n i32) (param $lr f64) (param $count i32) (result i32)
  (local $t i32) (local $loss f64) (local $k i32) (local $i i32) (local $accw v128) (local $accb v128) (local $acca v128)
  (local $tv v128) (local $back v128) (local $giv v128) (local $xiv v128) (local $sw f64) (local $sb f64) (local $sa f64)
  (local $tt f64) (local $bk f64) (local $gi f64) (local $xi f64) (local $ak f64) (local $p i32) (local $m8 i32) (local $c i32)
  (local.set $m8 (i32.shl (local.get $m) (i32.const 3)))
  (local.set $loss (call $loops_plateau_forward (local.get $th) (local.get $x) (local.get $y) (local.get $h) (local.get $g) (local.get $m) (local.get $n)))
  (block $done
    (loop $step
      (br_if $done (i32.ge_s (local.get $t) (local.get $count)))
      (br_if $done (f64.ne (f64.sub (local.get $loss) (local.get $loss)) (f64.const 0))) ;; not finite
      ;; backward: two units at a time, each entry summed over the points in order from 0
      (local.set $k (i32.const 0))
      (block $kdone
        (loop $ks
          (br_if $kdone (i32.gt_s (i32.add (local.get $k) (i32.const 2)) (local.get $m)))
          (local.set $accw (v128.const f64x2 0 0))
          (local.set $accb (v128.const f64x2 0 0))
          (local.set $acca (v128.const f64x2 0 0))
          (local.set $p (i32.add (local.get $h) (i32.shl (local.get $k) (i32.const 3))))
          (local.set $i (i32.const 0))
          (block $idone
            (loop $is
              (br_if $idone (i32.ge_s (local.get $i) (local.get $n)))
              (local.set $giv (f64x2.splat (f64.load (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 3))))))
              (local.set $xiv (f64x2.splat (f64.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3))))))
              (local.set $tv (v128.load (local.get $p)))
              ;; back = g_i·a_k·(1 − t²)
              (local.set $back (f64x2.mul (f64x2.mul (local.get $giv)
                (v128.load (i32.add (local.get $th) (i32.add (i32.shl (local.get $m8) (i32.const 1)) (i32.shl (local.get $k) (i32.const 3))))))
                (f64x2.sub (v128.const f64x2 1 1) (f64x2.mul (local.get $tv) (local.get $tv)))))
              (local.set $accw (f64x2.add (local.get $accw) (f64x2.mul (local.get $back) (local.get $xiv))))
              (local.set $accb (f64x2.add (local.get $accb) (local.get $back)))
              (local.set $acca (f64x2.add (local.get $acca) (f64x2.mul (local.get $giv) (local.get $tv))))
              (local.set $p (i32.add (local.get $p) (local.get $m8)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $is)))
          (v128.store (i32.add (local.get $gr) (i32.shl (local.get $k) (i32.const 3))) (local.get $accw))
          (v128.store (i32.add (local.get $gr) (i32.add (local.get $m8) (i32.shl (local.get $k) (i32.const 3)))) (local.get $accb))
          (v128.store (i32.add (local.get $gr) (i32.add (i32.shl (local.get $m8) (i32.const 1)) (i32.shl (local.get $k) (i32.const 3)))) (local.get $acca))
          (local.set $k (i32.add (local.get $k) (i32.const 2)))
          (br $ks)))
      (if (i32.lt_s (local.get $k) (local.get $m))
        (then
          (local.set $sw (f64.const 0))
          (local.set $sb (f64.const 0))
          (local.set $sa (f64.const 0))
          (local.set $ak (f64.load (i32.add (local.get $th) (i32.add (i32.shl (local.get $m8) (i32.const 1)) (i32.shl (local.get $k) (i32.const 3))))))
          (local.set $p (i32.add (local.get $h) (i32.shl (local.get $k) (i32.const 3))))
          (local.set $i (i32.const 0))
          (block $idone1
            (loop $is1
              (br_if $idone1 (i32.ge_s (local.get $i) (local.get $n)))
              (local.set $gi (f64.load (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 3)))))
              (local.set $xi (f64.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3)))))
              (local.set $tt (f64.load (local.get $p)))
              (local.set $bk (f64.mul (f64.mul (local.get $gi) (local.get $ak)) (f64.sub (f64.const 1) (f64.mul (local.get $tt) (local.get $tt)))))
              (local.set $sw (f64.add (local.get $sw) (f64.mul (local.get $bk) (local.get $xi))))
              (local.set $sb (f64.add (local.get $sb) (local.get $bk)))
              (local.set $sa (f64.add (local.get $sa) (f64.mul (local.get $gi) (local.get $tt))))
              (local.set $p (i32.add (local.get $p) (local.get $m8)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $is1)))
          (f64.store (i32.add (local.get $gr) (i32.shl (local.get $k) (i32.const 3))) (local.get $sw))
          (f64.store (i32.add (local.get $gr) (i32.add (local.get $m8) (i32.shl (local.get $k) (i32.const 3)))) (local.get $sb))
          (f64.store (i32.add (local.get $gr) (i32.add (i32.shl (local.get $m8) (i32.const 1)) (i32.shl (local.get $k) (i32.const 3)))) (local.get $sa))))
      ;; the update θ ← θ − lr·∇ (w, b, a; then c with gc)
      (call $sub_scaled (local.get $lr) (local.get $gr) (local.get $th) (i32.mul (local.get $m) (i32.const 3)))
      (local.set $c (i32.add (local.get $th) (i32.mul (local.get $m8) (i32.const 3))))
      (f64.store (local.get $c) (f64.sub (f64.load (local.get $c))
        (f64.mul (local.get $lr) (f64.load (i32.add (local.get $g) (i32.shl (local.get $n) (i32.const 3)))))))
      (local.set $loss (call $loops_plateau_forward (local.get $th) (local.get $x) (local.get $y) (local.get $h) (local.get $g) (local.get $m) (local.get $n)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $step)))
  (f64.store (local.get $out) (local.get $loss))
  (local.get $t))

;; trainGd of theory/lfp-net.ts for 1-D inputs (h(x) = Σ_j a_j ReLU(w_j x + b_j), heavy-ball GD on ½Σ(h − y)²).
;; Pre-activations live pair-interleaved: z2[(j >> 1)·2n + 2i + (j & 1)] = w_j x_i + b_j. The parameter and
;; velocity arrays hold an even number of neurons: an odd width is padded with a zero neuron (w = b = a = 0), whose
;; pre-activation is never > 0, so it adds masked +0 everywhere and stays zero. loops_lfp_pre1 fills z2 and adds a_j·ReLU(z) to out[i] (neuron order);
;; loops_lfp_pass1 is one step for every neuron: its gradient from z2 and the residuals r (each sum over the points
;; in order, only where z > 0), its heavy-ball update (vw, vb, va), its new pre-activations and its share of out
;; (the caller zeroes out first). Lanes: two neurons; out and the sums receive masked +0 where a unit is off, which
;; leaves them unchanged (they start at +0, so they are never −0).
(func $loops_lfp_pre1 (export "loops_lfp_pre1")
  (param $z2 i32) (param $x i32) (param $out i32) (param $w i32) (param $b i32) (param $a i32) (param $m i32) (param $n i32)
  (local $j i32) (local $i i32) (local $zz v128) (local $wv v128) (local $bv v128) (local $av v128) (local $p v128)
  (local $zp i32) (local $op i32)
  (block $jdone
    (loop $js
      (br_if $jdone (i32.ge_s (local.get $j) (local.get $m)))
      (local.set $wv (v128.load (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 3)))))
      (local.set $bv (v128.load (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3)))))
      (local.set $av (v128.load (i32.add (local.get $a) (i32.shl (local.get $j) (i32.const 3)))))
      (local.set $zp (i32.add (local.get $z2) (i32.shl (i32.mul (local.get $j) (local.get $n)) (i32.const 3))))
      (local.set $i (i32.const 0))
      (block $idone
        (loop $is
          (br_if $idone (i32.ge_s (local.get $i) (local.get $n)))
          (local.set $zz (f64x2.add (local.get $bv) (f64x2.mul (local.get $wv)
            (f64x2.splat (f64.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3))))))))
          (v128.store (i32.add (local.get $zp) (i32.shl (local.get $i) (i32.const 4))) (local.get $zz))
          (local.set $p (v128.and (f64x2.gt (local.get $zz) (v128.const f64x2 0 0)) (f64x2.mul (local.get $av) (local.get $zz))))
          (local.set $op (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))))
          (f64.store (local.get $op) (f64.add (f64.add (f64.load (local.get $op)) (f64x2.extract_lane 0 (local.get $p))) (f64x2.extract_lane 1 (local.get $p))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $is)))
      (local.set $j (i32.add (local.get $j) (i32.const 2)))
      (br $js))))

(func $loops_lfp_pass1 (export "loops_lfp_pass1")
  (param $z2 i32) (param $x i32) (param $r i32) (param $out i32) (param $w i32) (param $b i32) (param $a i32)
  (param $vw i32) (param $vb i32) (param $va i32) (param $m i32) (param $n i32) (param $lr f64) (param $mom f64)
  (local $j i32) (local $i i32) (local $zp i32) (local $op i32)
  (local $zz v128) (local $mask v128) (local $ri v128) (local $xi v128) (local $ga v128) (local $gb v128) (local $g v128)
  (local $av v128) (local $v v128) (local $wv v128) (local $bv v128) (local $an v128) (local $p v128)
  (local $lrv v128) (local $momv v128)
  (local.set $lrv (f64x2.splat (local.get $lr)))
  (local.set $momv (f64x2.splat (local.get $mom)))
  (block $jdone
    (loop $js
      (br_if $jdone (i32.ge_s (local.get $j) (local.get $m)))
      (local.set $zp (i32.add (local.get $z2) (i32.shl (i32.mul (local.get $j) (local.get $n)) (i32.const 3))))
      ;; the gradient sums over the points where each neuron is on
      (local.set $ga (v128.const f64x2 0 0))
      (local.set $gb (v128.const f64x2 0 0))
      (local.set $g (v128.const f64x2 0 0))
      (local.set $i (i32.const 0))
      (block $idone
        (loop $is
          (br_if $idone (i32.ge_s (local.get $i) (local.get $n)))
          (local.set $zz (v128.load (i32.add (local.get $zp) (i32.shl (local.get $i) (i32.const 4)))))
          (local.set $mask (f64x2.gt (local.get $zz) (v128.const f64x2 0 0)))
          (local.set $ri (f64x2.splat (f64.load (i32.add (local.get $r) (i32.shl (local.get $i) (i32.const 3))))))
          (local.set $xi (f64x2.splat (f64.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3))))))
          (local.set $ga (f64x2.add (local.get $ga) (v128.and (local.get $mask) (f64x2.mul (local.get $ri) (local.get $zz)))))
          (local.set $gb (f64x2.add (local.get $gb) (v128.and (local.get $mask) (local.get $ri))))
          (local.set $g (f64x2.add (local.get $g) (v128.and (local.get $mask) (f64x2.mul (local.get $ri) (local.get $xi)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $is)))
      ;; heavy ball: v = β·v − lr·a_j·g, θ += v (w and b with the old a_j; then a)
      (local.set $av (v128.load (i32.add (local.get $a) (i32.shl (local.get $j) (i32.const 3)))))
      (local.set $v (f64x2.sub (f64x2.mul (local.get $momv) (v128.load (i32.add (local.get $vw) (i32.shl (local.get $j) (i32.const 3)))))
        (f64x2.mul (f64x2.mul (local.get $lrv) (local.get $av)) (local.get $g))))
      (v128.store (i32.add (local.get $vw) (i32.shl (local.get $j) (i32.const 3))) (local.get $v))
      (local.set $wv (f64x2.add (v128.load (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 3)))) (local.get $v)))
      (v128.store (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 3))) (local.get $wv))
      (local.set $v (f64x2.sub (f64x2.mul (local.get $momv) (v128.load (i32.add (local.get $vb) (i32.shl (local.get $j) (i32.const 3)))))
        (f64x2.mul (f64x2.mul (local.get $lrv) (local.get $av)) (local.get $gb))))
      (v128.store (i32.add (local.get $vb) (i32.shl (local.get $j) (i32.const 3))) (local.get $v))
      (local.set $bv (f64x2.add (v128.load (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3)))) (local.get $v)))
      (v128.store (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3))) (local.get $bv))
      (local.set $v (f64x2.sub (f64x2.mul (local.get $momv) (v128.load (i32.add (local.get $va) (i32.shl (local.get $j) (i32.const 3)))))
        (f64x2.mul (local.get $lrv) (local.get $ga))))
      (v128.store (i32.add (local.get $va) (i32.shl (local.get $j) (i32.const 3))) (local.get $v))
      (local.set $an (f64x2.add (local.get $av) (local.get $v)))
      (v128.store (i32.add (local.get $a) (i32.shl (local.get $j) (i32.const 3))) (local.get $an))
      ;; the new pre-activations and this pair's share of the next forward pass
      (local.set $i (i32.const 0))
      (block $pdone
        (loop $ps
          (br_if $pdone (i32.ge_s (local.get $i) (local.get $n)))
          (local.set $zz (f64x2.add (local.get $bv) (f64x2.mul (local.get $wv)
            (f64x2.splat (f64.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3))))))))
          (v128.store (i32.add (local.get $zp) (i32.shl (local.get $i) (i32.const 4))) (local.get $zz))
          (local.set $p (v128.and (f64x2.gt (local.get $zz) (v128.const f64x2 0 0)) (f64x2.mul (local.get $an) (local.get $zz))))
          (local.set $op (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))))
          (f64.store (local.get $op) (f64.add (f64.add (f64.load (local.get $op)) (f64x2.extract_lane 0 (local.get $p))) (f64x2.extract_lane 1 (local.get $p))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $ps)))
      (local.set $j (i32.add (local.get $j) (i32.const 2)))
      (br $js))))

;; gdInPlace1d4 of theory/phase-diagram.ts: GD on R = (1/2n)Σ(f − y)², f(x) = (1/α)Σ_k a_k ReLU(w_k·(x, 1)), for 1-D
;; inputs with the bias and n ≤ 4 points, the whole loop in one call, each number formed by the JavaScript loop's
;; operations in its order. Lanes: two neurons; the outputs n_i are summed over the neurons in order (lane 0, then
;; lane 1). a, w0 (the x weights), w1 (the bias weights) hold m2 (even) neurons: an odd width is padded with a zero
;; neuron, which stays zero and adds ±0 to sums that are never −0. d = [x0, e0, x1, e1, x2, e2, x3, e3, y0, y1, y2, y3]
;; (points past n are zeros); z (4·m2) is scratch. Stops when the loss is not ≤ blowUp (out[0] = NaN), at `steps`,
;; or when the loss is ≤ tol (out[0] = the loss). Returns the step it stopped at.
(func $loops_pd_gd (export "loops_pd_gd")
  (param $a i32) (param $w0 i32) (param $w1 i32) (param $z i32) (param $d i32) (param $m2 i32) (param $n i32)
  (param $alpha f64) (param $ec f64) (param $steps i32) (param $tol f64) (param $blowUp f64) (param $out i32) (result i32)
  (local $t i32) (local $k i32) (local $o i32) (local $zo i32)
  (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $e0 v128) (local $e1 v128) (local $e2 v128) (local $e3 v128)
  (local $n0 f64) (local $n1 f64) (local $n2 f64) (local $n3 f64) (local $r0 f64) (local $r1 f64) (local $r2 f64) (local $r3 f64)
  (local $loss f64) (local $ak v128) (local $wa v128) (local $wb v128) (local $q v128) (local $pv v128)
  (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128) (local $g0 v128) (local $g1 v128) (local $g2 v128) (local $g3 v128)
  (local $ga v128) (local $a1 v128) (local $ecv v128)
  (local.set $x0 (v128.load64_splat (local.get $d)))
  (local.set $e0 (v128.load64_splat offset=8 (local.get $d)))
  (local.set $x1 (v128.load64_splat offset=16 (local.get $d)))
  (local.set $e1 (v128.load64_splat offset=24 (local.get $d)))
  (local.set $x2 (v128.load64_splat offset=32 (local.get $d)))
  (local.set $e2 (v128.load64_splat offset=40 (local.get $d)))
  (local.set $x3 (v128.load64_splat offset=48 (local.get $d)))
  (local.set $e3 (v128.load64_splat offset=56 (local.get $d)))
  (local.set $ecv (f64x2.splat (local.get $ec)))
  ;; the first forward pass: z and the outputs n_i
  (block $kdone
    (loop $ks
      (br_if $kdone (i32.ge_s (local.get $k) (local.get $m2)))
      (local.set $o (i32.shl (local.get $k) (i32.const 3)))
      (local.set $zo (i32.add (local.get $z) (i32.shl (local.get $k) (i32.const 5))))
      (local.set $wa (v128.load (i32.add (local.get $w0) (local.get $o))))
      (local.set $wb (v128.load (i32.add (local.get $w1) (local.get $o))))
      (local.set $ak (v128.load (i32.add (local.get $a) (local.get $o))))
      (local.set $q (f64x2.add (f64x2.add (v128.const f64x2 0 0) (f64x2.mul (local.get $wa) (local.get $x0))) (f64x2.mul (local.get $wb) (local.get $e0))))
      (v128.store (local.get $zo) (local.get $q))
      (local.set $pv (f64x2.mul (local.get $ak) (f64x2.max (local.get $q) (v128.const f64x2 0 0))))
      (local.set $n0 (f64.add (f64.add (local.get $n0) (f64x2.extract_lane 0 (local.get $pv))) (f64x2.extract_lane 1 (local.get $pv))))
      (local.set $q (f64x2.add (f64x2.add (v128.const f64x2 0 0) (f64x2.mul (local.get $wa) (local.get $x1))) (f64x2.mul (local.get $wb) (local.get $e1))))
      (v128.store offset=16 (local.get $zo) (local.get $q))
      (local.set $pv (f64x2.mul (local.get $ak) (f64x2.max (local.get $q) (v128.const f64x2 0 0))))
      (local.set $n1 (f64.add (f64.add (local.get $n1) (f64x2.extract_lane 0 (local.get $pv))) (f64x2.extract_lane 1 (local.get $pv))))
      (local.set $q (f64x2.add (f64x2.add (v128.const f64x2 0 0) (f64x2.mul (local.get $wa) (local.get $x2))) (f64x2.mul (local.get $wb) (local.get $e2))))
      (v128.store offset=32 (local.get $zo) (local.get $q))
      (local.set $pv (f64x2.mul (local.get $ak) (f64x2.max (local.get $q) (v128.const f64x2 0 0))))
      (local.set $n2 (f64.add (f64.add (local.get $n2) (f64x2.extract_lane 0 (local.get $pv))) (f64x2.extract_lane 1 (local.get $pv))))
      (local.set $q (f64x2.add (f64x2.add (v128.const f64x2 0 0) (f64x2.mul (local.get $wa) (local.get $x3))) (f64x2.mul (local.get $wb) (local.get $e3))))
      (v128.store offset=48 (local.get $zo) (local.get $q))
      (local.set $pv (f64x2.mul (local.get $ak) (f64x2.max (local.get $q) (v128.const f64x2 0 0))))
      (local.set $n3 (f64.add (f64.add (local.get $n3) (f64x2.extract_lane 0 (local.get $pv))) (f64x2.extract_lane 1 (local.get $pv))))
      (local.set $k (i32.add (local.get $k) (i32.const 2)))
      (br $ks)))
  (loop $step
    ;; residuals (0 past n) and the loss
    (local.set $r0 (f64.sub (f64.div (local.get $n0) (local.get $alpha)) (f64.load offset=64 (local.get $d))))
    (local.set $r1 (select (f64.sub (f64.div (local.get $n1) (local.get $alpha)) (f64.load offset=72 (local.get $d))) (f64.const 0) (i32.gt_s (local.get $n) (i32.const 1))))
    (local.set $r2 (select (f64.sub (f64.div (local.get $n2) (local.get $alpha)) (f64.load offset=80 (local.get $d))) (f64.const 0) (i32.gt_s (local.get $n) (i32.const 2))))
    (local.set $r3 (select (f64.sub (f64.div (local.get $n3) (local.get $alpha)) (f64.load offset=88 (local.get $d))) (f64.const 0) (i32.gt_s (local.get $n) (i32.const 3))))
    (local.set $loss (f64.add (f64.const 0) (f64.mul (local.get $r0) (local.get $r0))))
    (if (i32.gt_s (local.get $n) (i32.const 1)) (then (local.set $loss (f64.add (local.get $loss) (f64.mul (local.get $r1) (local.get $r1))))))
    (if (i32.gt_s (local.get $n) (i32.const 2)) (then (local.set $loss (f64.add (local.get $loss) (f64.mul (local.get $r2) (local.get $r2))))))
    (if (i32.gt_s (local.get $n) (i32.const 3)) (then (local.set $loss (f64.add (local.get $loss) (f64.mul (local.get $r3) (local.get $r3))))))
    (local.set $loss (f64.div (local.get $loss) (f64.convert_i32_s (i32.shl (local.get $n) (i32.const 1)))))
    (if (i32.eqz (f64.le (local.get $loss) (local.get $blowUp)))
      (then
        (f64.store (local.get $out) (f64.const nan))
        (return (local.get $t))))
    (if (i32.or (i32.eq (local.get $t) (local.get $steps)) (f64.le (local.get $loss) (local.get $tol)))
      (then
        (f64.store (local.get $out) (local.get $loss))
        (return (local.get $t))))
    (local.set $n0 (f64.const 0))
    (local.set $n1 (f64.const 0))
    (local.set $n2 (f64.const 0))
    (local.set $n3 (f64.const 0))
    (local.set $k (i32.const 0))
    (block $udone
      (loop $us
        (br_if $udone (i32.ge_s (local.get $k) (local.get $m2)))
        (local.set $o (i32.shl (local.get $k) (i32.const 3)))
        (local.set $zo (i32.add (local.get $z) (i32.shl (local.get $k) (i32.const 5))))
        (local.set $ak (v128.load (i32.add (local.get $a) (local.get $o))))
        (local.set $p0 (f64x2.max (v128.load (local.get $zo)) (v128.const f64x2 0 0)))
        (local.set $p1 (f64x2.max (v128.load offset=16 (local.get $zo)) (v128.const f64x2 0 0)))
        (local.set $p2 (f64x2.max (v128.load offset=32 (local.get $zo)) (v128.const f64x2 0 0)))
        (local.set $p3 (f64x2.max (v128.load offset=48 (local.get $zo)) (v128.const f64x2 0 0)))
        ;; ga = 0 + r0·p0 + r1·p1 + r2·p2 + r3·p3
        (local.set $ga (f64x2.add (f64x2.add (f64x2.add (f64x2.add (v128.const f64x2 0 0)
          (f64x2.mul (f64x2.splat (local.get $r0)) (local.get $p0))) (f64x2.mul (f64x2.splat (local.get $r1)) (local.get $p1)))
          (f64x2.mul (f64x2.splat (local.get $r2)) (local.get $p2))) (f64x2.mul (f64x2.splat (local.get $r3)) (local.get $p3))))
        ;; g_i = η·c·r_i·a_k·sign(p_i), sign(p) = 1 where p > 0, else p (+0, or NaN)
        (local.set $g0 (f64x2.mul (f64x2.mul (f64x2.splat (f64.mul (local.get $ec) (local.get $r0))) (local.get $ak))
          (v128.bitselect (v128.const f64x2 1 1) (local.get $p0) (f64x2.gt (local.get $p0) (v128.const f64x2 0 0)))))
        (local.set $g1 (f64x2.mul (f64x2.mul (f64x2.splat (f64.mul (local.get $ec) (local.get $r1))) (local.get $ak))
          (v128.bitselect (v128.const f64x2 1 1) (local.get $p1) (f64x2.gt (local.get $p1) (v128.const f64x2 0 0)))))
        (local.set $g2 (f64x2.mul (f64x2.mul (f64x2.splat (f64.mul (local.get $ec) (local.get $r2))) (local.get $ak))
          (v128.bitselect (v128.const f64x2 1 1) (local.get $p2) (f64x2.gt (local.get $p2) (v128.const f64x2 0 0)))))
        (local.set $g3 (f64x2.mul (f64x2.mul (f64x2.splat (f64.mul (local.get $ec) (local.get $r3))) (local.get $ak))
          (v128.bitselect (v128.const f64x2 1 1) (local.get $p3) (f64x2.gt (local.get $p3) (v128.const f64x2 0 0)))))
        (local.set $wa (f64x2.sub (f64x2.sub (f64x2.sub (f64x2.sub (v128.load (i32.add (local.get $w0) (local.get $o)))
          (f64x2.mul (local.get $g0) (local.get $x0))) (f64x2.mul (local.get $g1) (local.get $x1)))
          (f64x2.mul (local.get $g2) (local.get $x2))) (f64x2.mul (local.get $g3) (local.get $x3))))
        (local.set $wb (f64x2.sub (f64x2.sub (f64x2.sub (f64x2.sub (v128.load (i32.add (local.get $w1) (local.get $o)))
          (f64x2.mul (local.get $g0) (local.get $e0))) (f64x2.mul (local.get $g1) (local.get $e1)))
          (f64x2.mul (local.get $g2) (local.get $e2))) (f64x2.mul (local.get $g3) (local.get $e3))))
        (local.set $a1 (f64x2.sub (local.get $ak) (f64x2.mul (local.get $ecv) (local.get $ga))))
        (v128.store (i32.add (local.get $a) (local.get $o)) (local.get $a1))
        (v128.store (i32.add (local.get $w0) (local.get $o)) (local.get $wa))
        (v128.store (i32.add (local.get $w1) (local.get $o)) (local.get $wb))
        (local.set $q (f64x2.add (f64x2.add (v128.const f64x2 0 0) (f64x2.mul (local.get $wa) (local.get $x0))) (f64x2.mul (local.get $wb) (local.get $e0))))
        (v128.store (local.get $zo) (local.get $q))
        (local.set $pv (f64x2.mul (local.get $a1) (f64x2.max (local.get $q) (v128.const f64x2 0 0))))
        (local.set $n0 (f64.add (f64.add (local.get $n0) (f64x2.extract_lane 0 (local.get $pv))) (f64x2.extract_lane 1 (local.get $pv))))
        (local.set $q (f64x2.add (f64x2.add (v128.const f64x2 0 0) (f64x2.mul (local.get $wa) (local.get $x1))) (f64x2.mul (local.get $wb) (local.get $e1))))
        (v128.store offset=16 (local.get $zo) (local.get $q))
        (local.set $pv (f64x2.mul (local.get $a1) (f64x2.max (local.get $q) (v128.const f64x2 0 0))))
        (local.set $n1 (f64.add (f64.add (local.get $n1) (f64x2.extract_lane 0 (local.get $pv))) (f64x2.extract_lane 1 (local.get $pv))))
        (local.set $q (f64x2.add (f64x2.add (v128.const f64x2 0 0) (f64x2.mul (local.get $wa) (local.get $x2))) (f64x2.mul (local.get $wb) (local.get $e2))))
        (v128.store offset=32 (local.get $zo) (local.get $q))
        (local.set $pv (f64x2.mul (local.get $a1) (f64x2.max (local.get $q) (v128.const f64x2 0 0))))
        (local.set $n2 (f64.add (f64.add (local.get $n2) (f64x2.extract_lane 0 (local.get $pv))) (f64x2.extract_lane 1 (local.get $pv))))
        (local.set $q (f64x2.add (f64x2.add (v128.const f64x2 0 0) (f64x2.mul (local.get $wa) (local.get $x3))) (f64x2.mul (local.get $wb) (local.get $e3))))
        (v128.store offset=48 (local.get $zo) (local.get $q))
        (local.set $pv (f64x2.mul (local.get $a1) (f64x2.max (local.get $q) (v128.const f64x2 0 0))))
        (local.set $n3 (f64.add (f64.add (local.get $n3) (f64x2.extract_lane 0 (local.get $pv))) (f64x2.extract_lane 1 (local.get $pv))))
        (local.set $k (i32.add (local.get $k) (i32.const 2)))
        (br $us)))
    (local.set $t (i32.add (local.get $t) (i32.const 1)))
    (br $step))
  (unreachable))
