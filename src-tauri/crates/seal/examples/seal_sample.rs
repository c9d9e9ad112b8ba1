//! Development helper: seal a file with a fresh software key, or print the verdict of a file.
//!
//! `cargo run -p sealdesk-seal --example seal_sample -- seal IN OUT [RS256|PS256|ES256]`
//! `cargo run -p sealdesk-seal --example seal_sample -- verify FILE [ANCHOR_DIR]`

use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use openssl::x509::{X509Name, X509};
use sealdesk_seal::{seal, verify, SignatureAlgorithm, SoftwareSigner, TrustAnchors};
use time::OffsetDateTime;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let now = OffsetDateTime::now_utc(); // a dev tool at the edge may read the clock
    match args.first().map(String::as_str) {
        Some("seal") if args.len() >= 3 => {
            let algorithm = match args.get(3).map(String::as_str) {
                Some("PS256") => SignatureAlgorithm::PS256,
                Some("ES256") => SignatureAlgorithm::ES256,
                _ => SignatureAlgorithm::RS256,
            };
            let key = if algorithm == SignatureAlgorithm::ES256 {
                let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
                PKey::from_ec_key(EcKey::generate(&group)?)?
            } else {
                PKey::from_rsa(Rsa::generate(2048)?)?
            };
            let mut name = X509Name::builder()?;
            name.append_entry_by_nid(Nid::COMMONNAME, "Sealdesk development seal")?;
            let name = name.build();
            let mut b = X509::builder()?;
            b.set_version(2)?;
            let serial = BigNum::from_u32(1)?.to_asn1_integer()?;
            b.set_serial_number(&serial)?;
            b.set_subject_name(&name)?;
            b.set_issuer_name(&name)?;
            b.set_pubkey(&key)?;
            let (from, until) = (Asn1Time::days_from_now(0)?, Asn1Time::days_from_now(30)?);
            b.set_not_before(&from)?;
            b.set_not_after(&until)?;
            b.sign(&key, MessageDigest::sha256())?;
            let signer = SoftwareSigner::new(key, b.build().to_der()?, vec![], algorithm)?;
            let sealed = seal(&std::fs::read(&args[1])?, &signer, now)?;
            std::fs::write(&args[2], sealed)?;
        }
        Some("verify") if args.len() >= 2 => {
            let anchors = match args.get(2) {
                Some(dir) => TrustAnchors::from_dir(std::path::Path::new(dir))?,
                None => TrustAnchors::empty(),
            };
            let verdict = verify(&std::fs::read(&args[1])?, &anchors, now)?;
            println!("{}", serde_json::to_string_pretty(&verdict)?);
            println!("intact: {}", verdict.intact());
        }
        _ => return Err("usage: seal IN OUT [ALG] | verify FILE [ANCHOR_DIR]".into()),
    }
    Ok(())
}
