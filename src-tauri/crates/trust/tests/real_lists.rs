//! The real EU LOTL and the FI TLv6 sample (shared/reference/trusted-lists) parse, and their
//! signatures verify; a one-byte change breaks them. The verdicts are cross-checked with the
//! `xmlsec1` CLI when it is installed.

use std::path::PathBuf;
use std::process::Command;

use sealdesk_trust::{read_list, SignatureStatus};

fn reference(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../../shared/reference")
        .join(name)
}

/// xmlsec1's verdict (integrity only, `--insecure`); xmlsec1 is in the Makefile's APT_PACKAGES.
fn xmlsec1_ok(path: &std::path::Path) -> bool {
    let out = Command::new("xmlsec1")
        .args([
            "--verify",
            "--insecure",
            "--id-attr:Id",
            "TrustServiceStatusList",
            "--enabled-reference-uris",
            "empty,same-doc",
        ])
        .arg(path)
        .output()
        .expect("xmlsec1 is installed (make deps)");
    out.status.success()
}

#[test]
fn lotl_parses_and_its_signature_verifies() {
    let path = reference("trusted-lists/EU-lotl-seq341.xml");
    let bytes = std::fs::read(&path).expect("LOTL sample present");
    let l = read_list(&bytes, "EU-lotl-seq341.xml").expect("LOTL reads");
    assert!(l.list.is_lotl(), "TSLType is the LOTL: {}", l.list.tsl_type);
    assert_eq!(l.list.territory, "EU", "territory");
    assert_eq!(l.list.sequence, 341, "sequence");
    assert_eq!(l.list.version, 5, "TLv5");
    assert_eq!(l.list.issued.date().to_string(), "2024-05-31", "issue date");
    assert!(l.list.next_update.is_some(), "next update present");
    let xml_pointers: Vec<_> = l
        .list
        .pointers
        .iter()
        .filter(|p| p.mime_type.as_deref() == Some("application/vnd.etsi.tsl+xml"))
        .collect();
    assert!(
        xml_pointers.len() >= 27,
        "a pointer per member state, got {}",
        xml_pointers.len()
    );
    let fr = xml_pointers
        .iter()
        .find(|p| p.territory.as_deref() == Some("FR"))
        .expect("FR pointer");
    assert!(
        !fr.signer_certificates.is_empty(),
        "FR pointer announces signer certificates"
    );
    assert_eq!(
        l.signature.status,
        SignatureStatus::Valid,
        "LOTL signature verifies"
    );
    assert_eq!(
        l.signature.references.len(),
        2,
        "enveloped + SignedProperties references"
    );
    let subject = l.signature.signer_subject.clone().unwrap_or_default();
    assert!(
        subject.contains("EUROPEAN COMMISSION"),
        "signed by the Commission: {subject}"
    );
    assert!(xmlsec1_ok(&path), "xmlsec1 agrees");
}

#[test]
fn fi_tlv6_parses_with_its_ca_qc_services() {
    let path = reference("trusted-lists/FI-tl-v6-seq49.xml");
    let bytes = std::fs::read(&path).expect("FI sample present");
    let l = read_list(&bytes, "FI-tl-v6-seq49.xml").expect("FI reads");
    assert_eq!(l.list.version, 6, "TLv6");
    assert_eq!(l.list.territory, "FI", "territory");
    assert_eq!(l.list.sequence, 49, "sequence");
    let ca_qc = l
        .list
        .providers
        .iter()
        .flat_map(|p| p.services.iter())
        .filter(|s| s.current.type_identifier == sealdesk_trust::model::SVC_CA_QC)
        .count();
    assert_eq!(ca_qc, 19, "19 services are CA/QC now");
    let history = l
        .list
        .providers
        .iter()
        .flat_map(|p| p.services.iter())
        .flat_map(|s| s.history.iter())
        .filter(|h| h.type_identifier == sealdesk_trust::model::SVC_CA_QC)
        .count();
    assert_eq!(
        history, 14,
        "14 CA/QC history entries (33 CA/QC mentions in all)"
    );
    assert_eq!(
        l.signature.status,
        SignatureStatus::Valid,
        "DSS re-signature verifies"
    );
    let subject = l.signature.signer_subject.clone().unwrap_or_default();
    assert!(
        subject.contains("ZZ-TL-signer"),
        "DSS test signer: {subject}"
    );
    assert!(xmlsec1_ok(&path), "xmlsec1 agrees");
}

