//! The emulator's decoding of `Dropbox-API-Arg` headers and RPC bodies into the routes'
//! argument types: any bytes, never a panic, always an answer.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    handin::emulator::fuzz_decode_arg(data);
});
