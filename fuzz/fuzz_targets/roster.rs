//! Class lists: any bytes, never a panic; a refused file names a line that exists.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match handin::submissions::parse_roster(text) {
        Ok(roster) => {
            let index = roster.index();
            for student in &roster.students {
                assert!(!student.name.trim().is_empty());
                let _ = index.find(&student.name);
                let _ = index.find(&student.email);
            }
        }
        Err(error) => {
            // Lines as a text editor numbers them: \r\n, \n and a lone \r each end one.
            let lines = text.replace("\r\n", "\n").replace('\r', "\n").lines().count().max(1);
            assert!(error.line >= 1 && error.line <= lines + 1, "{error} of {lines} lines");
        }
    }
});
