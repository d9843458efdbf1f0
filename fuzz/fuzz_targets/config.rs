//! The config file as handin reads it (TOML into `Config`, then the checks serde cannot
//! make): any text, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(config) = toml::from_str::<handin::config::Config>(text) {
        let _ = config.validate();
        let _ = config.client_settings();
    }
});
