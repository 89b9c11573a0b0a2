//! The server's JSON request bodies (edit, form detection, parse runs): parse_json with the
//! handlers' checks (formsmith_server::fuzzing::request_json). Multipart uploads are only
//! reachable through axum's extractor with a live server state and are not fuzzed here.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    formsmith_server::fuzzing::request_json(data);
});