/// The FI sample was re-signed by DSS's test key, which the real LOTL does not announce for FI.
#[test]
fn fi_sample_signer_is_not_the_one_the_lotl_announces() {
    let lotl = read_list(
        &std::fs::read(reference("trusted-lists/EU-lotl-seq341.xml")).expect("LOTL"),
        "lotl",
    )
    .expect("LOTL reads");
    let fi = read_list(
        &std::fs::read(reference("trusted-lists/FI-tl-v6-seq49.xml")).expect("FI"),
        "fi",
    )
    .expect("FI reads");
    let lists = sealdesk_trust::TrustedLists::new(vec![lotl, fi]);
    assert_eq!(
        lists.standing(&lists.lists[0]),
        sealdesk_trust::Standing::Lotl,
        "the LOTL stands"
    );
    assert_eq!(
        lists.standing(&lists.lists[1]),
        sealdesk_trust::Standing::NotAnnounced,
        "DSS's re-signature is not announced"
    );
    assert!(lists.reliable().is_empty(), "no national list to rely on");
}

#[test]
fn a_changed_byte_breaks_the_signature() {
    let bytes = std::fs::read(reference("trusted-lists/FI-tl-v6-seq49.xml")).expect("FI sample");
    let text = String::from_utf8(bytes).expect("utf8");
    let changed = text.replacen("<TSLSequenceNumber>49<", "<TSLSequenceNumber>48<", 1);
    assert_ne!(changed, text, "the edit applied");
    let l = read_list(changed.as_bytes(), "changed.xml").expect("still reads");
    assert!(
        matches!(l.signature.status, SignatureStatus::Invalid(_)),
        "signature must break: {:?}",
        l.signature.status
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("changed.xml");
    std::fs::write(&p, &changed).expect("write");
    assert!(!xmlsec1_ok(&p), "xmlsec1 agrees it is broken");
}

/// The official legacy sample was re-indented after signing (its attributes are wrapped over
/// lines inside ds:Signature): neither digest matches any more, and xmlsec1 says the same.
#[test]
fn legacy_edc_xml_credential_is_checked_like_xmlsec1() {
    let path =
        reference("edci-platform/xml-elm-v1-xades/credential-generic-profile-xsd-signed.xml");
    let bytes = std::fs::read(&path).expect("legacy sample present");
    let doc = sealdesk_trust::xml::Document::parse(&bytes, "legacy.xml").expect("parses");
    let check = sealdesk_trust::dsig::verify_enveloped(&doc, "legacy.xml").expect("checks");
    assert!(
        matches!(&check.status, SignatureStatus::Invalid(r) if r.contains("reference \"\"")),
        "the whole-document reference fails: {:?}",
        check.status
    );
    let out = Command::new("xmlsec1")
        .args([
            "--verify",
            "--insecure",
            "--enabled-reference-uris",
            "empty,same-doc",
        ])
        .arg(&path)
        .output();
    if let Ok(out) = out {
        assert!(!out.status.success(), "xmlsec1 also refuses it");
    }
}

/// A list whose only reference covers a part of it (signature wrapping: providers added outside
/// the signed part) is not valid, although its digest and signature value verify (xmlsec1 says OK).
#[test]
fn a_signature_over_part_of_the_list_does_not_vouch_for_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = dir.path().join("k.pem");
    let cert = dir.path().join("c.pem");
    let out = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=wrap",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let template = r##"<?xml version="1.0" encoding="UTF-8"?>
<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><SchemeInformation Id="si"><TSLVersionIdentifier>5</TSLVersionIdentifier><TSLSequenceNumber>1</TSLSequenceNumber><TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric</TSLType><SchemeTerritory>ZZ</SchemeTerritory><ListIssueDateTime>2026-01-01T00:00:00Z</ListIssueDateTime></SchemeInformation><TrustServiceProviderList/><ds:Signature><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#si"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo></ds:Signature></TrustServiceStatusList>"##;
    let tpl = dir.path().join("tpl.xml");
    let signed = dir.path().join("signed.xml");
    std::fs::write(&tpl, template).expect("write");
    let mut key_arg = key.clone().into_os_string();
    key_arg.push(",");
    key_arg.push(&cert);
    let out = Command::new("xmlsec1")
        .args([
            "--sign",
            "--id-attr:Id",
            "SchemeInformation",
            "--privkey-pem",
        ])
        .arg(key_arg)
        .arg("--output")
        .arg(&signed)
        .arg(&tpl)
        .output()
        .expect("xmlsec1 runs");
    assert!(
        out.status.success(),
        "xmlsec1 sign: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&signed).expect("signed");
    let honest = read_list(text.as_bytes(), "partial.xml").expect("reads");
    assert!(
        !honest.signature.covers_document,
        "only SchemeInformation is covered"
    );
    assert!(
        honest.signature.references.iter().all(|r| r.digest_matches),
        "the partial reference itself verifies"
    );
    assert!(
        matches!(&honest.signature.status, SignatureStatus::Invalid(r) if r.contains("whole list")),
        "partial coverage is not valid: {:?}",
        honest.signature.status
    );
}
