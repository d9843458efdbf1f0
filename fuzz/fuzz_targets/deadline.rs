//! The deadline field's parser: any text, never a panic; an accepted deadline is a whole
//! minute within the years the form allows, and reads back to itself.
#![no_main]

use chrono::{TimeZone as _, Timelike as _, Utc};
use handin::time::Zone;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let now = Utc.with_ymd_and_hms(2026, 11, 27, 9, 30, 0).unwrap();
    let zone = Zone::utc();
    if let Ok(Some(at)) = handin::deadline::parse(text, now, zone) {
        assert_eq!(at.second(), 0, "{text:?} gave {at}");
        let shown = handin::deadline::field_text(at, zone);
        assert_eq!(
            handin::deadline::parse(&shown, now, zone).ok().flatten(),
            Some(at),
            "{text:?} -> {at} -> {shown:?}"
        );
        let _ = handin::deadline::describe(at, now, zone);
    }
});
