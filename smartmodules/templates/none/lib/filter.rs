//! {{name}}: a filter SmartModule. It keeps the records whose value contains {{^params}}"a"{{/params}}{{#params}}the
//! text of the `key` param (`-e key=...` in `weir smartmodule test`, `with: {key: ...}` in a
//! connector's transforms){{/params}}; the others are dropped.

#[macro_use]
mod smartmodule; // the Fluvio ABI glue, no dependencies

use smartmodule::{Result, SmartModuleRecord{{#params}}, OnceCell, SmartModuleExtraParams, SmartModuleInitError{{/params}}};
{{#params}}
static KEY: OnceCell<String> = OnceCell::new();

smartmodule!(init);

fn init(params: SmartModuleExtraParams) -> Result<()> {
    match params.get("key") {
        Some(key) => KEY.set(key.clone()).map_err(|_| eyre!("init called twice")),
        None => Err(SmartModuleInitError::MissingParam("key".to_string()).into()),
    }
}
{{/params}}
smartmodule!(filter);

pub fn filter(record: &SmartModuleRecord) -> Result<bool> {
    let string = std::str::from_utf8(record.value.as_ref())?;
{{^params}}    Ok(string.contains('a'))
{{/params}}{{#params}}    let key = KEY.get().map(String::as_str).unwrap_or_default();
    Ok(string.contains(key))
{{/params}}}
