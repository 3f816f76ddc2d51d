//! concat-aggregate: appends each value to the accumulator and writes the accumulator after
//! each record: with the initial value "1" and values a, b, c it writes 1a, 1ab, 1abc.

#[macro_use]
mod smartmodule; // the Fluvio ABI glue, no dependencies

use smartmodule::{RecordData, Result, SmartModuleRecord};

smartmodule!(aggregate);

pub fn aggregate(accumulator: RecordData, current: &SmartModuleRecord) -> Result<RecordData> {
    let mut joined = accumulator.into_vec();
    joined.extend_from_slice(current.value.as_ref());
    Ok(joined.into())
}
