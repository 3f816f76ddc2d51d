//! {{name}}: a map SmartModule. It reads each value as an integer and writes it multiplied
//! by {{^params}}2{{/params}}{{#params}}the `factor` param (default 2){{/params}}; a value that is not an integer stops the batch with an error.

use fluvio_smartmodule::{smartmodule, RecordData, Result, SmartModuleRecord};
{{#params}}use fluvio_smartmodule::dataplane::smartmodule::SmartModuleExtraParams;
use fluvio_smartmodule::eyre;
use std::sync::OnceLock;
{{/params}}{{#params}}
static FACTOR: OnceLock<i64> = OnceLock::new();

#[smartmodule(init)]
fn init(params: SmartModuleExtraParams) -> Result<()> {
    let factor = match params.get("factor") {
        Some(text) => text.trim().parse::<i64>()?,
        None => 2,
    };
    FACTOR.set(factor).map_err(|_| eyre!("init called twice"))
}
{{/params}}
#[smartmodule(map)]
pub fn map(record: &SmartModuleRecord) -> Result<(Option<RecordData>, RecordData)> {
    let key = record.key.clone();

    let string = std::str::from_utf8(record.value.as_ref())?;
    let int = string.trim().parse::<i64>()?;
{{^params}}    let value = (int * 2).to_string();
{{/params}}{{#params}}    let factor = FACTOR.get().copied().unwrap_or(2);
    let value = int.checked_mul(factor).ok_or_else(|| eyre!("{} * {} overflows", int, factor))?;
    let value = value.to_string();
{{/params}}
    Ok((key, value.into()))
}
