//! Prints the sample learning opportunity as ELM JSON-LD (for a manual SHACL check:
//! `cargo run -p sealdesk-agreements --example lo_jsonld > lo.json`).

fn main() {
    let lo =
        sealdesk_agreements::samples::learning_opportunity("00000000-0000-4000-8000-000000000001");
    let doc = sealdesk_agreements::jsonld::to_jsonld(&lo);
    println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
}
