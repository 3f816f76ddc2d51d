;; filter_map: keeps values that parse as unsigned integers; the first one that does not
;; stops the batch with Rust's error text, as `value.parse::<i32>()?` would
(module
  ;;@lib
  (data (i32.const 1024) "invalid digit found in string")
  (func $digits (param $p i32) (param $n i32) (result i32)
    (local $i i32) (local $b i32)
    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
    (block $done
      (loop $scan
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $b (i32.load8_u (i32.add (local.get $p) (local.get $i))))
        (if (i32.or (i32.lt_u (local.get $b) (i32.const 48)) (i32.gt_u (local.get $b) (i32.const 57)))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    (i32.const 1))
  (func (export "filter_map") (param $ptr i32) (param $len i32) (param $ver i32) (result i32)
    (local $i i32)
    (call $parse_input (local.get $ptr) (local.get $ver) (i32.const 0))
    (call $out_begin (i32.add (i32.mul (global.get $raw_len) (i32.const 2)) (i32.const 128)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (global.get $count)))
        (call $next_record)
        (if (i32.eqz (call $digits (global.get $r_vptr) (global.get $r_vlen)))
          (then
            (call $end_records)
            (call $emit_error (i32.const 1024) (i32.const 29) (i32.const 4))
            (return (call $finish))))
        (call $emit_current)
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (call $end_records)
    (call $out_byte (i32.const 0))
    (call $finish)))
