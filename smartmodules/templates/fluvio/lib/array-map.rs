//! {{name}}: an array-map SmartModule. It splits each value on {{^params}}","{{/params}}{{#params}}the `separator` param (default ","){{/params}} and writes
//! one record per non-empty, trimmed part.

use fluvio_smartmodule::{smartmodule, RecordData, Result, SmartModuleRecord};
{{#params}}use fluvio_smartmodule::dataplane::smartmodule::SmartModuleExtraParams;
use fluvio_smartmodule::eyre;
use std::sync::OnceLock;
{{/params}}{{#params}}
static SEPARATOR: OnceLock<String> = OnceLock::new();

#[smartmodule(init)]
fn init(params: SmartModuleExtraParams) -> Result<()> {
    let separator = params.get("separator").cloned().unwrap_or_else(|| ",".to_string());
    if separator.is_empty() {
        return Err(eyre!("the separator param must not be empty"));
    }
    SEPARATOR.set(separator).map_err(|_| eyre!("init called twice"))
}
{{/params}}
#[smartmodule(array_map)]
pub fn array_map(record: &SmartModuleRecord) -> Result<Vec<(Option<RecordData>, RecordData)>> {
    let string = std::str::from_utf8(record.value.as_ref())?;
{{^params}}    let separator = ",";
{{/params}}{{#params}}    let separator = SEPARATOR.get().map(String::as_str).unwrap_or(",");
{{/params}}
    let parts = string
        .split(separator)
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| (None, RecordData::from(part.to_string())))
        .collect();
    Ok(parts)
}
