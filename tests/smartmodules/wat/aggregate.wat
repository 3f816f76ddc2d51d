;; aggregate: the accumulator is the concatenation of every value seen
(module
  ;;@lib
  (func (export "aggregate") (param $ptr i32) (param $len i32) (param $ver i32) (result i32)
    (local $i i32) (local $acc i32) (local $alen i32)
    (call $parse_input (local.get $ptr) (local.get $ver) (i32.const 1))
    (local.set $acc (call $alloc (i32.add (global.get $acc_len) (global.get $raw_len))))
    (memory.copy (local.get $acc) (global.get $acc_ptr) (global.get $acc_len))
    (local.set $alen (global.get $acc_len))
    (call $out_begin
      (i32.add (i32.mul (i32.add (i32.add (global.get $acc_len) (global.get $raw_len)) (i32.const 16))
                        (i32.add (global.get $count) (i32.const 2)))
               (i32.const 64)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (global.get $count)))
        (call $next_record)
        (memory.copy (i32.add (local.get $acc) (local.get $alen)) (global.get $r_vptr)
                     (global.get $r_vlen))
        (local.set $alen (i32.add (local.get $alen) (global.get $r_vlen)))
        (call $emit_record (global.get $r_td) (global.get $r_od) (i32.const -1) (i32.const 0)
                           (local.get $acc) (local.get $alen))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (call $end_records)
    (call $out_byte (i32.const 0))
    (call $out_u32 (local.get $alen))
    (call $out_bytes (local.get $acc) (local.get $alen))
    (call $finish)))
