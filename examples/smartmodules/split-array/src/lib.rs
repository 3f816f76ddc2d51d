//! split-array: reads each value as a JSON array and writes one record per element, each
//! element as compact JSON (`[1, "a", {"b": 2}]` -> `1`, `"a"`, `{"b":2}`), like Fluvio's
//! array-map example but with a small JSON reader (json.rs) instead of serde.

#[macro_use]
mod smartmodule; // the Fluvio ABI glue, no dependencies
mod json;

use smartmodule::{RecordData, Result, SmartModuleRecord};

smartmodule!(array_map);

pub fn array_map(record: &SmartModuleRecord) -> Result<Vec<(Option<RecordData>, RecordData)>> {
    let items = match json::parse(record.value.as_ref())? {
        json::Value::Array(items) => items,
        _ => return Err(eyre!("expected a JSON array")),
    };
    Ok(items
        .iter()
        .map(|item| (None, RecordData::from(item.to_json())))
        .collect())
}
