//! dedup-filter: drops a record whose value was already seen. With a lookback
//! (`lookback: {last: 100}` in a connector's transforms, `--lookback-last N --record R` in
//! `weir smartmodule test`), the values already stored in the topic count as seen, so a
//! restarted connector does not write them again. Shows `look_back` and state kept between
//! calls; the `max` param (default 10000) bounds how many values it remembers.

#[macro_use]
mod smartmodule; // the Fluvio ABI glue, no dependencies

use std::collections::{BTreeSet, VecDeque};
use std::sync::Mutex;

use smartmodule::{OnceCell, Result, SmartModuleExtraParams, SmartModuleRecord};

/// Values seen, oldest first, bounded by MAX.
struct Seen {
    set: BTreeSet<Vec<u8>>,
    order: VecDeque<Vec<u8>>,
}

static SEEN: Mutex<Option<Seen>> = Mutex::new(None);
static MAX: OnceCell<usize> = OnceCell::new();

/// Remembers `value`; false if it was already there.
fn remember(value: &[u8]) -> Result<bool> {
    let mut guard = SEEN.lock().map_err(|_| eyre!("state lock poisoned"))?;
    let seen = guard.get_or_insert_with(|| Seen { set: BTreeSet::new(), order: VecDeque::new() });
    if seen.set.contains(value) {
        return Ok(false);
    }
    seen.set.insert(value.to_vec());
    seen.order.push_back(value.to_vec());
    let max = MAX.get().copied().unwrap_or(10_000);
    while seen.order.len() > max {
        if let Some(oldest) = seen.order.pop_front() {
            seen.set.remove(&oldest);
        }
    }
    Ok(true)
}

smartmodule!(init);

fn init(params: SmartModuleExtraParams) -> Result<()> {
    let max = match params.get("max") {
        Some(text) => text.trim().parse::<usize>()?,
        None => 10_000,
    };
    if max == 0 {
        return Err(eyre!("the max param must be at least 1"));
    }
    MAX.set(max).map_err(|_| eyre!("init called twice"))
}

smartmodule!(look_back);

fn look_back(record: &SmartModuleRecord) -> Result<()> {
    remember(record.value.as_ref())?;
    Ok(())
}

smartmodule!(filter);

pub fn filter(record: &SmartModuleRecord) -> Result<bool> {
    remember(record.value.as_ref())
}
