;; filter: keeps records whose value does not start with `#`
(module
  ;;@lib
  (func (export "filter") (param $ptr i32) (param $len i32) (param $ver i32) (result i32)
    (local $i i32)
    (call $parse_input (local.get $ptr) (local.get $ver) (i32.const 0))
    (call $out_begin (i32.add (global.get $raw_len) (i32.const 64)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (global.get $count)))
        (call $next_record)
        (if (i32.or (i32.eqz (global.get $r_vlen))
                    (i32.ne (i32.load8_u (global.get $r_vptr)) (i32.const 35)))
          (then (call $emit_current)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (call $end_records)
    (call $out_byte (i32.const 0))
    (call $finish)))
