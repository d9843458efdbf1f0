//! The student's name in front of an uploaded file's name: any name, never a panic, and
//! a name found is non-empty, trimmed, and part of the file name.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|file_name: &str| {
    if let Some(parsed) = handin::submissions::student_from_file_name(file_name) {
        let name = &parsed.student;
        assert!(!name.trim().is_empty(), "{file_name:?}");
        assert_eq!(name.trim(), name, "{file_name:?}");
    }
    let _ = handin::submissions::fold(file_name);
    let _ = handin::download::safe_name(file_name);
});
