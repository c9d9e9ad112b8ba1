//! [`Fetch`]: how the TSA, OCSP and CRL clients talk HTTP, and [`Http`], the blocking `ureq`
//! implementation. Plain HTTP only (timestamps, OCSP responses and CRLs are signed objects and
//! are served over HTTP by convention); answers are size-limited.

use std::io::Read;
use std::time::Duration;

use crate::error::SealError;

/// Largest answer read from a trust service (a CRL can be big; 16 MiB is plenty).
pub const MAX_ANSWER: u64 = 16 * 1024 * 1024;

/// HTTP as the trust-service clients need it.
pub trait Fetch: Send + Sync {
    /// POSTs `body` with `content_type` and returns the answer body (2xx only).
    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<Vec<u8>, SealError>;
    /// GETs `url` and returns the answer body (2xx only).
    fn get(&self, url: &str) -> Result<Vec<u8>, SealError>;
}

/// Blocking HTTP client with a timeout per request.
pub struct Http {
    agent: ureq::Agent,
}

impl Http {
    /// A client whose requests give up after `timeout`.
    pub fn new(timeout: Duration) -> Self {
        Self {
            agent: ureq::AgentBuilder::new().timeout(timeout).build(),
        }
    }

    fn finish(
        url: &str,
        result: Result<ureq::Response, ureq::Error>,
    ) -> Result<Vec<u8>, SealError> {
        match result {
            Ok(response) => {
                let mut body = Vec::new();
                response
                    .into_reader()
                    .take(MAX_ANSWER)
                    .read_to_end(&mut body)
                    .map_err(|e| SealError::ServiceUnreachable {
                        url: url.to_owned(),
                        reason: e.to_string(),
                    })?;
                Ok(body)
            }
            Err(ureq::Error::Status(status, _)) => Err(SealError::ServiceStatus {
                url: url.to_owned(),
                status,
            }),
            Err(ureq::Error::Transport(t)) => Err(SealError::ServiceUnreachable {
                url: url.to_owned(),
                reason: t.to_string(),
            }),
        }
    }
}

impl Default for Http {
    fn default() -> Self {
        Self::new(Duration::from_secs(20))
    }
}

impl Fetch for Http {
    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<Vec<u8>, SealError> {
        let _span = tracing::debug_span!("http_post", url).entered();
        Self::finish(
            url,
            self.agent
                .post(url)
                .set("Content-Type", content_type)
                .send_bytes(body),
        )
    }

    fn get(&self, url: &str) -> Result<Vec<u8>, SealError> {
        let _span = tracing::debug_span!("http_get", url).entered();
        Self::finish(url, self.agent.get(url).call())
    }
}
