//! Depositing a sealed credential in a Europass wallet (`shared/notes/edc-formats.md` §6):
//! `POST {wallet}/api/v1/wallets/{address}/credentials` or
//! `POST {wallet}/api/v1/wallets/email/{email}/credentials`, multipart/form-data with the file
//! part `_credential`, query `sendEmail` and `locale`, bearer token. 200/201 deposited, 409 the
//! wallet already holds this credential (a success: it is there), 400 the wallet finds it
//! invalid, 404 no such wallet, 401/403 the token is refused; other answers and transport
//! failures are worth trying again later.

use std::io::Read;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

/// Largest answer body kept (for the reason shown to a person).
const MAX_REASON: u64 = 4096;

/// Whose wallet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalletTarget {
    /// A wallet address (its last path segment is used).
    Address(String),
    /// The wallet linked to an e-mail address (or a temporary one, if the wallet allows it).
    Email(String),
}

/// What the wallet said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DepositOutcome {
    /// 200/201: deposited.
    Deposited {
        /// The HTTP status.
        status: u16,
    },
    /// 409: a credential with this id is already in the wallet.
    AlreadyThere,
    /// 400: the wallet finds the credential invalid.
    Invalid {
        /// The wallet's words.
        reason: String,
    },
    /// 404: no wallet at this address.
    NoWallet {
        /// The wallet's words.
        reason: String,
    },
    /// 401/403: the token is refused.
    Unauthorised {
        /// The wallet's words.
        reason: String,
    },
    /// Another answer (5xx, 429 …): try later.
    Unavailable {
        /// Status and words.
        reason: String,
    },
    /// The wallet could not be reached.
    Offline {
        /// Why.
        reason: String,
    },
}

/// The deposit URL for `target` under the wallet base `url`.
pub fn deposit_url(url: &str, target: &WalletTarget) -> String {
    let base = url.trim_end_matches('/');
    match target {
        WalletTarget::Address(address) => {
            let last = address
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(address);
            format!("{base}/api/v1/wallets/{}/credentials", encode_segment(last))
        }
        WalletTarget::Email(email) => format!(
            "{base}/api/v1/wallets/email/{}/credentials",
            encode_segment(email)
        ),
    }
}

/// Percent-encodes a path segment (everything but unreserved characters and `@`).
fn encode_segment(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One deposit.
#[derive(Debug, Clone, Copy)]
pub struct Deposit<'a> {
    /// Whose wallet.
    pub target: &'a WalletTarget,
    /// The sealed credential, verbatim.
    pub credential: &'a [u8],
    /// The file name given to the part.
    pub file_name: &'a str,
    /// Whether the wallet mails the learner (`sendEmail`).
    pub send_email: bool,
    /// `locale` for that mail.
    pub locale: &'a str,
}

/// Posts the credential (sealed bytes, verbatim) as the multipart part `_credential`.
pub fn deposit(
    url: &str,
    token: Option<&SecretString>,
    deposit: &Deposit<'_>,
    timeout: Duration,
) -> DepositOutcome {
    let Deposit {
        target,
        credential,
        file_name,
        send_email,
        locale,
    } = *deposit;
    let _span = tracing::info_span!("wallet_deposit").entered();
    let boundary = boundary(credential);
    let mut body = Vec::with_capacity(credential.len() + 512);
    body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    body.extend_from_slice(
        format!(
            "Content-Disposition: form-data; name=\"_credential\"; filename=\"{}\"\r\n",
            file_name.replace(['"', '\r', '\n'], "_")
        )
        .as_bytes(),
    );
    body.extend_from_slice(b"Content-Type: application/octet-stream\r\n\r\n");
    body.extend_from_slice(credential);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());

    let agent = ureq::AgentBuilder::new().timeout(timeout).build();
    let mut request = agent
        .post(&deposit_url(url, target))
        .query("sendEmail", if send_email { "true" } else { "false" })
        .query("locale", locale)
        .set(
            "Content-Type",
            &format!("multipart/form-data; boundary={boundary}"),
        );
    if let Some(token) = token {
        request = request.set(
            "Authorization",
            &format!("Bearer {}", token.expose_secret()),
        );
    }
    match request.send_bytes(&body) {
        Ok(response) => DepositOutcome::Deposited {
            status: response.status(),
        },
        Err(ureq::Error::Status(status, response)) => {
            let mut text = String::new();
            let _ = response
                .into_reader()
                .take(MAX_REASON)
                .read_to_string(&mut text);
            let reason = if text.trim().is_empty() {
                format!("HTTP {status}")
            } else {
                format!("HTTP {status}: {}", text.trim())
            };
            match status {
                409 => DepositOutcome::AlreadyThere,
                400 => DepositOutcome::Invalid { reason },
                404 => DepositOutcome::NoWallet { reason },
                401 | 403 => DepositOutcome::Unauthorised { reason },
                _ => DepositOutcome::Unavailable { reason },
            }
        }
        Err(ureq::Error::Transport(t)) => DepositOutcome::Offline {
            reason: t.to_string(),
        },
    }
}

/// A boundary that does not occur in the content.
fn boundary(content: &[u8]) -> String {
    let digest = openssl::sha::sha256(content);
    let mut boundary: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    boundary.insert_str(0, "sealdesk-");
    while content
        .windows(boundary.len())
        .any(|w| w == boundary.as_bytes())
    {
        boundary.push('x');
    }
    boundary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_follow_the_documented_paths() {
        assert_eq!(
            deposit_url(
                "https://w.example/edci-wallet/",
                &WalletTarget::Email("a b@x.eu".into())
            ),
            "https://w.example/edci-wallet/api/v1/wallets/email/a%20b@x.eu/credentials",
            "email path"
        );
        assert_eq!(
            deposit_url(
                "https://w.example",
                &WalletTarget::Address("https://w.example/wallet/abc123".into())
            ),
            "https://w.example/api/v1/wallets/abc123/credentials",
            "address path uses the last segment"
        );
    }
}
