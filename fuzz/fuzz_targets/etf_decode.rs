//! Fuzz target: `xenbeam::etf::decode` must return for any input; a decoded term must encode
//! and decode again to an equal term.
#![no_main]

use core::cmp::Ordering;
use libfuzzer_sys::fuzz_target;
use xenbeam::etf;

fuzz_target!(|data: &[u8]| {
    let _ = etf::decode_body(data);
    if let Ok(term) = etf::decode(data) {
        let bytes = etf::encode(&term);
        let again = etf::decode(&bytes).expect("encoded term decodes");
        assert_eq!(etf::compare(&term, &again), Ordering::Equal);
    }
});
