;; map: ASCII upper-case of each value, deltas and key kept
(module
  ;;@lib
  (func (export "map") (param $ptr i32) (param $len i32) (param $ver i32) (result i32)
    (local $i i32) (local $v i32) (local $end i32) (local $b i32)
    (call $parse_input (local.get $ptr) (local.get $ver) (i32.const 0))
    (call $out_begin (i32.add (global.get $raw_len) (i32.const 64)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (global.get $count)))
        (call $next_record)
        (local.set $v (i32.add (global.get $out)
                               (i32.sub (global.get $r_vptr) (global.get $r_start))))
        (local.set $end (i32.add (local.get $v) (global.get $r_vlen)))
        (call $emit_current)
        (block $up_done
          (loop $up
            (br_if $up_done (i32.ge_u (local.get $v) (local.get $end)))
            (local.set $b (i32.load8_u (local.get $v)))
            (if (i32.and (i32.ge_u (local.get $b) (i32.const 97))
                         (i32.le_u (local.get $b) (i32.const 122)))
              (then (i32.store8 (local.get $v) (i32.sub (local.get $b) (i32.const 32)))))
            (local.set $v (i32.add (local.get $v) (i32.const 1)))
            (br $up)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (call $end_records)
    (call $out_byte (i32.const 0))
    (call $finish)))
