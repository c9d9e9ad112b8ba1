//! Probing PKCS#11 modules in a child process, so a crashing vendor module is reported and
//! Sealdesk survives.
//!
//! A vendor module runs inside the process that loads it: if it segfaults while listing, the
//! app dies with it. So before a module found by discovery is loaded in-process, the host
//! executable (the app or `sealdesk-cli`) re-runs itself with [`PROBE_ENV`] set to the module
//! path; [`run_if_requested`], called first thing in `main`, sees it, loads the module, prints a
//! [`ProbeReport`] as one JSON line and exits. The parent reads it, or turns a signal / a hang
//! into [`TokenError::ModuleCrashed`].
//!
//! Probing is opt-in per process: only an executable whose `main` called
//! [`run_if_requested`] can answer a probe (a test binary would otherwise re-run its tests), so
//! [`host_can_probe`] is false elsewhere and callers fall back to plain discovery.
//! This module never sees a PIN.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::TokenError;

/// The environment variable that turns the host executable into a one-shot module prober.
pub const PROBE_ENV: &str = "SEALDESK_PKCS11_PROBE";

/// How long a probe may take before the module is declared hung.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

static HOST_READY: AtomicBool = AtomicBool::new(false);

/// What a module said in the child process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProbeReport {
    /// The module probed.
    pub module: PathBuf,
    /// C_GetInfo: library manufacturer.
    pub manufacturer: String,
    /// C_GetInfo: library description.
    pub description: String,
    /// C_GetInfo: library version, `major.minor`.
    pub version: String,
    /// The tokens present (slots with a token).
    pub tokens: Vec<ProbedToken>,
}

/// One token as the probe saw it (no objects, no PIN).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProbedToken {
    /// The slot id.
    pub slot_id: u64,
    /// Token label.
    pub label: String,
    /// Token manufacturer.
    pub manufacturer: String,
    /// Token model.
    pub model: String,
    /// Token serial.
    pub serial: String,
}

/// The child's answer on stdout: a report or the error's message.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum ProbeAnswer {
    Report(ProbeReport),
    Error(String),
}

/// Call first thing in `main`: if this process was started as a probe ([`PROBE_ENV`] set),
/// probe the module, print the answer on stdout and exit; otherwise mark this executable as
/// able to answer probes and return.
pub fn run_if_requested() {
    let Some(module) = std::env::var_os(PROBE_ENV).filter(|v| !v.is_empty()) else {
        HOST_READY.store(true, Ordering::SeqCst);
        return;
    };
    let module = PathBuf::from(module);
    let answer = match probe_in_process(&module) {
        Ok(report) => ProbeAnswer::Report(report),
        Err(error) => ProbeAnswer::Error(error.to_string()),
    };
    let code = match &answer {
        ProbeAnswer::Report(_) => 0,
        ProbeAnswer::Error(_) => 3,
    };
    match serde_json::to_string(&answer) {
        Ok(line) => println!("{line}"),
        Err(_) => std::process::exit(4),
    }
    std::process::exit(code);
}

/// Whether this process's executable answers probes (its `main` called [`run_if_requested`]).
pub fn host_can_probe() -> bool {
    HOST_READY.load(Ordering::SeqCst)
}

/// Loads `module` here and lists its tokens (what the child does).
fn probe_in_process(module: &Path) -> Result<ProbeReport, TokenError> {
    let ctx = crate::module::context(module)?;
    let info = ctx
        .get_library_info()
        .map_err(|e| TokenError::pkcs11("C_GetInfo", e))?;
    let slots = ctx
        .get_slots_with_token()
        .map_err(|e| TokenError::pkcs11("C_GetSlotList", e))?;
    let mut tokens = Vec::new();
    for slot in slots {
        let token = crate::module::token_info(&ctx, slot)?;
        tokens.push(ProbedToken {
            slot_id: slot.id(),
            label: token.label().trim().to_owned(),
            manufacturer: token.manufacturer_id().trim().to_owned(),
            model: token.model().trim().to_owned(),
            serial: token.serial_number().trim().to_owned(),
        });
    }
    let version = info.library_version();
    Ok(ProbeReport {
        module: module.to_path_buf(),
        manufacturer: info.manufacturer_id().trim().to_owned(),
        description: info.library_description().trim().to_owned(),
        version: format!("{}.{}", version.major(), version.minor()),
        tokens,
    })
}

