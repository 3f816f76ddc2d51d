;; init + filter: `init` requires the param `key`; the filter keeps values containing the
;; first byte of its value. Missing param: rc -2 with the hint "Missing param key".
(module
  ;;@lib
  (data (i32.const 1024) "\00\11Missing param key")
  (global $want (mut i32) (i32.const -1))
  (func (export "init") (param $ptr i32) (param $len i32) (param $ver i32) (result i32)
    (local $n i32) (local $p i32) (local $klen i32) (local $vlen i32)
    (local.set $n (call $rd_u16 (local.get $ptr)))
    (local.set $p (i32.add (local.get $ptr) (i32.const 2)))
    (block $done
      (loop $each
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $klen (call $rd_u16 (local.get $p)))
        (local.set $vlen (call $rd_u16 (i32.add (i32.add (local.get $p) (i32.const 2))
                                                (local.get $klen))))
        (if (i32.and (i32.eq (local.get $klen) (i32.const 3))
                     (i32.and (i32.eq (i32.load8_u offset=2 (local.get $p)) (i32.const 107))
                              (i32.and (i32.eq (i32.load8_u offset=3 (local.get $p)) (i32.const 101))
                                       (i32.eq (i32.load8_u offset=4 (local.get $p)) (i32.const 121)))))
          (then
            (if (local.get $vlen)
              (then (global.set $want (i32.load8_u offset=7 (local.get $p)))))
            (call $reset)
            (return (i32.const 0))))
        (local.set $p (i32.add (local.get $p) (i32.add (i32.add (local.get $klen) (local.get $vlen))
                                                      (i32.const 4))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $each)))
    (call $copy_records (i32.const 1024) (i32.const 19))
    (call $reset)
    (i32.const -2))
  (func (export "filter") (param $ptr i32) (param $len i32) (param $ver i32) (result i32)
    (local $i i32)
    (call $parse_input (local.get $ptr) (local.get $ver) (i32.const 0))
    (call $out_begin (i32.add (global.get $raw_len) (i32.const 64)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (global.get $count)))
        (call $next_record)
        (if (call $contains (global.get $r_vptr) (global.get $r_vlen) (global.get $want))
          (then (call $emit_current)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (call $end_records)
    (call $out_byte (i32.const 0))
    (call $finish)))
