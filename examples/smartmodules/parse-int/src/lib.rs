//! parse-int: reads each value as an integer. Blank values are dropped, integers are written
//! back in canonical form ("+007" -> "7"), anything else stops the batch with the parse
//! error (e.g. "invalid digit found in string") naming the record's offset.

#[macro_use]
mod smartmodule; // the Fluvio ABI glue, no dependencies

use smartmodule::{RecordData, Result, SmartModuleRecord};

smartmodule!(filter_map);

pub fn filter_map(record: &SmartModuleRecord) -> Result<Option<(Option<RecordData>, RecordData)>> {
    let text = std::str::from_utf8(record.value.as_ref())?.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let int = text.parse::<i64>()?;
    Ok(Some((record.key.clone(), RecordData::from(int.to_string()))))
}
