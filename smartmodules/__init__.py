"""SmartModules: the wasmtime host for Fluvio's ABI, registry, templates, build, tests."""
