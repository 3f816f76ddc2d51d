;; a pass-through filter that writes a line to stdout through WASI on every call
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  ;;@lib
  (data (i32.const 2048) "hello from wasm\n")
  (func (export "filter") (param $ptr i32) (param $len i32) (param $ver i32) (result i32)
    ;; iovec at 3000: {ptr 2048, len 16}
    (i32.store (i32.const 3000) (i32.const 2048))
    (i32.store (i32.const 3004) (i32.const 16))
    (drop (call $fd_write (i32.const 1) (i32.const 3000) (i32.const 1) (i32.const 3008)))
    (call $parse_input (local.get $ptr) (local.get $ver) (i32.const 0))
    (call $out_begin (i32.add (global.get $raw_len) (i32.const 64)))
    (global.set $out (global.get $out_start))
    (call $out_bytes (global.get $raw_ptr) (global.get $raw_len))
    (call $out_byte (i32.const 0))
    (global.set $out_count (global.get $count))
    (call $finish)))
