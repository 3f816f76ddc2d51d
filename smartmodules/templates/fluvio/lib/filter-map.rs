//! {{name}}: a filter-map SmartModule. It reads each value as an integer, drops the ones
//! not divisible by {{^params}}2{{/params}}{{#params}}the `divisor` param (default 2){{/params}} and writes the others divided by it.

use fluvio_smartmodule::{smartmodule, RecordData, Result, SmartModuleRecord};
{{#params}}use fluvio_smartmodule::dataplane::smartmodule::SmartModuleExtraParams;
use fluvio_smartmodule::eyre;
use std::sync::OnceLock;
{{/params}}{{#params}}
static DIVISOR: OnceLock<i64> = OnceLock::new();

#[smartmodule(init)]
fn init(params: SmartModuleExtraParams) -> Result<()> {
    let divisor = match params.get("divisor") {
        Some(text) => text.trim().parse::<i64>()?,
        None => 2,
    };
    if divisor == 0 {
        return Err(eyre!("the divisor param must not be 0"));
    }
    DIVISOR.set(divisor).map_err(|_| eyre!("init called twice"))
}
{{/params}}
#[smartmodule(filter_map)]
pub fn filter_map(record: &SmartModuleRecord) -> Result<Option<(Option<RecordData>, RecordData)>> {
    let key = record.key.clone();
    let string = std::str::from_utf8(record.value.as_ref())?;
    let int = string.trim().parse::<i64>()?;
{{^params}}    let divisor = 2;
{{/params}}{{#params}}    let divisor = DIVISOR.get().copied().unwrap_or(2);
{{/params}}
    if int % divisor == 0 {
        Ok(Some((key, RecordData::from((int / divisor).to_string()))))
    } else {
        Ok(None)
    }
}
