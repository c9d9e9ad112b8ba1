//! Local trust services for the augmentation tests: an RFC 3161 TSA, an OCSP responder for the
//! harness seal CA and CRLs over HTTP, all on 127.0.0.1 (`tests/harness/services.sh` makes the
//! PKI, `tests/harness/services.py` serves it). The server process is killed on drop.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use tempfile::TempDir;

use crate::repo_root;

/// The PKI of the local services (made once per value, in a temporary directory).
pub struct ServicesPki {
    /// The directory holding the PKI (`tsa.pem`, `tsa-ca.pem`, `ocsp.pem`, `seal-soft.*` …).
    pub dir: PathBuf,
    /// The harness seal CA (PEM) the OCSP responder answers for.
    pub seal_ca_pem: PathBuf,
    _tempdir: TempDir,
}

impl ServicesPki {
    /// Makes the services PKI for the seal CA of the token in `token_dir` (made by mktoken.sh).
    pub fn create(token_dir: &Path) -> ServicesPki {
        let tempdir = tempfile::Builder::new()
            .prefix("sealdesk-services-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"));
        let script = repo_root().join("tests/harness/services.sh");
        let output = Command::new("bash")
            .arg(&script)
            .arg(token_dir)
            .arg(tempdir.path())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        if !output.status.success() {
            panic!(
                "{} failed ({}):\n{}{}",
                script.display(),
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        ServicesPki {
            dir: tempdir.path().to_path_buf(),
            seal_ca_pem: token_dir.join("ca.pem"),
            _tempdir: tempdir,
        }
    }

    /// Reads a file of the PKI (`"tsa-ca.der"`, `"seal-soft.key"` …).
    pub fn read(&self, name: &str) -> Vec<u8> {
        let path = self.dir.join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    /// Starts the HTTP server on a free loopback port.
    pub fn start(&self) -> TestServices {
        self.start_on(0)
    }

    /// Starts the HTTP server on `port` of 127.0.0.1 (0 = any free port).
    pub fn start_on(&self, port: u16) -> TestServices {
        let script = repo_root().join("tests/harness/services.py");
        let mut child = Command::new(python())
            .arg(&script)
            .arg(&self.dir)
            .arg(port.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", script.display()));
        let stdout = child
            .stdout
            .take()
            .unwrap_or_else(|| panic!("no stdout from {}", script.display()));
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap_or_else(|e| panic!("cannot read the port from {}: {e}", script.display()));
        let port: u16 = line
            .trim()
            .strip_prefix("port ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!("{} did not report its port: {line:?}", script.display())
            });
        TestServices { child, port }
    }
}

/// A running services server (killed on drop).
pub struct TestServices {
    child: Child,
    /// The loopback port it listens on.
    pub port: u16,
}

impl TestServices {
    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
    /// The RFC 3161 TSA.
    pub fn tsa_url(&self) -> String {
        self.url("/tsa")
    }
    /// The OCSP responder of the harness seal CA.
    pub fn ocsp_url(&self) -> String {
        self.url("/ocsp")
    }
    /// The CRL of the harness seal CA (DER).
    pub fn seal_crl_url(&self) -> String {
        self.url("/crl/seal-ca.crl")
    }
    /// The CRL of the test TSA CA (DER).
    pub fn tsa_crl_url(&self) -> String {
        self.url("/crl/tsa-ca.crl")
    }
}

impl Drop for TestServices {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port with nothing listening on it (bound, then released).
pub fn dead_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap_or_else(|e| panic!("cannot bind a loopback port: {e}"));
    listener
        .local_addr()
        .unwrap_or_else(|e| panic!("no local address: {e}"))
        .port()
}

fn python() -> &'static str {
    // services.py needs only the standard library; any python3 will do.
    "python3"
}
