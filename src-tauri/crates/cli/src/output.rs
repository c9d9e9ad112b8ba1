//! Human and JSON output.

use sealdesk_flows::{CheckStatus, DeviceStatus, VerificationReport};

use crate::{exit, Failure};

/// Prints `value` as one JSON document on stdout.
pub fn json<T: serde::Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure {
        message: format!("cannot write JSON: {e}"),
        code: exit::OTHER,
    })?;
    println!("{text}");
    Ok(())
}

/// The seal device, for a person.
pub fn device(status: &DeviceStatus) {
    match &status.module_path {
        Some(module) => println!("module   {module}"),
        None => println!("module   (none found)"),
    }
    for candidate in &status.module_candidates {
        println!(
            "         candidate {} ({}): {:?}{}",
            candidate.path,
            candidate.vendor,
            candidate.state,
            candidate
                .message
                .as_deref()
                .map(|m| format!(" — {m}"))
                .unwrap_or_default()
        );
    }
    if let Some(message) = &status.message {
        println!("         {message}");
    }
    for token in &status.tokens {
        let test = if token.is_test { "  [TEST]" } else { "" };
        println!(
            "token    {}{test}  ({} {}, serial {})",
            token.label, token.manufacturer, token.model, token.serial
        );
        let pin = &token.pin;
        let mut state = Vec::new();
        if pin.locked {
            state.push("LOCKED");
        }
        if pin.final_try {
            state.push("one try left");
        }
        if pin.count_low {
            state.push("a wrong PIN was entered");
        }
        if pin.pin_pad {
            state.push("PIN pad");
        }
        if state.is_empty() {
            state.push("ok");
        }
        println!("  PIN    {}", state.join(", "));
        match &token.seal {
            Some(seal) => {
                println!(
                    "  seal   {} ({}), {}, key {} {}",
                    seal.holder,
                    seal.organization_identifier,
                    seal.country,
                    seal.key_id,
                    seal.algorithm
                );
                println!(
                    "         {}; issued by {}",
                    if seal.qualified {
                        "qualified e-seal certificate"
                    } else {
                        "NOT a qualified e-seal certificate"
                    },
                    seal.issuer
                );
                let validity = if seal.expired {
                    format!("EXPIRED ({})", seal.not_after)
                } else {
                    format!(
                        "valid until {} ({} days left)",
                        seal.not_after, seal.days_left
                    )
                };
                println!("         {validity}");
            }
            None => println!("  seal   no seal key on this token"),
        }
        for key in &token.keys {
            let soon = if key.expires_soon {
                ", EXPIRES SOON: renew"
            } else {
                ""
            };
            println!(
                "  key    {} {} — {}, {} days left{soon} [{}]",
                key.key_id,
                key.key,
                key.class_label,
                key.days_left,
                key.algorithms.join(" ")
            );
        }
    }
    if status.readers.available {
        for reader in &status.readers.readers {
            let card = if reader.card_present {
                "card present"
            } else {
                "empty"
            };
            println!("reader   {} ({card})", reader.name);
        }
    } else if let Some(message) = &status.readers.message {
        println!("readers  {message}");
    }
}

/// A verification report, for a person.
pub fn report(report: &VerificationReport) {
    println!("{}", report.source);
    if let Some(c) = &report.credential {
        println!("  credential  {} — {}", c.title, c.id);
        println!("  issuer      {}", c.issuer);
        println!("  learner     {}", c.learner);
    }
    for s in &report.signatures {
        println!(
            "  seal        {} {} by {} ({}) at {}",
            s.level,
            s.algorithm,
            s.signer,
            s.organization_identifier,
            s.signing_time.as_deref().unwrap_or("unknown time")
        );
    }
    for check in &report.checks {
        let status = match check.status {
            CheckStatus::Error => "error",
            CheckStatus::Ok => "ok",
            CheckStatus::Skipped => "skipped",
            CheckStatus::Warning => "warning",
        };
        println!("  {:<13} {:<8} {}", check.check, status, check.message);
    }
    for finding in &report.findings {
        println!("  format      {}  {}", finding.pointer, finding.message);
    }
}
