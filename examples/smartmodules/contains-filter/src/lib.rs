//! contains-filter: keeps the records whose value contains the `contains` param, e.g.
//! `weir smartmodule test --wasm-file contains_filter.wasm -e contains=cat --file facts.txt`
//! or `with: {contains: cat}` in a connector's transforms. Without the param, init fails
//! with "Missing param contains".

#[macro_use]
mod smartmodule; // the Fluvio ABI glue, no dependencies

use smartmodule::{OnceCell, Result, SmartModuleExtraParams, SmartModuleInitError, SmartModuleRecord};

static NEEDLE: OnceCell<Vec<u8>> = OnceCell::new();

smartmodule!(init);

fn init(params: SmartModuleExtraParams) -> Result<()> {
    match params.get("contains") {
        Some(text) => NEEDLE
            .set(text.as_bytes().to_vec())
            .map_err(|_| eyre!("init called twice")),
        None => Err(SmartModuleInitError::MissingParam("contains".to_string()).into()),
    }
}

smartmodule!(filter);

pub fn filter(record: &SmartModuleRecord) -> Result<bool> {
    let needle = NEEDLE.get().map(Vec::as_slice).unwrap_or_default();
    let value = record.value.as_ref();
    let (first, rest) = match needle.split_first() {
        Some(split) => split,
        None => return Ok(true),
    };
    // Compare whole windows only where the first byte matches: one byte test per position.
    Ok(value
        .windows(needle.len())
        .any(|window| window[0] == *first && &window[1..] == rest))
}
