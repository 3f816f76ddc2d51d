//! catfact-map: turns a cat-facts API response, `{"fact": "...", "length": 116}`, into just
//! the fact as a JSON string, as in Fluvio's smart-connector guide (no serde: a small JSON
//! reader in json.rs).

#[macro_use]
mod smartmodule;
mod json;

use smartmodule::{RecordData, Result, SmartModuleRecord};

smartmodule!(map);

pub fn map(record: &SmartModuleRecord) -> Result<(Option<RecordData>, RecordData)> {
    let input = json::parse(record.value.as_ref())?;
    let fact = input.get("fact");
    let output = fact.to_json();

    Ok((record.key.clone(), output.into()))
}