/// Probes `module` by running `host` (an executable whose `main` calls [`run_if_requested`])
/// with [`PROBE_ENV`] set, waiting at most `timeout`. A crash or hang is
/// [`TokenError::ModuleCrashed`]; a module that loads but fails is the child's message in
/// [`TokenError::ModuleProbe`].
pub fn probe_module(
    module: &Path,
    host: &Path,
    timeout: Duration,
) -> Result<ProbeReport, TokenError> {
    let _span = tracing::info_span!("pkcs11.probe", module = %module.display()).entered();
    let failed = |reason: String| TokenError::ModuleProbe {
        path: module.to_path_buf(),
        reason,
    };
    let mut child = Command::new(host)
        .env(PROBE_ENV, module)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| failed(format!("cannot start {}: {e}", host.display())))?;
    let mut stdout = child
        .stdout
        .take()
        .ok_or_else(|| failed("no output pipe".to_owned()))?;
    // Read on a thread so a chatty module cannot block the child on a full pipe.
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(TokenError::ModuleCrashed {
                    path: module.to_path_buf(),
                    how: format!("no answer within {} s", timeout.as_secs()),
                });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(failed(format!("cannot wait for the probe: {e}"))),
        }
    };
    let text = reader.join().unwrap_or_default();
    if let Some(how) = crash_description(&status) {
        tracing::warn!(module = %module.display(), how, "PKCS#11 module crashed in the probe");
        return Err(TokenError::ModuleCrashed {
            path: module.to_path_buf(),
            how,
        });
    }
    let line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    match serde_json::from_str::<ProbeAnswer>(line) {
        Ok(ProbeAnswer::Report(report)) => Ok(report),
        Ok(ProbeAnswer::Error(message)) => Err(failed(message)),
        Err(_) => Err(failed(format!(
            "the probe ended with {status} and no answer"
        ))),
    }
}

#[cfg(unix)]
fn crash_description(status: &std::process::ExitStatus) -> Option<String> {
    use std::os::unix::process::ExitStatusExt;
    status.signal().map(|signal| {
        let name = match signal {
            4 => " (SIGILL)",
            6 => " (SIGABRT)",
            7 => " (SIGBUS)",
            8 => " (SIGFPE)",
            9 => " (SIGKILL)",
            11 => " (SIGSEGV)",
            _ => "",
        };
        format!("killed by signal {signal}{name}")
    })
}

#[cfg(not(unix))]
fn crash_description(status: &std::process::ExitStatus) -> Option<String> {
    // Windows: an unhandled exception ends the process with an NTSTATUS code (0xC0000005 …).
    match status.code() {
        Some(code) if (code as u32) >= 0xC000_0000 => {
            Some(format!("ended with exception 0x{:08X}", code as u32))
        }
        _ => None,
    }
}

/// One candidate module and what probing it gave.
#[derive(Debug)]
pub struct ProbedModule {
    /// The vendor line of [`crate::KNOWN_MODULES`].
    pub vendor: &'static str,
    /// The library.
    pub path: PathBuf,
    /// The probe's answer.
    pub outcome: Result<ProbeReport, TokenError>,
}

/// Probes every installed known module ([`crate::installed_modules`]) with `host`, in table
/// order, and returns them all with the one to use: the first with a token, else the first that
/// loaded. Crashing modules are reported in the list and never chosen.
pub fn discover_probed(host: &Path, timeout: Duration) -> (Option<PathBuf>, Vec<ProbedModule>) {
    let probed: Vec<ProbedModule> = crate::installed_modules()
        .into_iter()
        .map(|m| ProbedModule {
            vendor: m.vendor,
            outcome: probe_module(&m.path, host, timeout),
            path: m.path,
        })
        .collect();
    let with_token = probed
        .iter()
        .find(|m| m.outcome.as_ref().is_ok_and(|r| !r.tokens.is_empty()));
    let loaded = probed.iter().find(|m| m.outcome.is_ok());
    let chosen = with_token.or(loaded).map(|m| m.path.clone());
    (chosen, probed)
}
