;; a WASI reactor: `_initialize` must run before the filter, which fails without it
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  ;;@lib
  (global $ready (mut i32) (i32.const 0))
  (func (export "_initialize") (global.set $ready (i32.const 1)))
  (func (export "filter") (param $ptr i32) (param $len i32) (param $ver i32) (result i32)
    (if (i32.eqz (global.get $ready)) (then unreachable))
    (call $parse_input (local.get $ptr) (local.get $ver) (i32.const 0))
    (call $out_begin (i32.add (global.get $raw_len) (i32.const 64)))
    (global.set $out (global.get $out_start))
    (call $out_bytes (global.get $raw_ptr) (global.get $raw_len))
    (call $out_byte (i32.const 0))
    (global.set $out_count (global.get $count))
    (call $finish)))
