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

;; dst[i] = tanh(src[i]) for i < n (src and dst may be the same array)
(func $tanh_into (export "tanh_into") (param $src i32) (param $dst i32) (param $n i32)
  (local $end i32)
  (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 3))))
  (block $done
    (loop $each
      (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
      (f64.store (local.get $dst) (call $tanh (f64.load (local.get $src))))
      (local.set $src (i32.add (local.get $src) (i32.const 8)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
      (br $each))))
