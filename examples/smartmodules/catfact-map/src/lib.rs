//! catfact-map: turns a cat-facts API response, `{"fact": "...", "length": 116}`, into just
//! the fact as a JSON string, as in Fluvio's smart-connector guide (no serde: a small JSON
//! reader in json.rs).

#[macro_use]
mod smartmodule;
mod json;

use smartmodule::{RecordData, Result, SmartModuleRecord};

smartmodule!(map);

pub fn map(record: &SmartModuleRecord) -> Result<(Option<RecordData>, RecordData)> {
    let value = record.value.as_ref();
    let output = match json::field_text(value, "fact") {
        // a string without escapes: its JSON text is already what serde_json would write
        json::Field::Text(text) if text[0] == b'"' => text.to_vec(),
        json::Field::Missing => b"null".to_vec(),
        _ => json::parse(value)?.get("fact").to_json().into_bytes(),
    };
    Ok((record.key.clone(), output.into()))
}
