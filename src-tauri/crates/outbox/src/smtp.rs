//! Sending one mail over SMTP (lettre, OpenSSL through native-tls) and saying what happened.
//!
//! The answer is a [`SendOutcome`], never an error, once the transport could be set up: the
//! server accepted (its reply to the end of DATA, the moment a mail is delivered as far as we
//! can know), deferred (4xx), rejected (5xx, with its reason), the host was unreachable before
//! anything was said (offline: no attempt counted), or the session broke off after it began
//! (interrupted: whether the server kept the mail is unknown). [`probe`] is the cheap check
//! (a TCP connect) run before a queue is worked through.

use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Message, SmtpTransport, Transport};
use secrecy::{ExposeSecret, SecretString};

use crate::OutboxError;

/// How the connection is protected (setting `smtp.tls`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain text (a relay on the same machine only).
    None,
    /// Plain connection upgraded with STARTTLS, which is required (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl TlsMode {
    /// `none`, `starttls`, `tls`.
    pub fn parse(text: &str) -> Result<Self, OutboxError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(Self::None),
            "starttls" => Ok(Self::StartTls),
            "tls" | "ssl" => Ok(Self::Tls),
            other => Err(OutboxError::Setting {
                key: "smtp.tls",
                problem: format!("{other:?} is not one of none, starttls, tls"),
            }),
        }
    }

    /// The setting's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::StartTls => "starttls",
            Self::Tls => "tls",
        }
    }

    /// The usual port.
    pub fn default_port(self) -> u16 {
        match self {
            Self::None => 25,
            Self::StartTls => 587,
            Self::Tls => 465,
        }
    }
}

/// Where and how to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// Host name (also the name its TLS certificate must carry).
    pub host: String,
    /// Port.
    pub port: u16,
    /// Protection.
    pub tls: TlsMode,
    /// Login name; `None` sends without AUTH.
    pub user: Option<String>,
    /// The sender, `Name <address>` or `address`.
    pub from: String,
    /// Extra trusted CA certificates (PEM) for the server, besides the system's.
    pub ca_pem: Option<Vec<u8>>,
    /// Per-command timeout.
    pub timeout: Duration,
}

/// What became of one mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// The server answered 2xx to the end of DATA: it has the mail.
    Accepted {
        /// Its reply (`250 …`).
        reply: String,
    },
    /// A 4xx answer: not taken now, try later.
    Deferred {
        /// Its reply.
        reply: String,
    },
    /// A 5xx answer (or a TLS/login failure): not taken, trying again will not help.
    Rejected {
        /// Its reply or the reason.
        reply: String,
    },
    /// The server could not be reached at all; nothing was said.
    Offline {
        /// Why.
        reason: String,
    },
    /// The session broke off before the server's answer to DATA: it may or may not have the mail.
    Interrupted {
        /// Why.
        reason: String,
    },
}

/// Can `host:port` be reached (a TCP connect within `timeout`)? `Err` says why not.
pub fn probe(host: &str, port: u16, timeout: Duration) -> Result<(), String> {
    let addrs = (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("{host}: {e}"))?;
    let mut last = format!("{host}: no address");
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(_) => return Ok(()),
            Err(e) => last = format!("{host}:{port}: {e}"),
        }
    }
    Err(last)
}

/// The transport for `config`, logging in with `password` when a user is set.
pub fn transport(
    config: &SmtpConfig,
    password: Option<&SecretString>,
) -> Result<SmtpTransport, OutboxError> {
    let tls_error = |source| OutboxError::Tls {
        host: config.host.clone(),
        source,
    };
    let params = || -> Result<TlsParameters, OutboxError> {
        let mut builder = TlsParameters::builder(config.host.clone());
        if let Some(pem) = &config.ca_pem {
            builder = builder.add_root_certificate(Certificate::from_pem(pem).map_err(tls_error)?);
        }
        builder.build_native().map_err(tls_error)
    };
    let tls = match config.tls {
        TlsMode::None => Tls::None,
        TlsMode::StartTls => Tls::Required(params()?),
        TlsMode::Tls => Tls::Wrapper(params()?),
    };
    let domain = config
        .from
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('>').trim().to_owned())
        .unwrap_or_else(|| "sealdesk.invalid".to_owned());
    let mut builder = SmtpTransport::builder_dangerous(config.host.clone())
        .port(config.port)
        .tls(tls)
        .hello_name(ClientId::Domain(domain))
        .timeout(Some(config.timeout));
    if let Some(user) = &config.user {
        let Some(password) = password else {
            return Err(OutboxError::Setting {
                key: "smtp.user",
                problem: "a user is set but no password was found: set SEALDESK_SMTP_PASSWORD or store it with `sealdesk-cli outbox password`".to_owned(),
            });
        };
        builder = builder.credentials(Credentials::new(
            user.clone(),
            password.expose_secret().to_owned(),
        ));
    }
    Ok(builder.build())
}

/// Sends `message` through `transport` and classifies the answer.
pub fn send(transport: &SmtpTransport, message: &Message) -> SendOutcome {
    let _span = tracing::info_span!("smtp_send").entered();
    match transport.send(message) {
        Ok(response) => SendOutcome::Accepted {
            reply: format!(
                "{} {}",
                response.code(),
                response.message().collect::<Vec<_>>().join(" ")
            ),
        },
        Err(e) if e.is_transient() => SendOutcome::Deferred {
            reply: e.to_string(),
        },
        Err(e) if e.is_permanent() => SendOutcome::Rejected {
            reply: e.to_string(),
        },
        Err(e) if e.is_tls() => SendOutcome::Rejected {
            reply: format!("TLS failed (check smtp.tls and the server's certificate): {e}"),
        },
        Err(e) if is_connect_failure(&e) => SendOutcome::Offline {
            reason: e.to_string(),
        },
        Err(e) => SendOutcome::Interrupted {
            reason: e.to_string(),
        },
    }
}

fn is_connect_failure(error: &lettre::transport::smtp::Error) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused
                    | std::io::ErrorKind::HostUnreachable
                    | std::io::ErrorKind::NetworkUnreachable
                    | std::io::ErrorKind::AddrNotAvailable
            );
        }
        source = s.source();
    }
    false
}
