;; tanh bit-identical to V8's Math.tanh: a faithful port of fdlibm's s_tanh.c and s_expm1.c as V8 carries them
;; (src/base/ieee754.cc, "adapted from fdlibm", FreeBSD msun). Every operation is the C code's, in its order, on f64
;; (wasm has no extended precision and no fused multiply-add), so each result has the same bits as Math.tanh.
;; GET_HIGH_WORD is i64.reinterpret_f64 >> 32, INSERT_WORDS(hi, 0) is f64.reinterpret_i64(hi << 32). Constants are
;; hex floats with the exact bits fdlibm lists beside them (checked in properties/theory/tanh-wasm.test.ts).

;; expm1(x) = e^x − 1 (fdlibm s_expm1.c). Exported for its own bit-for-bit test against Math.expm1.
(func $tanh_expm1 (export "tanh_expm1") (param $x f64) (result f64)
  (local $bits i64) (local $hx i32) (local $xsb i32) (local $k i32)
  (local $y f64) (local $hi f64) (local $lo f64) (local $c f64) (local $t f64) (local $e f64)
  (local $hxs f64) (local $hfx f64) (local $r1 f64) (local $twopk f64)
  (local.set $bits (i64.reinterpret_f64 (local.get $x)))
  (local.set $hx (i32.wrap_i64 (i64.shr_u (local.get $bits) (i64.const 32))))
  (local.set $xsb (i32.and (local.get $hx) (i32.const 0x80000000))) ;; sign bit of x
  (local.set $hx (i32.and (local.get $hx) (i32.const 0x7FFFFFFF))) ;; high word of |x|

  ;; filter out huge and non-finite argument
  (if (i32.ge_u (local.get $hx) (i32.const 0x4043687A)) (then ;; |x| >= 56·ln2
    (if (i32.ge_u (local.get $hx) (i32.const 0x40862E42)) (then ;; |x| >= 709.78...
      (if (i32.ge_u (local.get $hx) (i32.const 0x7FF00000)) (then
        (if (i32.ne (i32.or (i32.and (local.get $hx) (i32.const 0xFFFFF)) (i32.wrap_i64 (local.get $bits))) (i32.const 0))
          (then (return (f64.add (local.get $x) (local.get $x))))) ;; NaN
        (return (select (local.get $x) (f64.const -1) (i32.eqz (local.get $xsb)))))) ;; expm1(±inf) = {inf, −1}
      (if (f64.gt (local.get $x) (f64.const 0x1.62e42fefa39efp9)) ;; o_threshold 0x40862E42 FEFA39EF
        (then (return (f64.mul (f64.const 0x1.7e43c8800759cp996) (f64.const 0x1.7e43c8800759cp996))))))) ;; huge·huge: overflow
    (if (i32.ne (local.get $xsb) (i32.const 0)) (then ;; x < −56·ln2: −1 with inexact
      (if (f64.lt (f64.add (local.get $x) (f64.const 0x1.56e1fc2f8f359p-997)) (f64.const 0)) ;; x + tiny < 0
        (then (return (f64.sub (f64.const 0x1.56e1fc2f8f359p-997) (f64.const 1)))))))))

  ;; argument reduction
  (if (i32.gt_u (local.get $hx) (i32.const 0x3FD62E42)) ;; |x| > 0.5·ln2
    (then
      (if (i32.lt_u (local.get $hx) (i32.const 0x3FF0A2B2)) ;; and |x| < 1.5·ln2
        (then
          (if (i32.eqz (local.get $xsb))
            (then
              (local.set $hi (f64.sub (local.get $x) (f64.const 0x1.62e42fee00000p-1))) ;; ln2_hi 0x3FE62E42 FEE00000
              (local.set $lo (f64.const 0x1.a39ef35793c76p-33)) ;; ln2_lo 0x3DEA39EF 35793C76
              (local.set $k (i32.const 1)))
            (else
              (local.set $hi (f64.add (local.get $x) (f64.const 0x1.62e42fee00000p-1)))
              (local.set $lo (f64.const -0x1.a39ef35793c76p-33))
              (local.set $k (i32.const -1)))))
        (else
          ;; k = (int)(invln2·x ± 0.5): C's conversion truncates toward zero
          (local.set $k (i32.trunc_f64_s (f64.add
            (f64.mul (f64.const 0x1.71547652b82fep0) (local.get $x)) ;; invln2 0x3FF71547 652B82FE
            (select (f64.const 0.5) (f64.const -0.5) (i32.eqz (local.get $xsb))))))
          (local.set $t (f64.convert_i32_s (local.get $k)))
          (local.set $hi (f64.sub (local.get $x) (f64.mul (local.get $t) (f64.const 0x1.62e42fee00000p-1)))) ;; exact
          (local.set $lo (f64.mul (local.get $t) (f64.const 0x1.a39ef35793c76p-33)))))
      (local.set $x (f64.sub (local.get $hi) (local.get $lo)))
      (local.set $c (f64.sub (f64.sub (local.get $hi) (local.get $x)) (local.get $lo))))
    (else
      (if (i32.lt_u (local.get $hx) (i32.const 0x3C900000)) ;; |x| < 2^−54: x (the C code's inexact-raising form)
        (then
          (local.set $t (f64.add (f64.const 0x1.7e43c8800759cp996) (local.get $x)))
          (return (f64.sub (local.get $x)
            (f64.sub (local.get $t) (f64.add (f64.const 0x1.7e43c8800759cp996) (local.get $x)))))))
      (local.set $k (i32.const 0))))

  ;; x is now in the primary range
  (local.set $hfx (f64.mul (f64.const 0.5) (local.get $x)))
  (local.set $hxs (f64.mul (local.get $x) (local.get $hfx)))
  ;; r1 = 1 + hxs·(Q1 + hxs·(Q2 + hxs·(Q3 + hxs·(Q4 + hxs·Q5))))
  (local.set $r1 (f64.add (f64.const 1) (f64.mul (local.get $hxs)
    (f64.add (f64.const -0x1.11111111110f4p-5) (f64.mul (local.get $hxs) ;; Q1 BFA11111 111110F4
      (f64.add (f64.const 0x1.a01a019fe5585p-10) (f64.mul (local.get $hxs) ;; Q2 3F5A01A0 19FE5585
        (f64.add (f64.const -0x1.4ce199eaadbb7p-14) (f64.mul (local.get $hxs) ;; Q3 BF14CE19 9EAADBB7
          (f64.add (f64.const 0x1.0cfca86e65239p-18) ;; Q4 3ED0CFCA 86E65239
            (f64.mul (local.get $hxs) (f64.const -0x1.afdb76e09c32dp-23)))))))))))) ;; Q5 BE8AFDB7 6E09C32D
  (local.set $t (f64.sub (f64.const 3) (f64.mul (local.get $r1) (local.get $hfx))))
  (local.set $e (f64.mul (local.get $hxs)
    (f64.div (f64.sub (local.get $r1) (local.get $t))
             (f64.sub (f64.const 6) (f64.mul (local.get $x) (local.get $t))))))
  (if (i32.eqz (local.get $k)) ;; c is 0
    (then (return (f64.sub (local.get $x) (f64.sub (f64.mul (local.get $x) (local.get $e)) (local.get $hxs))))))
  ;; twopk = 2^k
  (local.set $twopk (f64.reinterpret_i64 (i64.shl
    (i64.extend_i32_u (i32.add (i32.const 0x3FF00000) (i32.shl (local.get $k) (i32.const 20)))) (i64.const 32))))
  (local.set $e (f64.sub (f64.mul (local.get $x) (f64.sub (local.get $e) (local.get $c))) (local.get $c)))
  (local.set $e (f64.sub (local.get $e) (local.get $hxs)))
  (if (i32.eq (local.get $k) (i32.const -1))
    (then (return (f64.sub (f64.mul (f64.const 0.5) (f64.sub (local.get $x) (local.get $e))) (f64.const 0.5)))))
  (if (i32.eq (local.get $k) (i32.const 1))
    (then
      (if (f64.lt (local.get $x) (f64.const -0.25))
        (then (return (f64.mul (f64.const -2) (f64.sub (local.get $e) (f64.add (local.get $x) (f64.const 0.5))))))
        (else (return (f64.add (f64.const 1) (f64.mul (f64.const 2) (f64.sub (local.get $x) (local.get $e)))))))))
  (if (i32.or (i32.le_s (local.get $k) (i32.const -2)) (i32.gt_s (local.get $k) (i32.const 56)))
    (then ;; suffices to return exp(x) − 1
      (local.set $y (f64.sub (f64.const 1) (f64.sub (local.get $e) (local.get $x))))
      (if (i32.eq (local.get $k) (i32.const 1024))
        (then (local.set $y (f64.mul (f64.mul (local.get $y) (f64.const 2)) (f64.const 0x1p1023)))) ;; V8: 8.98846567431158e+307
        (else (local.set $y (f64.mul (local.get $y) (local.get $twopk)))))
      (return (f64.sub (local.get $y) (f64.const 1)))))
  (if (i32.lt_s (local.get $k) (i32.const 20))
    (then
      ;; t = 1 − 2^−k
      (local.set $t (f64.reinterpret_i64 (i64.shl (i64.extend_i32_u
        (i32.sub (i32.const 0x3FF00000) (i32.shr_s (i32.const 0x200000) (local.get $k)))) (i64.const 32))))
      (local.set $y (f64.sub (local.get $t) (f64.sub (local.get $e) (local.get $x))))
      (local.set $y (f64.mul (local.get $y) (local.get $twopk))))
    (else
      ;; t = 2^−k
      (local.set $t (f64.reinterpret_i64 (i64.shl (i64.extend_i32_u
        (i32.shl (i32.sub (i32.const 0x3FF) (local.get $k)) (i32.const 20))) (i64.const 32))))
      (local.set $y (f64.sub (local.get $x) (f64.add (local.get $e) (local.get $t))))
      (local.set $y (f64.add (local.get $y) (f64.const 1)))
      (local.set $y (f64.mul (local.get $y) (local.get $twopk)))))
  (local.get $y))

;; tanh(x) (fdlibm s_tanh.c):
;;   |x| < 2^−28: x;  2^−28 <= |x| < 1: −t/(t+2), t = expm1(−2|x|);  1 <= |x| < 22: 1 − 2/(t+2), t = expm1(2|x|);
;;   |x| >= 22: 1 (as 1 − tiny); the sign of x restored; tanh(±inf) = ±1, tanh(NaN) = NaN.
(func $tanh (export "tanh") (param $x f64) (result f64)
  (local $jx i32) (local $ix i32) (local $t f64) (local $z f64)
  (local.set $jx (i32.wrap_i64 (i64.shr_u (i64.reinterpret_f64 (local.get $x)) (i64.const 32))))
  (local.set $ix (i32.and (local.get $jx) (i32.const 0x7FFFFFFF)))
  (if (i32.ge_s (local.get $ix) (i32.const 0x7FF00000)) (then ;; x is inf or NaN
    (if (i32.ge_s (local.get $jx) (i32.const 0))
      (then (return (f64.add (f64.div (f64.const 1) (local.get $x)) (f64.const 1)))) ;; tanh(+inf) = +1
      (else (return (f64.sub (f64.div (f64.const 1) (local.get $x)) (f64.const 1))))))) ;; tanh(−inf) = −1
  (if (i32.lt_s (local.get $ix) (i32.const 0x40360000)) ;; |x| < 22
    (then
      (if (i32.lt_s (local.get $ix) (i32.const 0x3E300000)) ;; |x| < 2^−28: tanh(tiny) = tiny
        (then (if (f64.gt (f64.add (f64.const 0x1.7e43c8800759cp996) (local.get $x)) (f64.const 1)) ;; huge + x > 1
          (then (return (local.get $x))))))
      (if (i32.ge_s (local.get $ix) (i32.const 0x3FF00000)) ;; |x| >= 1
        (then
          (local.set $t (call $tanh_expm1 (f64.mul (f64.const 2) (f64.abs (local.get $x)))))
          (local.set $z (f64.sub (f64.const 1) (f64.div (f64.const 2) (f64.add (local.get $t) (f64.const 2))))))
        (else
          (local.set $t (call $tanh_expm1 (f64.mul (f64.const -2) (f64.abs (local.get $x)))))
          (local.set $z (f64.div (f64.neg (local.get $t)) (f64.add (local.get $t) (f64.const 2)))))))
    (else ;; |x| >= 22: ±1
      (local.set $z (f64.sub (f64.const 1) (f64.const 0x1.56e1fc2f8f359p-997))))) ;; one − tiny
  (select (local.get $z) (f64.neg (local.get $z)) (i32.ge_s (local.get $jx) (i32.const 0))))

;; expm1 on two lanes, for the arguments tanh gives it (u = ±2|x|, 2^−27 <= |u| < 44): the steps of $tanh_expm1 with
;; every path computed and each lane's own picked by its k, so each lane has the scalar function's bits. The
;; reduction is the general one for all k: at k = ±1 it gives fdlibm's special case's hi and lo exactly (u − 1·ln2_hi,
;; u − (−1)·ln2_hi = u + ln2_hi, ±1·ln2_lo), and at k = 0 (|u| <= 0.5·ln2) x = u − 0 = u. Lanes outside that domain
;; give values that $tanh_x2 does not use.
(func $tanh_expm1_x2 (param $u v128) (result v128)
  (local $kf v128) (local $hi v128) (local $lo v128) (local $x v128) (local $c v128) (local $hfx v128) (local $hxs v128)
  (local $r1 v128) (local $t v128) (local $e v128) (local $ki v128) (local $twopk v128) (local $twomk v128)
  (local $res v128) (local $xme v128)
  ;; k = (int)(invln2·u ± 0.5) where |u| > 0.5·ln2 (high word > 0x3FD62E42), else 0
  (local.set $kf (v128.and
    (f64x2.trunc (f64x2.add (f64x2.mul (v128.const f64x2 0x1.71547652b82fep0 0x1.71547652b82fep0) (local.get $u))
      (v128.or (v128.const f64x2 0.5 0.5) (v128.and (local.get $u) (v128.const i64x2 0x8000000000000000 0x8000000000000000)))))
    (f64x2.ge (f64x2.abs (local.get $u)) (v128.const f64x2 0x1.62e4300000000p-2 0x1.62e4300000000p-2))))
  (local.set $hi (f64x2.sub (local.get $u) (f64x2.mul (local.get $kf) (v128.const f64x2 0x1.62e42fee00000p-1 0x1.62e42fee00000p-1))))
  (local.set $lo (f64x2.mul (local.get $kf) (v128.const f64x2 0x1.a39ef35793c76p-33 0x1.a39ef35793c76p-33)))
  (local.set $x (f64x2.sub (local.get $hi) (local.get $lo)))
  (local.set $c (f64x2.sub (f64x2.sub (local.get $hi) (local.get $x)) (local.get $lo)))
  ;; the primary range
  (local.set $hfx (f64x2.mul (v128.const f64x2 0.5 0.5) (local.get $x)))
  (local.set $hxs (f64x2.mul (local.get $x) (local.get $hfx)))
  (local.set $r1 (f64x2.add (v128.const f64x2 1 1) (f64x2.mul (local.get $hxs)
    (f64x2.add (v128.const f64x2 -0x1.11111111110f4p-5 -0x1.11111111110f4p-5) (f64x2.mul (local.get $hxs)
      (f64x2.add (v128.const f64x2 0x1.a01a019fe5585p-10 0x1.a01a019fe5585p-10) (f64x2.mul (local.get $hxs)
        (f64x2.add (v128.const f64x2 -0x1.4ce199eaadbb7p-14 -0x1.4ce199eaadbb7p-14) (f64x2.mul (local.get $hxs)
          (f64x2.add (v128.const f64x2 0x1.0cfca86e65239p-18 0x1.0cfca86e65239p-18)
            (f64x2.mul (local.get $hxs) (v128.const f64x2 -0x1.afdb76e09c32dp-23 -0x1.afdb76e09c32dp-23))))))))))))
  (local.set $t (f64x2.sub (v128.const f64x2 3 3) (f64x2.mul (local.get $r1) (local.get $hfx))))
  (local.set $e (f64x2.mul (local.get $hxs)
    (f64x2.div (f64x2.sub (local.get $r1) (local.get $t))
               (f64x2.sub (v128.const f64x2 6 6) (f64x2.mul (local.get $x) (local.get $t))))))
  ;; k = 0: x − (x·e − hxs)
  (local.set $res (f64x2.sub (local.get $x) (f64x2.sub (f64x2.mul (local.get $x) (local.get $e)) (local.get $hxs))))
  ;; k ≠ 0: e = (x·(e − c) − c) − hxs; 2^k and 2^−k from k's bits
  (local.set $e (f64x2.sub (f64x2.sub (f64x2.mul (local.get $x) (f64x2.sub (local.get $e) (local.get $c))) (local.get $c)) (local.get $hxs)))
  (local.set $ki (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $kf))))
  (local.set $twopk (i64x2.shl (i64x2.add (local.get $ki) (v128.const i64x2 0x3FF 0x3FF)) (i32.const 52)))
  (local.set $twomk (i64x2.shl (i64x2.sub (v128.const i64x2 0x3FF 0x3FF) (local.get $ki)) (i32.const 52)))
  (local.set $xme (f64x2.sub (local.get $e) (local.get $x))) ;; e − x
  ;; the cases from the last to the first, each overriding the lanes it takes
  ;; 20 <= k <= 56: ((x − (e + 2^−k)) + 1)·2^k
  (local.set $t (f64x2.mul (f64x2.add (f64x2.sub (local.get $x) (f64x2.add (local.get $e) (local.get $twomk))) (v128.const f64x2 1 1))
    (local.get $twopk)))
  ;; 2 <= k < 20: ((1 − 2^−k) − (e − x))·2^k
  (local.set $t (v128.bitselect
    (f64x2.mul (f64x2.sub (f64x2.sub (v128.const f64x2 1 1) (local.get $twomk)) (local.get $xme)) (local.get $twopk))
    (local.get $t) (f64x2.lt (local.get $kf) (v128.const f64x2 20 20))))
  ;; k <= −2 or k > 56: (1 − (e − x))·2^k − 1
  (local.set $t (v128.bitselect
    (f64x2.sub (f64x2.mul (f64x2.sub (v128.const f64x2 1 1) (local.get $xme)) (local.get $twopk)) (v128.const f64x2 1 1))
    (local.get $t)
    (v128.or (f64x2.le (local.get $kf) (v128.const f64x2 -2 -2)) (f64x2.gt (local.get $kf) (v128.const f64x2 56 56)))))
  ;; k = 1: x < −0.25 ? −2·(e − (x + 0.5)) : 1 + 2·(x − e)
  (local.set $t (v128.bitselect
    (v128.bitselect
      (f64x2.mul (v128.const f64x2 -2 -2) (f64x2.sub (local.get $e) (f64x2.add (local.get $x) (v128.const f64x2 0.5 0.5))))
      (f64x2.add (v128.const f64x2 1 1) (f64x2.mul (v128.const f64x2 2 2) (f64x2.sub (local.get $x) (local.get $e))))
      (f64x2.lt (local.get $x) (v128.const f64x2 -0.25 -0.25)))
    (local.get $t) (f64x2.eq (local.get $kf) (v128.const f64x2 1 1))))
  ;; k = −1: 0.5·(x − e) − 0.5
  (local.set $t (v128.bitselect
    (f64x2.sub (f64x2.mul (v128.const f64x2 0.5 0.5) (f64x2.sub (local.get $x) (local.get $e))) (v128.const f64x2 0.5 0.5))
    (local.get $t) (f64x2.eq (local.get $kf) (v128.const f64x2 -1 -1))))
  (v128.bitselect (local.get $res) (local.get $t) (f64x2.eq (local.get $kf) (v128.const f64x2 0 0))))

