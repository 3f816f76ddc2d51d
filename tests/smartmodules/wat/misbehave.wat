;; one module per misbehaviour, chosen by the `mode` global the tests patch in:
;; MODE is replaced by tests/smartmodules/wat.py
(module
  ;;@lib
  (data (i32.const 1024) "\00\00\00\05")
  (data (i32.const 1040) "\00\00\00\00\07")
  (data (i32.const 1060) "\00\00\00\01\04\00\00\00")
  (func (export "filter") (param $ptr i32) (param $len i32) (param $ver i32) (result i32)
    (local $n i32)
    ;;@mode
    (i32.const 0)))
