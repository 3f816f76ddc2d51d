;; The host's record codec, compiled by wasmtime like any module so the per-record work of
;; encoding inputs and decoding outputs runs as machine code instead of a Python loop.
;; smartmodules/codec.py lays out the arrays in this module's memory and calls these
;; functions; anything malformed returns a negative number and the Python decoder then
;; produces the exact error message.
;;
;; Record (Fluvio): varint(len) | attributes i8 | timestamp_delta varint |
;;   offset_delta varint | key Option<varint len + bytes> | value varint len + bytes |
;;   header count varint. Varints are zigzag LEB128.
(module
  (memory (export "memory") 1)

  ;; ---- writing -------------------------------------------------------------------
  (func $zz (param $v i64) (result i64)
    (i64.xor (i64.shl (local.get $v) (i64.const 1)) (i64.shr_s (local.get $v) (i64.const 63))))
  (func $uleb_size (param $z i64) (result i32)
    (local $n i32)
    (local.set $n (i32.const 1))
    (block $done
      (loop $more
        (br_if $done (i64.lt_u (local.get $z) (i64.const 128)))
        (local.set $z (i64.shr_u (local.get $z) (i64.const 7)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $more)))
    (local.get $n))
  ;; write an unsigned LEB128 at $p, return the next position
  (func $uleb (param $p i32) (param $z i64) (result i32)
    (block $done
      (loop $more
        (br_if $done (i64.lt_u (local.get $z) (i64.const 128)))
        (i64.store8 (local.get $p) (i64.or (i64.and (local.get $z) (i64.const 127)) (i64.const 128)))
        (local.set $z (i64.shr_u (local.get $z) (i64.const 7)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $more)))
    (i64.store8 (local.get $p) (local.get $z))
    (i32.add (local.get $p) (i32.const 1)))

  ;; Vec<Record> of n records at $out; record i starts at $out + bounds[i]
  ;; (bounds[n] = total length). Returns the total length, or -1 when an item of the
  ;; values or keys is not bytes (None for keys).
  ;; $vals: the items of `marshal.dumps(values, 2)`: per value "s", i32 length, bytes.
  ;; $keys: 0 when every key is None, else the items of `marshal.dumps(keys, 2)`, where
  ;; None is "N".
  ;; $offs, $tss: i64 arrays; $offs 0 means dense offsets $off0 + i, $tss 0 means every
  ;; timestamp is $ts0.
  (func (export "encode")
    (param $n i32) (param $vals i32) (param $keys i32) (param $offs i32) (param $tss i32)
    (param $base_off i64) (param $base_ts i64) (param $off0 i64) (param $ts0 i64)
    (param $out i32) (param $bounds i32)
    (result i32)
    (local $i i32) (local $p i32) (local $vlen i32) (local $klen i32) (local $kdata i32)
    (local $ztd i64) (local $zod i64) (local $body i32)
    (i32.store8 (local.get $out) (i32.shr_u (local.get $n) (i32.const 24)))
    (i32.store8 offset=1 (local.get $out) (i32.shr_u (local.get $n) (i32.const 16)))
    (i32.store8 offset=2 (local.get $out) (i32.shr_u (local.get $n) (i32.const 8)))
    (i32.store8 offset=3 (local.get $out) (local.get $n))
    (local.set $p (i32.add (local.get $out) (i32.const 4)))
    (local.set $klen (i32.const -1))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store (i32.add (local.get $bounds) (i32.shl (local.get $i) (i32.const 2)))
                   (i32.sub (local.get $p) (local.get $out)))
        (if (i32.ne (i32.load8_u (local.get $vals)) (i32.const 115)) ;; "s"
          (then (return (i32.const -1))))
        (local.set $vlen (i32.load offset=1 (local.get $vals)))
        (if (local.get $keys)
          (then
            (if (i32.eq (i32.load8_u (local.get $keys)) (i32.const 78)) ;; "N"
              (then
                (local.set $klen (i32.const -1))
                (local.set $keys (i32.add (local.get $keys) (i32.const 1))))
              (else
                (if (i32.ne (i32.load8_u (local.get $keys)) (i32.const 115))
                  (then (return (i32.const -1))))
                (local.set $klen (i32.load offset=1 (local.get $keys)))
                (local.set $kdata (i32.add (local.get $keys) (i32.const 5)))
                (local.set $keys (i32.add (local.get $kdata) (local.get $klen)))))))
        (local.set $ztd (call $zz (i64.sub
          (if (result i64) (local.get $tss)
            (then (i64.load (i32.add (local.get $tss) (i32.shl (local.get $i) (i32.const 3)))))
            (else (local.get $ts0)))
          (local.get $base_ts))))
        (local.set $zod (call $zz (i64.sub
          (if (result i64) (local.get $offs)
            (then (i64.load (i32.add (local.get $offs) (i32.shl (local.get $i) (i32.const 3)))))
            (else (i64.add (local.get $off0) (i64.extend_i32_u (local.get $i)))))
          (local.get $base_off))))
        ;; body = attrs + td + od + key option + value + header count
        (local.set $body
          (i32.add
            (i32.add (i32.const 3) (i32.add (call $uleb_size (local.get $ztd)) (call $uleb_size (local.get $zod))))
            (i32.add
              (i32.add (call $uleb_size (i64.extend_i32_u (i32.shl (local.get $vlen) (i32.const 1))))
                       (local.get $vlen))
              (select
                (i32.const 0)
                (i32.add (call $uleb_size (i64.extend_i32_u (i32.shl (local.get $klen) (i32.const 1))))
                         (local.get $klen))
                (i32.lt_s (local.get $klen) (i32.const 0))))))
        (local.set $p (call $uleb (local.get $p) (i64.extend_i32_u (i32.shl (local.get $body) (i32.const 1)))))
        (i32.store8 (local.get $p) (i32.const 0))
        (local.set $p (call $uleb (i32.add (local.get $p) (i32.const 1)) (local.get $ztd)))
        (local.set $p (call $uleb (local.get $p) (local.get $zod)))
        (if (i32.lt_s (local.get $klen) (i32.const 0))
          (then
            (i32.store8 (local.get $p) (i32.const 0))
            (local.set $p (i32.add (local.get $p) (i32.const 1))))
          (else
            (i32.store8 (local.get $p) (i32.const 1))
            (local.set $p (call $uleb (i32.add (local.get $p) (i32.const 1))
                                      (i64.extend_i32_u (i32.shl (local.get $klen) (i32.const 1)))))
            (memory.copy (local.get $p) (local.get $kdata) (local.get $klen))
            (local.set $p (i32.add (local.get $p) (local.get $klen)))))
        (local.set $p (call $uleb (local.get $p) (i64.extend_i32_u (i32.shl (local.get $vlen) (i32.const 1)))))
        (memory.copy (local.get $p) (i32.add (local.get $vals) (i32.const 5)) (local.get $vlen))
        (local.set $p (i32.add (local.get $p) (local.get $vlen)))
        (local.set $vals (i32.add (local.get $vals) (i32.add (local.get $vlen) (i32.const 5))))
        (i32.store8 (local.get $p) (i32.const 0))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (i32.store (i32.add (local.get $bounds) (i32.shl (local.get $n) (i32.const 2)))
               (i32.sub (local.get $p) (local.get $out)))
    (i32.sub (local.get $p) (local.get $out)))

  ;; ---- reading -------------------------------------------------------------------
  (global $pos (mut i32) (i32.const 0))
  (global $end (mut i32) (i32.const 0))
  (global $bad (mut i32) (i32.const 0))
  ;; zigzag varint at $pos (up to 10 bytes); sets $bad past the end or when too long
  (func $varint (result i64)
    (local $z i64) (local $shift i64) (local $b i32)
    (loop $more
      (if (i32.ge_u (global.get $pos) (global.get $end))
        (then (global.set $bad (i32.const 1)) (return (i64.const 0))))
      (local.set $b (i32.load8_u (global.get $pos)))
      (global.set $pos (i32.add (global.get $pos) (i32.const 1)))
      (local.set $z (i64.or (local.get $z)
                            (i64.shl (i64.extend_i32_u (i32.and (local.get $b) (i32.const 127)))
                                     (local.get $shift))))
      (local.set $shift (i64.add (local.get $shift) (i64.const 7)))
      (if (i64.gt_u (local.get $shift) (i64.const 63))
        (then (if (i32.ge_u (local.get $b) (i32.const 128))
          (then (global.set $bad (i32.const 1)) (return (i64.const 0))))))
      (br_if $more (i32.ge_u (local.get $b) (i32.const 128))))
    (i64.xor (i64.shr_u (local.get $z) (i64.const 1))
             (i64.sub (i64.const 0) (i64.and (local.get $z) (i64.const 1)))))
  (func $u32be (param $p i32) (result i32)
    (i32.or (i32.or (i32.shl (i32.load8_u (local.get $p)) (i32.const 24))
                    (i32.shl (i32.load8_u offset=1 (local.get $p)) (i32.const 16)))
            (i32.or (i32.shl (i32.load8_u offset=2 (local.get $p)) (i32.const 8))
                    (i32.load8_u offset=3 (local.get $p)))))
  ;; length of a length-prefixed field at $pos that must end by $limit; -1 when it does not
  (func $span (param $limit i32) (result i32)
    (local $n i64)
    (local.set $n (call $varint))
    (if (i32.or (global.get $bad)
                (i32.or (i64.lt_s (local.get $n) (i64.const 0))
                        (i64.gt_s (local.get $n)
                                  (i64.extend_i32_u (i32.sub (local.get $limit) (global.get $pos))))))
      (then (global.set $bad (i32.const 1)) (return (i32.const -1))))
    (i32.wrap_i64 (local.get $n)))

  ;; Walk a Vec<Record> of $len bytes at $buf. With $fields, also decode each record into
  ;; struct-of-arrays at $fields: offsets i64[n], timestamps i64[n], then key start, key
  ;; end (-1 for None), value start, value end as i32[n] each (positions relative to $buf).
  ;; Returns the length the list occupies, or -1 when it is malformed.
  (func $walk (param $buf i32) (param $len i32) (param $base_off i64) (param $base_ts i64)
              (param $fields i32) (result i32)
    (local $n i32) (local $i i32) (local $rlen i32) (local $rend i32) (local $td i64) (local $od i64)
    (local $ks i32) (local $ke i32) (local $vs i32) (local $ve i32) (local $flag i32)
    (local $f_ts i32) (local $f_ks i32) (local $f_ke i32) (local $f_vs i32) (local $f_ve i32)
    (if (i32.lt_u (local.get $len) (i32.const 4)) (then (return (i32.const -1))))
    (local.set $n (call $u32be (local.get $buf)))
    (global.set $bad (i32.const 0))
    (global.set $pos (i32.add (local.get $buf) (i32.const 4)))
    (global.set $end (i32.add (local.get $buf) (local.get $len)))
    (local.set $f_ts (i32.add (local.get $fields) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $f_ks (i32.add (local.get $f_ts) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $f_ke (i32.add (local.get $f_ks) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $f_vs (i32.add (local.get $f_ke) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $f_ve (i32.add (local.get $f_vs) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $rlen (call $span (global.get $end)))
        (if (global.get $bad) (then (return (i32.const -1))))
        (local.set $rend (i32.add (global.get $pos) (local.get $rlen)))
        (if (local.get $fields)
          (then
            (global.set $end (local.get $rend))
            ;; attributes
            (if (i32.ge_u (global.get $pos) (global.get $end)) (then (return (i32.const -1))))
            (global.set $pos (i32.add (global.get $pos) (i32.const 1)))
            (local.set $td (call $varint))
            (local.set $od (call $varint))
            (if (i32.or (global.get $bad) (i32.ge_u (global.get $pos) (global.get $end)))
              (then (return (i32.const -1))))
            (local.set $flag (i32.load8_u (global.get $pos)))
            (global.set $pos (i32.add (global.get $pos) (i32.const 1)))
            (local.set $ks (i32.const -1))
            (local.set $ke (i32.const -1))
            (if (i32.eq (local.get $flag) (i32.const 1))
              (then
                (local.set $ke (call $span (global.get $end)))
                (if (global.get $bad) (then (return (i32.const -1))))
                (local.set $ks (i32.sub (global.get $pos) (local.get $buf)))
                (local.set $ke (i32.add (local.get $ks) (local.get $ke)))
                (global.set $pos (i32.add (local.get $buf) (local.get $ke))))
              (else (if (local.get $flag) (then (return (i32.const -1))))))
            (local.set $ve (call $span (global.get $end)))
            (if (global.get $bad) (then (return (i32.const -1))))
            (local.set $vs (i32.sub (global.get $pos) (local.get $buf)))
            (local.set $ve (i32.add (local.get $vs) (local.get $ve)))
            (i64.store (i32.add (local.get $fields) (i32.shl (local.get $i) (i32.const 3)))
                       (i64.add (local.get $base_off) (local.get $od)))
            (i64.store (i32.add (local.get $f_ts) (i32.shl (local.get $i) (i32.const 3)))
                       (i64.add (local.get $base_ts) (local.get $td)))
            (i32.store (i32.add (local.get $f_ks) (i32.shl (local.get $i) (i32.const 2))) (local.get $ks))
            (i32.store (i32.add (local.get $f_ke) (i32.shl (local.get $i) (i32.const 2))) (local.get $ke))
            (i32.store (i32.add (local.get $f_vs) (i32.shl (local.get $i) (i32.const 2))) (local.get $vs))
            (i32.store (i32.add (local.get $f_ve) (i32.shl (local.get $i) (i32.const 2))) (local.get $ve))
            (global.set $end (i32.add (local.get $buf) (local.get $len)))))
        (global.set $pos (local.get $rend))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (i32.sub (global.get $pos) (local.get $buf)))

  (func (export "scan") (param $buf i32) (param $len i32) (result i32)
    (call $walk (local.get $buf) (local.get $len) (i64.const 0) (i64.const 0) (i32.const 0)))
  (func (export "decode") (param $buf i32) (param $len i32) (param $base_off i64)
                          (param $base_ts i64) (param $fields i32) (result i32)
    (call $walk (local.get $buf) (local.get $len) (local.get $base_off) (local.get $base_ts)
                (local.get $fields)))

  ;; decimal digits of $v at $p; returns the next position
  (func $digits (param $p i32) (param $v i32) (result i32)
    (local $n i32) (local $t i32)
    (local.set $t (local.get $v))
    (local.set $n (i32.const 1))
    (block $counted
      (loop $count
        (br_if $counted (i32.lt_u (local.get $t) (i32.const 10)))
        (local.set $t (i32.div_u (local.get $t) (i32.const 10)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $count)))
    (local.set $t (i32.add (local.get $p) (local.get $n)))
    (loop $write
      (local.set $t (i32.sub (local.get $t) (i32.const 1)))
      (i32.store8 (local.get $t) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
      (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
      (br_if $write (i32.gt_u (local.get $t) (local.get $p))))
    (i32.add (local.get $p) (local.get $n)))

  ;; After `decode`: a struct format ("=" then "<gap>x<len>s" per record) that picks every
  ;; value out of the buffer in one struct.unpack_from call. Returns its length.
  (func (export "values_format") (param $fields i32) (param $n i32) (param $out i32) (result i32)
    (local $i i32) (local $p i32) (local $prev i32) (local $vs i32) (local $ve i32)
    (local $f_vs i32) (local $f_ve i32)
    (local.set $f_vs (i32.add (local.get $fields) (i32.mul (local.get $n) (i32.const 24))))
    (local.set $f_ve (i32.add (local.get $fields) (i32.mul (local.get $n) (i32.const 28))))
    (i32.store8 (local.get $out) (i32.const 61))
    (local.set $p (i32.add (local.get $out) (i32.const 1)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $vs (i32.load (i32.add (local.get $f_vs) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $ve (i32.load (i32.add (local.get $f_ve) (i32.shl (local.get $i) (i32.const 2)))))
        (if (i32.gt_u (local.get $vs) (local.get $prev))
          (then
            (local.set $p (call $digits (local.get $p) (i32.sub (local.get $vs) (local.get $prev))))
            (i32.store8 (local.get $p) (i32.const 120))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))))
        (local.set $p (call $digits (local.get $p) (i32.sub (local.get $ve) (local.get $vs))))
        (i32.store8 (local.get $p) (i32.const 115))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $prev (local.get $ve))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (i32.sub (local.get $p) (local.get $out)))

  ;; Which input records (by index) make up $out, in order, byte for byte? Writes their
  ;; indices at $idx and returns how many; -1 when $out is not such a subsequence.
  (func (export "match") (param $in i32) (param $bounds i32) (param $n i32)
                         (param $out i32) (param $out_len i32) (param $idx i32) (result i32)
    (local $i i32) (local $k i32) (local $pos i32) (local $end i32) (local $s i32) (local $l i32)
    (local $j i32) (local $same i32)
    (local.set $pos (i32.add (local.get $out) (i32.const 4)))
    (local.set $end (i32.add (local.get $out) (local.get $out_len)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (br_if $done (i32.ge_u (local.get $pos) (local.get $end)))
        (local.set $s (i32.add (local.get $in)
                               (i32.load (i32.add (local.get $bounds) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $l (i32.sub (i32.load (i32.add (local.get $bounds)
                                                  (i32.shl (i32.add (local.get $i) (i32.const 1)) (i32.const 2))))
                               (i32.load (i32.add (local.get $bounds) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $same (i32.le_u (local.get $l) (i32.sub (local.get $end) (local.get $pos))))
        (if (local.get $same)
          (then
            (local.set $j (i32.const 0))
            (block $cmp_done
              (loop $cmp8
                (br_if $cmp_done (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $l)))
                (if (i64.ne (i64.load (i32.add (local.get $s) (local.get $j)))
                            (i64.load (i32.add (local.get $pos) (local.get $j))))
                  (then (local.set $same (i32.const 0)) (br $cmp_done)))
                (local.set $j (i32.add (local.get $j) (i32.const 8)))
                (br $cmp8)))
            (block $tail_done
              (loop $cmp1
                (br_if $tail_done (i32.eqz (local.get $same)))
                (br_if $tail_done (i32.ge_u (local.get $j) (local.get $l)))
                (if (i32.ne (i32.load8_u (i32.add (local.get $s) (local.get $j)))
                            (i32.load8_u (i32.add (local.get $pos) (local.get $j))))
                  (then (local.set $same (i32.const 0)) (br $tail_done)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $cmp1)))))
        (if (local.get $same)
          (then
            (i32.store (i32.add (local.get $idx) (i32.shl (local.get $k) (i32.const 2))) (local.get $i))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (local.set $pos (i32.add (local.get $pos) (local.get $l)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (if (i32.and (i32.eq (local.get $pos) (local.get $end))
                 (i32.eq (local.get $k) (call $u32be (local.get $out))))
      (then (return (local.get $k))))
    (i32.const -1))

  ;; After `match`: the i64 column of the $k matched records at $out, from the encoded
  ;; batch's column at $src, or $first + index when $src is 0 (dense offsets). Returns $k.
  (func (export "gather") (param $idx i32) (param $k i32) (param $src i32) (param $first i64)
                          (param $out i32) (result i32)
    (local $i i32) (local $j i32)
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $k)))
        (local.set $j (i32.load (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2)))))
        (i64.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3)))
          (if (result i64) (local.get $src)
            (then (i64.load (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 3)))))
            (else (i64.add (local.get $first) (i64.extend_i32_u (local.get $j))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (local.get $k))

  ;; After `decode`: 1 when the offsets are dense (offset[0] + i), plus 2 when every
  ;; timestamp is the first one; the host then skips reading those columns.
  (func (export "uniform") (param $fields i32) (param $n i32) (result i32)
    (local $i i32) (local $flags i32) (local $ts i32) (local $off0 i64) (local $ts0 i64)
    (if (i32.eqz (local.get $n)) (then (return (i32.const 3))))
    (local.set $ts (i32.add (local.get $fields) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $off0 (i64.load (local.get $fields)))
    (local.set $ts0 (i64.load (local.get $ts)))
    (local.set $flags (i32.const 3))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i64.ne (i64.load (i32.add (local.get $fields) (i32.shl (local.get $i) (i32.const 3))))
                    (i64.add (local.get $off0) (i64.extend_i32_u (local.get $i))))
          (then (local.set $flags (i32.and (local.get $flags) (i32.const 2)))))
        (if (i64.ne (i64.load (i32.add (local.get $ts) (i32.shl (local.get $i) (i32.const 3))))
                    (local.get $ts0))
          (then (local.set $flags (i32.and (local.get $flags) (i32.const 1)))))
        (br_if $done (i32.eqz (local.get $flags)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (local.get $flags))
)
