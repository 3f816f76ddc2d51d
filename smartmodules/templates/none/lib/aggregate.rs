//! {{name}}: an aggregate SmartModule. It keeps a running sum of the integer values
//! {{#params}}(each multiplied by the `weight` param, default 1) {{/params}}and writes the sum after each record.
//! The accumulator starts empty (or at the configured initial value).

#[macro_use]
mod smartmodule; // the Fluvio ABI glue, no dependencies

use smartmodule::{RecordData, Result, SmartModuleRecord{{#params}}, OnceCell, SmartModuleExtraParams{{/params}}};
{{#params}}
static WEIGHT: OnceCell<i64> = OnceCell::new();

smartmodule!(init);

fn init(params: SmartModuleExtraParams) -> Result<()> {
    let weight = match params.get("weight") {
        Some(text) => text.trim().parse::<i64>()?,
        None => 1,
    };
    WEIGHT.set(weight).map_err(|_| eyre!("init called twice"))
}
{{/params}}
smartmodule!(aggregate);

pub fn aggregate(accumulator: RecordData, current: &SmartModuleRecord) -> Result<RecordData> {
    let accumulator_string = std::str::from_utf8(accumulator.as_ref())?;
    let current_string = std::str::from_utf8(current.value.as_ref())?;

    let accumulator_int = accumulator_string.trim().parse::<i64>().unwrap_or(0);
    let current_int = current_string.trim().parse::<i64>()?;
{{#params}}    let current_int = current_int * WEIGHT.get().copied().unwrap_or(1);
{{/params}}
    let sum = accumulator_int + current_int;
    Ok(sum.to_string().into())
}
