#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| helm_core_fuzz::provenance(data));
