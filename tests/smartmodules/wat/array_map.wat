;; array_map: splits each value on `,` into new records (deltas 0, no key)
(module
  ;;@lib
  (func (export "array_map") (param $ptr i32) (param $len i32) (param $ver i32) (result i32)
    (local $i i32) (local $p i32) (local $end i32) (local $s i32)
    (call $parse_input (local.get $ptr) (local.get $ver) (i32.const 0))
    (call $out_begin (i32.add (i32.mul (global.get $raw_len) (i32.const 13)) (i32.const 64)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (global.get $count)))
        (call $next_record)
        (local.set $p (global.get $r_vptr))
        (local.set $s (local.get $p))
        (local.set $end (i32.add (local.get $p) (global.get $r_vlen)))
        (block $split_done
          (loop $split
            (if (i32.or (i32.eq (local.get $p) (local.get $end))
                        (i32.eq (i32.load8_u (local.get $p)) (i32.const 44)))
              (then
                (call $emit_record (i32.const 0) (i32.const 0) (i32.const -1) (i32.const 0)
                                   (local.get $s) (i32.sub (local.get $p) (local.get $s)))
                (local.set $s (i32.add (local.get $p) (i32.const 1)))))
            (br_if $split_done (i32.eq (local.get $p) (local.get $end)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $split)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (call $end_records)
    (call $out_byte (i32.const 0))
    (call $finish)))
