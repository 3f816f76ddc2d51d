;; look_back + filter: drops a record whose value equals the previous one; look_back seeds
;; "the previous one" from stored records. A stored value starting with `!` fails look_back
;; with rc -99 and the hint "bad stored record".
(module
  ;;@lib
  (data (i32.const 1024) "\00\11bad stored record")
  (global $last_len (mut i32) (i32.const -1))
  (func $remember
    (memory.copy (i32.const 4096) (global.get $r_vptr) (global.get $r_vlen))
    (global.set $last_len (global.get $r_vlen)))
  (func $same_as_last (result i32)
    (local $i i32)
    (if (i32.ne (global.get $last_len) (global.get $r_vlen)) (then (return (i32.const 0))))
    (block $done
      (loop $scan
        (br_if $done (i32.ge_u (local.get $i) (global.get $r_vlen)))
        (if (i32.ne (i32.load8_u (i32.add (i32.const 4096) (local.get $i)))
                    (i32.load8_u (i32.add (global.get $r_vptr) (local.get $i))))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    (i32.const 1))
  (func (export "look_back") (param $ptr i32) (param $len i32) (param $ver i32) (result i32)
    (local $i i32)
    (call $parse_input (local.get $ptr) (local.get $ver) (i32.const 0))
    (call $out_begin (i32.add (global.get $raw_len) (i32.const 64)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (global.get $count)))
        (call $next_record)
        (if (i32.and (i32.gt_u (global.get $r_vlen) (i32.const 0))
                     (i32.eq (i32.load8_u (global.get $r_vptr)) (i32.const 33)))
          (then
            ;; hint | offset | key | value
            (global.set $out (global.get $out_start))
            (call $out_bytes (i32.const 1024) (i32.const 19))
            (call $out_i64 (i64.add (global.get $base_off) (i64.extend_i32_s (global.get $r_od))))
            (call $out_byte (i32.const 0))
            (call $out_varint (global.get $r_vlen))
            (call $out_bytes (global.get $r_vptr) (global.get $r_vlen))
            (drop (call $finish))
            (return (i32.const -99))))
        (call $remember)
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (call $reset)
    (i32.const 0))
  (func (export "filter") (param $ptr i32) (param $len i32) (param $ver i32) (result i32)
    (local $i i32)
    (call $parse_input (local.get $ptr) (local.get $ver) (i32.const 0))
    (call $out_begin (i32.add (global.get $raw_len) (i32.const 64)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (global.get $count)))
        (call $next_record)
        (if (i32.eqz (call $same_as_last))
          (then (call $emit_current) (call $remember)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (call $end_records)
    (call $out_byte (i32.const 0))
    (call $finish)))
