//! {{name}}: a filter SmartModule. It keeps the records whose value contains {{^params}}"a"{{/params}}{{#params}}the
//! text of the `key` param (`-e key=...` in `weir smartmodule test`, `with: {key: ...}` in a
//! connector's transforms){{/params}}; the others are dropped.

use fluvio_smartmodule::{smartmodule, Result, SmartModuleRecord};
{{#params}}use fluvio_smartmodule::dataplane::smartmodule::{SmartModuleExtraParams, SmartModuleInitError};
use fluvio_smartmodule::eyre;
use std::sync::OnceLock;
{{/params}}{{#params}}
static KEY: OnceLock<String> = OnceLock::new();

#[smartmodule(init)]
fn init(params: SmartModuleExtraParams) -> Result<()> {
    match params.get("key") {
        Some(key) => KEY.set(key.clone()).map_err(|_| eyre!("init called twice")),
        None => Err(SmartModuleInitError::MissingParam("key".to_string()).into()),
    }
}
{{/params}}
#[smartmodule(filter)]
pub fn filter(record: &SmartModuleRecord) -> Result<bool> {
    let string = std::str::from_utf8(record.value.as_ref())?;
{{^params}}    Ok(string.contains('a'))
{{/params}}{{#params}}    let key = KEY.get().map(String::as_str).unwrap_or_default();
    Ok(string.contains(key))
{{/params}}}