;; tanh on two lanes, each with $tanh's bits: 2^−28 <= |x| < 1: −t/(t+2), t = expm1(−2|x|); 1 <= |x| < 22: 1 − 2/(t+2),
;; t = expm1(2|x|) (one division: d = (|x| < 1 ? −t : 2)/(t+2)); |x| >= 22 and ±inf: 1 (1 − tiny rounds to 1); the sign
;; of x restored on that positive z (the bit OR is the C code's −z); |x| < 2^−28 (±0, subnormals): x; NaN: NaN.
(func $tanh_x2 (param $v v128) (result v128)
  (local $ax v128) (local $ge1 v128) (local $w v128) (local $t v128) (local $d v128) (local $z v128)
  (local.set $ax (f64x2.abs (local.get $v)))
  (local.set $ge1 (f64x2.ge (local.get $ax) (v128.const f64x2 1 1)))
  (local.set $w (f64x2.mul (v128.const f64x2 2 2) (local.get $ax)))
  (local.set $t (call $tanh_expm1_x2 (v128.bitselect (local.get $w) (f64x2.neg (local.get $w)) (local.get $ge1))))
  (local.set $d (f64x2.div (v128.bitselect (v128.const f64x2 2 2) (f64x2.neg (local.get $t)) (local.get $ge1))
                           (f64x2.add (local.get $t) (v128.const f64x2 2 2))))
  (local.set $z (v128.bitselect (f64x2.sub (v128.const f64x2 1 1) (local.get $d)) (local.get $d) (local.get $ge1)))
  (local.set $z (v128.bitselect (v128.const f64x2 1 1) (local.get $z) (f64x2.ge (local.get $ax) (v128.const f64x2 22 22))))
  (local.set $z (v128.or (local.get $z) (v128.and (local.get $v) (v128.const i64x2 0x8000000000000000 0x8000000000000000))))
  (v128.bitselect (local.get $v) (local.get $z) (f64x2.lt (local.get $ax) (v128.const f64x2 0x1p-28 0x1p-28))))

;; dst[i] = tanh(src[i]) for i < n (src and dst may be the same array). The loop body is $tanh_x2 with $tanh_expm1_x2
;; written out in it, four copies (suffixes _a.._d: eight values per pass) interleaved statement by statement: one
;; copy is a long dependency chain (a polynomial, two divisions), so independent copies keep the core busy (measured
;; 14 ns/value with one copy, 8.8 with four, Math.tanh 11). Constants sit in locals set once before the loop.
(func $tanh_into (export "tanh_into") (param $src i32) (param $dst i32) (param $n i32)
  (local $i i32) (local $v_a v128) (local $v_b v128) (local $v_c v128) (local $v_d v128) (local $u_a v128) (local $u_b v128) (local $u_c v128) (local $u_d v128) (local $em_a v128) (local $em_b v128) (local $em_c v128) (local $em_d v128) (local $ax_a v128) (local $ax_b v128) (local $ax_c v128) (local $ax_d v128) (local $ge1_a v128) (local $ge1_b v128) (local $ge1_c v128) (local $ge1_d v128) (local $w_a v128) (local $w_b v128) (local $w_c v128) (local $w_d v128) (local $t_a v128) (local $t_b v128) (local $t_c v128) (local $t_d v128) (local $d_a v128) (local $d_b v128) (local $d_c v128) (local $d_d v128) (local $z_a v128) (local $z_b v128) (local $z_c v128) (local $z_d v128) (local $e_kf_a v128) (local $e_kf_b v128) (local $e_kf_c v128) (local $e_kf_d v128) (local $e_hi_a v128) (local $e_hi_b v128) (local $e_hi_c v128) (local $e_hi_d v128) (local $e_lo_a v128) (local $e_lo_b v128) (local $e_lo_c v128) (local $e_lo_d v128) (local $e_x_a v128) (local $e_x_b v128) (local $e_x_c v128) (local $e_x_d v128) (local $e_c_a v128) (local $e_c_b v128) (local $e_c_c v128) (local $e_c_d v128) (local $e_hfx_a v128) (local $e_hfx_b v128) (local $e_hfx_c v128) (local $e_hfx_d v128) (local $e_hxs_a v128) (local $e_hxs_b v128) (local $e_hxs_c v128) (local $e_hxs_d v128) (local $e_r1_a v128) (local $e_r1_b v128) (local $e_r1_c v128) (local $e_r1_d v128) (local $e_t_a v128) (local $e_t_b v128) (local $e_t_c v128) (local $e_t_d v128) (local $e_e_a v128) (local $e_e_b v128) (local $e_e_c v128) (local $e_e_d v128) (local $e_ki_a v128) (local $e_ki_b v128) (local $e_ki_c v128) (local $e_ki_d v128) (local $e_twopk_a v128) (local $e_twopk_b v128) (local $e_twopk_c v128) (local $e_twopk_d v128) (local $e_twomk_a v128) (local $e_twomk_b v128) (local $e_twomk_c v128) (local $e_twomk_d v128) (local $e_res_a v128) (local $e_res_b v128) (local $e_res_c v128) (local $e_res_d v128) (local $e_xme_a v128) (local $e_xme_b v128) (local $e_xme_c v128) (local $e_xme_d v128) (local $k0 v128) (local $k1 v128) (local $k2 v128) (local $k3 v128) (local $k4 v128) (local $k5 v128) (local $k6 v128) (local $k7 v128) (local $k8 v128) (local $k9 v128) (local $k10 v128) (local $k11 v128) (local $k12 v128) (local $k13 v128) (local $k14 v128) (local $k15 v128) (local $k16 v128) (local $k17 v128) (local $k18 v128) (local $k19 v128) (local $k20 v128) (local $k21 v128) (local $k22 v128) (local $k23 v128)
  (local.set $k0 (v128.const f64x2 1 1))
  (local.set $k1 (v128.const f64x2 2 2))
  (local.set $k2 (v128.const f64x2 0x1.71547652b82fep0 0x1.71547652b82fep0))
  (local.set $k3 (v128.const f64x2 0.5 0.5))
  (local.set $k4 (v128.const i64x2 0x8000000000000000 0x8000000000000000))
  (local.set $k5 (v128.const f64x2 0x1.62e4300000000p-2 0x1.62e4300000000p-2))
  (local.set $k6 (v128.const f64x2 0x1.62e42fee00000p-1 0x1.62e42fee00000p-1))
  (local.set $k7 (v128.const f64x2 0x1.a39ef35793c76p-33 0x1.a39ef35793c76p-33))
  (local.set $k8 (v128.const f64x2 -0x1.11111111110f4p-5 -0x1.11111111110f4p-5))
  (local.set $k9 (v128.const f64x2 0x1.a01a019fe5585p-10 0x1.a01a019fe5585p-10))
  (local.set $k10 (v128.const f64x2 -0x1.4ce199eaadbb7p-14 -0x1.4ce199eaadbb7p-14))
  (local.set $k11 (v128.const f64x2 0x1.0cfca86e65239p-18 0x1.0cfca86e65239p-18))
  (local.set $k12 (v128.const f64x2 -0x1.afdb76e09c32dp-23 -0x1.afdb76e09c32dp-23))
  (local.set $k13 (v128.const f64x2 3 3))
  (local.set $k14 (v128.const f64x2 6 6))
  (local.set $k15 (v128.const i64x2 0x3FF 0x3FF))
  (local.set $k16 (v128.const f64x2 20 20))
  (local.set $k17 (v128.const f64x2 -2 -2))
  (local.set $k18 (v128.const f64x2 56 56))
  (local.set $k19 (v128.const f64x2 -0.25 -0.25))
  (local.set $k20 (v128.const f64x2 -1 -1))
  (local.set $k21 (v128.const f64x2 0 0))
  (local.set $k22 (v128.const f64x2 22 22))
  (local.set $k23 (v128.const f64x2 0x1p-28 0x1p-28))
  (block $done
    (loop $quads
      (br_if $done (i32.ge_s (i32.add (local.get $i) (i32.const 7)) (local.get $n)))
      (local.set $v_a (v128.load (local.get $src)))
      (local.set $v_b (v128.load offset=16 (local.get $src)))
      (local.set $v_c (v128.load offset=32 (local.get $src)))
      (local.set $v_d (v128.load offset=48 (local.get $src)))
      (local.set $ax_a (f64x2.abs (local.get $v_a)))
      (local.set $ax_b (f64x2.abs (local.get $v_b)))
      (local.set $ax_c (f64x2.abs (local.get $v_c)))
      (local.set $ax_d (f64x2.abs (local.get $v_d)))
      (local.set $ge1_a (f64x2.ge (local.get $ax_a) (local.get $k0)))
      (local.set $ge1_b (f64x2.ge (local.get $ax_b) (local.get $k0)))
      (local.set $ge1_c (f64x2.ge (local.get $ax_c) (local.get $k0)))
      (local.set $ge1_d (f64x2.ge (local.get $ax_d) (local.get $k0)))
      (local.set $w_a (f64x2.mul (local.get $k1) (local.get $ax_a)))
      (local.set $w_b (f64x2.mul (local.get $k1) (local.get $ax_b)))
      (local.set $w_c (f64x2.mul (local.get $k1) (local.get $ax_c)))
      (local.set $w_d (f64x2.mul (local.get $k1) (local.get $ax_d)))
      (local.set $u_a (v128.bitselect (local.get $w_a) (f64x2.neg (local.get $w_a)) (local.get $ge1_a)))
      (local.set $u_b (v128.bitselect (local.get $w_b) (f64x2.neg (local.get $w_b)) (local.get $ge1_b)))
      (local.set $u_c (v128.bitselect (local.get $w_c) (f64x2.neg (local.get $w_c)) (local.get $ge1_c)))
      (local.set $u_d (v128.bitselect (local.get $w_d) (f64x2.neg (local.get $w_d)) (local.get $ge1_d)))
      (local.set $e_kf_a (v128.and (f64x2.trunc (f64x2.add (f64x2.mul (local.get $k2) (local.get $u_a)) (v128.or (local.get $k3) (v128.and (local.get $u_a) (local.get $k4))))) (f64x2.ge (f64x2.abs (local.get $u_a)) (local.get $k5))))
      (local.set $e_kf_b (v128.and (f64x2.trunc (f64x2.add (f64x2.mul (local.get $k2) (local.get $u_b)) (v128.or (local.get $k3) (v128.and (local.get $u_b) (local.get $k4))))) (f64x2.ge (f64x2.abs (local.get $u_b)) (local.get $k5))))
      (local.set $e_kf_c (v128.and (f64x2.trunc (f64x2.add (f64x2.mul (local.get $k2) (local.get $u_c)) (v128.or (local.get $k3) (v128.and (local.get $u_c) (local.get $k4))))) (f64x2.ge (f64x2.abs (local.get $u_c)) (local.get $k5))))
      (local.set $e_kf_d (v128.and (f64x2.trunc (f64x2.add (f64x2.mul (local.get $k2) (local.get $u_d)) (v128.or (local.get $k3) (v128.and (local.get $u_d) (local.get $k4))))) (f64x2.ge (f64x2.abs (local.get $u_d)) (local.get $k5))))
      (local.set $e_hi_a (f64x2.sub (local.get $u_a) (f64x2.mul (local.get $e_kf_a) (local.get $k6))))
      (local.set $e_hi_b (f64x2.sub (local.get $u_b) (f64x2.mul (local.get $e_kf_b) (local.get $k6))))
      (local.set $e_hi_c (f64x2.sub (local.get $u_c) (f64x2.mul (local.get $e_kf_c) (local.get $k6))))
      (local.set $e_hi_d (f64x2.sub (local.get $u_d) (f64x2.mul (local.get $e_kf_d) (local.get $k6))))
      (local.set $e_lo_a (f64x2.mul (local.get $e_kf_a) (local.get $k7)))
      (local.set $e_lo_b (f64x2.mul (local.get $e_kf_b) (local.get $k7)))
      (local.set $e_lo_c (f64x2.mul (local.get $e_kf_c) (local.get $k7)))
      (local.set $e_lo_d (f64x2.mul (local.get $e_kf_d) (local.get $k7)))
      (local.set $e_x_a (f64x2.sub (local.get $e_hi_a) (local.get $e_lo_a)))
      (local.set $e_x_b (f64x2.sub (local.get $e_hi_b) (local.get $e_lo_b)))
      (local.set $e_x_c (f64x2.sub (local.get $e_hi_c) (local.get $e_lo_c)))
      (local.set $e_x_d (f64x2.sub (local.get $e_hi_d) (local.get $e_lo_d)))
      (local.set $e_c_a (f64x2.sub (f64x2.sub (local.get $e_hi_a) (local.get $e_x_a)) (local.get $e_lo_a)))
      (local.set $e_c_b (f64x2.sub (f64x2.sub (local.get $e_hi_b) (local.get $e_x_b)) (local.get $e_lo_b)))
      (local.set $e_c_c (f64x2.sub (f64x2.sub (local.get $e_hi_c) (local.get $e_x_c)) (local.get $e_lo_c)))
      (local.set $e_c_d (f64x2.sub (f64x2.sub (local.get $e_hi_d) (local.get $e_x_d)) (local.get $e_lo_d)))
      (local.set $e_hfx_a (f64x2.mul (local.get $k3) (local.get $e_x_a)))
      (local.set $e_hfx_b (f64x2.mul (local.get $k3) (local.get $e_x_b)))
      (local.set $e_hfx_c (f64x2.mul (local.get $k3) (local.get $e_x_c)))
      (local.set $e_hfx_d (f64x2.mul (local.get $k3) (local.get $e_x_d)))
      (local.set $e_hxs_a (f64x2.mul (local.get $e_x_a) (local.get $e_hfx_a)))
      (local.set $e_hxs_b (f64x2.mul (local.get $e_x_b) (local.get $e_hfx_b)))
      (local.set $e_hxs_c (f64x2.mul (local.get $e_x_c) (local.get $e_hfx_c)))
      (local.set $e_hxs_d (f64x2.mul (local.get $e_x_d) (local.get $e_hfx_d)))
      (local.set $e_r1_a (f64x2.add (local.get $k0) (f64x2.mul (local.get $e_hxs_a) (f64x2.add (local.get $k8) (f64x2.mul (local.get $e_hxs_a) (f64x2.add (local.get $k9) (f64x2.mul (local.get $e_hxs_a) (f64x2.add (local.get $k10) (f64x2.mul (local.get $e_hxs_a) (f64x2.add (local.get $k11) (f64x2.mul (local.get $e_hxs_a) (local.get $k12))))))))))))
      (local.set $e_r1_b (f64x2.add (local.get $k0) (f64x2.mul (local.get $e_hxs_b) (f64x2.add (local.get $k8) (f64x2.mul (local.get $e_hxs_b) (f64x2.add (local.get $k9) (f64x2.mul (local.get $e_hxs_b) (f64x2.add (local.get $k10) (f64x2.mul (local.get $e_hxs_b) (f64x2.add (local.get $k11) (f64x2.mul (local.get $e_hxs_b) (local.get $k12))))))))))))
      (local.set $e_r1_c (f64x2.add (local.get $k0) (f64x2.mul (local.get $e_hxs_c) (f64x2.add (local.get $k8) (f64x2.mul (local.get $e_hxs_c) (f64x2.add (local.get $k9) (f64x2.mul (local.get $e_hxs_c) (f64x2.add (local.get $k10) (f64x2.mul (local.get $e_hxs_c) (f64x2.add (local.get $k11) (f64x2.mul (local.get $e_hxs_c) (local.get $k12))))))))))))
      (local.set $e_r1_d (f64x2.add (local.get $k0) (f64x2.mul (local.get $e_hxs_d) (f64x2.add (local.get $k8) (f64x2.mul (local.get $e_hxs_d) (f64x2.add (local.get $k9) (f64x2.mul (local.get $e_hxs_d) (f64x2.add (local.get $k10) (f64x2.mul (local.get $e_hxs_d) (f64x2.add (local.get $k11) (f64x2.mul (local.get $e_hxs_d) (local.get $k12))))))))))))
      (local.set $e_t_a (f64x2.sub (local.get $k13) (f64x2.mul (local.get $e_r1_a) (local.get $e_hfx_a))))
      (local.set $e_t_b (f64x2.sub (local.get $k13) (f64x2.mul (local.get $e_r1_b) (local.get $e_hfx_b))))
      (local.set $e_t_c (f64x2.sub (local.get $k13) (f64x2.mul (local.get $e_r1_c) (local.get $e_hfx_c))))
      (local.set $e_t_d (f64x2.sub (local.get $k13) (f64x2.mul (local.get $e_r1_d) (local.get $e_hfx_d))))
      (local.set $e_e_a (f64x2.mul (local.get $e_hxs_a) (f64x2.div (f64x2.sub (local.get $e_r1_a) (local.get $e_t_a)) (f64x2.sub (local.get $k14) (f64x2.mul (local.get $e_x_a) (local.get $e_t_a))))))
      (local.set $e_e_b (f64x2.mul (local.get $e_hxs_b) (f64x2.div (f64x2.sub (local.get $e_r1_b) (local.get $e_t_b)) (f64x2.sub (local.get $k14) (f64x2.mul (local.get $e_x_b) (local.get $e_t_b))))))
      (local.set $e_e_c (f64x2.mul (local.get $e_hxs_c) (f64x2.div (f64x2.sub (local.get $e_r1_c) (local.get $e_t_c)) (f64x2.sub (local.get $k14) (f64x2.mul (local.get $e_x_c) (local.get $e_t_c))))))
      (local.set $e_e_d (f64x2.mul (local.get $e_hxs_d) (f64x2.div (f64x2.sub (local.get $e_r1_d) (local.get $e_t_d)) (f64x2.sub (local.get $k14) (f64x2.mul (local.get $e_x_d) (local.get $e_t_d))))))
      (local.set $e_res_a (f64x2.sub (local.get $e_x_a) (f64x2.sub (f64x2.mul (local.get $e_x_a) (local.get $e_e_a)) (local.get $e_hxs_a))))
      (local.set $e_res_b (f64x2.sub (local.get $e_x_b) (f64x2.sub (f64x2.mul (local.get $e_x_b) (local.get $e_e_b)) (local.get $e_hxs_b))))
      (local.set $e_res_c (f64x2.sub (local.get $e_x_c) (f64x2.sub (f64x2.mul (local.get $e_x_c) (local.get $e_e_c)) (local.get $e_hxs_c))))
      (local.set $e_res_d (f64x2.sub (local.get $e_x_d) (f64x2.sub (f64x2.mul (local.get $e_x_d) (local.get $e_e_d)) (local.get $e_hxs_d))))
      (local.set $e_e_a (f64x2.sub (f64x2.sub (f64x2.mul (local.get $e_x_a) (f64x2.sub (local.get $e_e_a) (local.get $e_c_a))) (local.get $e_c_a)) (local.get $e_hxs_a)))
      (local.set $e_e_b (f64x2.sub (f64x2.sub (f64x2.mul (local.get $e_x_b) (f64x2.sub (local.get $e_e_b) (local.get $e_c_b))) (local.get $e_c_b)) (local.get $e_hxs_b)))
      (local.set $e_e_c (f64x2.sub (f64x2.sub (f64x2.mul (local.get $e_x_c) (f64x2.sub (local.get $e_e_c) (local.get $e_c_c))) (local.get $e_c_c)) (local.get $e_hxs_c)))
      (local.set $e_e_d (f64x2.sub (f64x2.sub (f64x2.mul (local.get $e_x_d) (f64x2.sub (local.get $e_e_d) (local.get $e_c_d))) (local.get $e_c_d)) (local.get $e_hxs_d)))
      (local.set $e_ki_a (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $e_kf_a))))
      (local.set $e_ki_b (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $e_kf_b))))
      (local.set $e_ki_c (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $e_kf_c))))
      (local.set $e_ki_d (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $e_kf_d))))
      (local.set $e_twopk_a (i64x2.shl (i64x2.add (local.get $e_ki_a) (local.get $k15)) (i32.const 52)))
      (local.set $e_twopk_b (i64x2.shl (i64x2.add (local.get $e_ki_b) (local.get $k15)) (i32.const 52)))
      (local.set $e_twopk_c (i64x2.shl (i64x2.add (local.get $e_ki_c) (local.get $k15)) (i32.const 52)))
      (local.set $e_twopk_d (i64x2.shl (i64x2.add (local.get $e_ki_d) (local.get $k15)) (i32.const 52)))
      (local.set $e_twomk_a (i64x2.shl (i64x2.sub (local.get $k15) (local.get $e_ki_a)) (i32.const 52)))
      (local.set $e_twomk_b (i64x2.shl (i64x2.sub (local.get $k15) (local.get $e_ki_b)) (i32.const 52)))
      (local.set $e_twomk_c (i64x2.shl (i64x2.sub (local.get $k15) (local.get $e_ki_c)) (i32.const 52)))
      (local.set $e_twomk_d (i64x2.shl (i64x2.sub (local.get $k15) (local.get $e_ki_d)) (i32.const 52)))
      (local.set $e_xme_a (f64x2.sub (local.get $e_e_a) (local.get $e_x_a)))
      (local.set $e_xme_b (f64x2.sub (local.get $e_e_b) (local.get $e_x_b)))
      (local.set $e_xme_c (f64x2.sub (local.get $e_e_c) (local.get $e_x_c)))
      (local.set $e_xme_d (f64x2.sub (local.get $e_e_d) (local.get $e_x_d)))
      (local.set $e_t_a (f64x2.mul (f64x2.add (f64x2.sub (local.get $e_x_a) (f64x2.add (local.get $e_e_a) (local.get $e_twomk_a))) (local.get $k0)) (local.get $e_twopk_a)))
      (local.set $e_t_b (f64x2.mul (f64x2.add (f64x2.sub (local.get $e_x_b) (f64x2.add (local.get $e_e_b) (local.get $e_twomk_b))) (local.get $k0)) (local.get $e_twopk_b)))
      (local.set $e_t_c (f64x2.mul (f64x2.add (f64x2.sub (local.get $e_x_c) (f64x2.add (local.get $e_e_c) (local.get $e_twomk_c))) (local.get $k0)) (local.get $e_twopk_c)))
      (local.set $e_t_d (f64x2.mul (f64x2.add (f64x2.sub (local.get $e_x_d) (f64x2.add (local.get $e_e_d) (local.get $e_twomk_d))) (local.get $k0)) (local.get $e_twopk_d)))
      (local.set $e_t_a (v128.bitselect (f64x2.mul (f64x2.sub (f64x2.sub (local.get $k0) (local.get $e_twomk_a)) (local.get $e_xme_a)) (local.get $e_twopk_a)) (local.get $e_t_a) (f64x2.lt (local.get $e_kf_a) (local.get $k16))))
      (local.set $e_t_b (v128.bitselect (f64x2.mul (f64x2.sub (f64x2.sub (local.get $k0) (local.get $e_twomk_b)) (local.get $e_xme_b)) (local.get $e_twopk_b)) (local.get $e_t_b) (f64x2.lt (local.get $e_kf_b) (local.get $k16))))
      (local.set $e_t_c (v128.bitselect (f64x2.mul (f64x2.sub (f64x2.sub (local.get $k0) (local.get $e_twomk_c)) (local.get $e_xme_c)) (local.get $e_twopk_c)) (local.get $e_t_c) (f64x2.lt (local.get $e_kf_c) (local.get $k16))))
      (local.set $e_t_d (v128.bitselect (f64x2.mul (f64x2.sub (f64x2.sub (local.get $k0) (local.get $e_twomk_d)) (local.get $e_xme_d)) (local.get $e_twopk_d)) (local.get $e_t_d) (f64x2.lt (local.get $e_kf_d) (local.get $k16))))
      (local.set $e_t_a (v128.bitselect (f64x2.sub (f64x2.mul (f64x2.sub (local.get $k0) (local.get $e_xme_a)) (local.get $e_twopk_a)) (local.get $k0)) (local.get $e_t_a) (v128.or (f64x2.le (local.get $e_kf_a) (local.get $k17)) (f64x2.gt (local.get $e_kf_a) (local.get $k18)))))
      (local.set $e_t_b (v128.bitselect (f64x2.sub (f64x2.mul (f64x2.sub (local.get $k0) (local.get $e_xme_b)) (local.get $e_twopk_b)) (local.get $k0)) (local.get $e_t_b) (v128.or (f64x2.le (local.get $e_kf_b) (local.get $k17)) (f64x2.gt (local.get $e_kf_b) (local.get $k18)))))
      (local.set $e_t_c (v128.bitselect (f64x2.sub (f64x2.mul (f64x2.sub (local.get $k0) (local.get $e_xme_c)) (local.get $e_twopk_c)) (local.get $k0)) (local.get $e_t_c) (v128.or (f64x2.le (local.get $e_kf_c) (local.get $k17)) (f64x2.gt (local.get $e_kf_c) (local.get $k18)))))
      (local.set $e_t_d (v128.bitselect (f64x2.sub (f64x2.mul (f64x2.sub (local.get $k0) (local.get $e_xme_d)) (local.get $e_twopk_d)) (local.get $k0)) (local.get $e_t_d) (v128.or (f64x2.le (local.get $e_kf_d) (local.get $k17)) (f64x2.gt (local.get $e_kf_d) (local.get $k18)))))
      (local.set $e_t_a (v128.bitselect (v128.bitselect (f64x2.mul (local.get $k17) (f64x2.sub (local.get $e_e_a) (f64x2.add (local.get $e_x_a) (local.get $k3)))) (f64x2.add (local.get $k0) (f64x2.mul (local.get $k1) (f64x2.sub (local.get $e_x_a) (local.get $e_e_a)))) (f64x2.lt (local.get $e_x_a) (local.get $k19))) (local.get $e_t_a) (f64x2.eq (local.get $e_kf_a) (local.get $k0))))
      (local.set $e_t_b (v128.bitselect (v128.bitselect (f64x2.mul (local.get $k17) (f64x2.sub (local.get $e_e_b) (f64x2.add (local.get $e_x_b) (local.get $k3)))) (f64x2.add (local.get $k0) (f64x2.mul (local.get $k1) (f64x2.sub (local.get $e_x_b) (local.get $e_e_b)))) (f64x2.lt (local.get $e_x_b) (local.get $k19))) (local.get $e_t_b) (f64x2.eq (local.get $e_kf_b) (local.get $k0))))
      (local.set $e_t_c (v128.bitselect (v128.bitselect (f64x2.mul (local.get $k17) (f64x2.sub (local.get $e_e_c) (f64x2.add (local.get $e_x_c) (local.get $k3)))) (f64x2.add (local.get $k0) (f64x2.mul (local.get $k1) (f64x2.sub (local.get $e_x_c) (local.get $e_e_c)))) (f64x2.lt (local.get $e_x_c) (local.get $k19))) (local.get $e_t_c) (f64x2.eq (local.get $e_kf_c) (local.get $k0))))
      (local.set $e_t_d (v128.bitselect (v128.bitselect (f64x2.mul (local.get $k17) (f64x2.sub (local.get $e_e_d) (f64x2.add (local.get $e_x_d) (local.get $k3)))) (f64x2.add (local.get $k0) (f64x2.mul (local.get $k1) (f64x2.sub (local.get $e_x_d) (local.get $e_e_d)))) (f64x2.lt (local.get $e_x_d) (local.get $k19))) (local.get $e_t_d) (f64x2.eq (local.get $e_kf_d) (local.get $k0))))
      (local.set $e_t_a (v128.bitselect (f64x2.sub (f64x2.mul (local.get $k3) (f64x2.sub (local.get $e_x_a) (local.get $e_e_a))) (local.get $k3)) (local.get $e_t_a) (f64x2.eq (local.get $e_kf_a) (local.get $k20))))
      (local.set $e_t_b (v128.bitselect (f64x2.sub (f64x2.mul (local.get $k3) (f64x2.sub (local.get $e_x_b) (local.get $e_e_b))) (local.get $k3)) (local.get $e_t_b) (f64x2.eq (local.get $e_kf_b) (local.get $k20))))
      (local.set $e_t_c (v128.bitselect (f64x2.sub (f64x2.mul (local.get $k3) (f64x2.sub (local.get $e_x_c) (local.get $e_e_c))) (local.get $k3)) (local.get $e_t_c) (f64x2.eq (local.get $e_kf_c) (local.get $k20))))
      (local.set $e_t_d (v128.bitselect (f64x2.sub (f64x2.mul (local.get $k3) (f64x2.sub (local.get $e_x_d) (local.get $e_e_d))) (local.get $k3)) (local.get $e_t_d) (f64x2.eq (local.get $e_kf_d) (local.get $k20))))
      (local.set $em_a (v128.bitselect (local.get $e_res_a) (local.get $e_t_a) (f64x2.eq (local.get $e_kf_a) (local.get $k21))))
      (local.set $em_b (v128.bitselect (local.get $e_res_b) (local.get $e_t_b) (f64x2.eq (local.get $e_kf_b) (local.get $k21))))
      (local.set $em_c (v128.bitselect (local.get $e_res_c) (local.get $e_t_c) (f64x2.eq (local.get $e_kf_c) (local.get $k21))))
      (local.set $em_d (v128.bitselect (local.get $e_res_d) (local.get $e_t_d) (f64x2.eq (local.get $e_kf_d) (local.get $k21))))
      (local.set $t_a (local.get $em_a))
      (local.set $t_b (local.get $em_b))
      (local.set $t_c (local.get $em_c))
      (local.set $t_d (local.get $em_d))
      (local.set $d_a (f64x2.div (v128.bitselect (local.get $k1) (f64x2.neg (local.get $t_a)) (local.get $ge1_a)) (f64x2.add (local.get $t_a) (local.get $k1))))
      (local.set $d_b (f64x2.div (v128.bitselect (local.get $k1) (f64x2.neg (local.get $t_b)) (local.get $ge1_b)) (f64x2.add (local.get $t_b) (local.get $k1))))
      (local.set $d_c (f64x2.div (v128.bitselect (local.get $k1) (f64x2.neg (local.get $t_c)) (local.get $ge1_c)) (f64x2.add (local.get $t_c) (local.get $k1))))
      (local.set $d_d (f64x2.div (v128.bitselect (local.get $k1) (f64x2.neg (local.get $t_d)) (local.get $ge1_d)) (f64x2.add (local.get $t_d) (local.get $k1))))
      (local.set $z_a (v128.bitselect (f64x2.sub (local.get $k0) (local.get $d_a)) (local.get $d_a) (local.get $ge1_a)))
      (local.set $z_b (v128.bitselect (f64x2.sub (local.get $k0) (local.get $d_b)) (local.get $d_b) (local.get $ge1_b)))
      (local.set $z_c (v128.bitselect (f64x2.sub (local.get $k0) (local.get $d_c)) (local.get $d_c) (local.get $ge1_c)))
      (local.set $z_d (v128.bitselect (f64x2.sub (local.get $k0) (local.get $d_d)) (local.get $d_d) (local.get $ge1_d)))
      (local.set $z_a (v128.bitselect (local.get $k0) (local.get $z_a) (f64x2.ge (local.get $ax_a) (local.get $k22))))
      (local.set $z_b (v128.bitselect (local.get $k0) (local.get $z_b) (f64x2.ge (local.get $ax_b) (local.get $k22))))
      (local.set $z_c (v128.bitselect (local.get $k0) (local.get $z_c) (f64x2.ge (local.get $ax_c) (local.get $k22))))
      (local.set $z_d (v128.bitselect (local.get $k0) (local.get $z_d) (f64x2.ge (local.get $ax_d) (local.get $k22))))
      (local.set $z_a (v128.or (local.get $z_a) (v128.and (local.get $v_a) (local.get $k4))))
      (local.set $z_b (v128.or (local.get $z_b) (v128.and (local.get $v_b) (local.get $k4))))
      (local.set $z_c (v128.or (local.get $z_c) (v128.and (local.get $v_c) (local.get $k4))))
      (local.set $z_d (v128.or (local.get $z_d) (v128.and (local.get $v_d) (local.get $k4))))
      (v128.store (local.get $dst) (v128.bitselect (local.get $v_a) (local.get $z_a) (f64x2.lt (local.get $ax_a) (local.get $k23))))
      (v128.store offset=16 (local.get $dst) (v128.bitselect (local.get $v_b) (local.get $z_b) (f64x2.lt (local.get $ax_b) (local.get $k23))))
      (v128.store offset=32 (local.get $dst) (v128.bitselect (local.get $v_c) (local.get $z_c) (f64x2.lt (local.get $ax_c) (local.get $k23))))
      (v128.store offset=48 (local.get $dst) (v128.bitselect (local.get $v_d) (local.get $z_d) (f64x2.lt (local.get $ax_d) (local.get $k23))))
      (local.set $src (i32.add (local.get $src) (i32.const 64)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br $quads)))
  ;; the remaining pairs, then the last odd value
  (block $tailDone
    (loop $tail
      (br_if $tailDone (i32.ge_s (i32.add (local.get $i) (i32.const 1)) (local.get $n)))
      (v128.store (local.get $dst) (call $tanh_x2 (v128.load (local.get $src))))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $tail)))
  (if (i32.lt_s (local.get $i) (local.get $n))
    (then (f64.store (local.get $dst) (call $tanh (f64.load (local.get $src)))))))
