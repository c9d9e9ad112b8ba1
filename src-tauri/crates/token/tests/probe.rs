//! Module probing in a child process (this test binary is the probe host: `main` calls
//! `probe::run_if_requested` first, as sealdesk-cli and the app do).
//!
//! A real shared object whose `C_GetFunctionList` dereferences NULL is built with `cc` in a
//! temporary directory; probing it must report a crash while this process goes on.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use sealdesk_token::probe::{self, probe_module, PROBE_TIMEOUT};
use sealdesk_token::TokenError;

fn main() {
    probe::run_if_requested();
    assert!(
        probe::host_can_probe(),
        "run_if_requested marks the host as able to answer probes"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let host = std::env::current_exe().expect("current exe");

    crashing_module_is_reported_and_we_survive(dir.path(), &host);
    softhsm_is_probed_with_its_token(&host);
    a_file_that_is_not_a_library_is_a_probe_error(dir.path(), &host);
    discovery_probes_every_installed_module(&host);
    println!("probe tests: 4 passed");
}

fn crashing_module_is_reported_and_we_survive(dir: &Path, host: &Path) {
    let source = dir.join("crash.c");
    std::fs::write(
        &source,
        "/* a PKCS#11 module that crashes when loaded */\n\
         typedef unsigned long CK_RV;\n\
         CK_RV C_GetFunctionList(void **list) {\n\
             volatile int *nowhere = 0; *nowhere = 42; (void)list; return 0;\n\
         }\n",
    )
    .expect("write C source");
    let library = dir.join("libcrashing-pkcs11.so");
    let cc = Command::new("cc")
        .args(["-shared", "-fPIC", "-O0", "-o"])
        .arg(&library)
        .arg(&source)
        .output()
        .expect("cc runs (install build-essential)");
    assert!(
        cc.status.success(),
        "cc builds the fake module: {}",
        String::from_utf8_lossy(&cc.stderr)
    );
    let result = probe_module(&library, host, PROBE_TIMEOUT);
    match &result {
        Err(error @ TokenError::ModuleCrashed { path, how }) => {
            assert_eq!(path, &library, "names the module");
            assert!(how.contains("signal 11"), "SIGSEGV reported: {how}");
            let message = error.to_string();
            assert!(
                message.contains("crashed while listing tokens"),
                "the person is told: {message}"
            );
        }
        other => panic!("a crashing module is reported as crashed: {other:?}"),
    }
    println!("test crashing_module_is_reported_and_we_survive ... ok");
}

fn softhsm_is_probed_with_its_token(host: &Path) {
    let token = sealdesk_tests::TestToken::create_labelled("PROBED");
    // The child inherits this; this process never loads SoftHSM itself.
    std::env::set_var("SOFTHSM2_CONF", &token.softhsm_conf);
    let report = probe_module(&token.module, host, PROBE_TIMEOUT).expect("SoftHSM answers");
    assert_eq!(report.module, token.module, "module echoed");
    assert!(
        report.manufacturer.contains("SoftHSM"),
        "library manufacturer: {report:?}"
    );
    assert!(
        report.tokens.iter().any(|t| t.label == "PROBED"),
        "the harness token is listed: {:?}",
        report.tokens
    );
    println!("test softhsm_is_probed_with_its_token ... ok");
}

fn a_file_that_is_not_a_library_is_a_probe_error(dir: &Path, host: &Path) {
    let text = dir.join("not-a-module.so");
    std::fs::write(&text, "hello").expect("write");
    match probe_module(&text, host, Duration::from_secs(20)) {
        Err(TokenError::ModuleProbe { path, reason }) => {
            assert_eq!(path, text, "names the file");
            assert!(
                reason.contains("cannot load"),
                "the child's own message: {reason}"
            );
        }
        other => panic!("a text file is a probe error, not a crash: {other:?}"),
    }
    println!("test a_file_that_is_not_a_library_is_a_probe_error ... ok");
}

fn discovery_probes_every_installed_module(host: &Path) {
    let installed: Vec<PathBuf> = sealdesk_token::installed_modules()
        .into_iter()
        .map(|m| m.path)
        .collect();
    let (chosen, probed) = probe::discover_probed(host, PROBE_TIMEOUT);
    let seen: Vec<PathBuf> = probed.iter().map(|m| m.path.clone()).collect();
    assert_eq!(
        seen, installed,
        "every installed known module is probed, in order"
    );
    if let Some(chosen) = &chosen {
        let outcome = probed
            .iter()
            .find(|m| &m.path == chosen)
            .map(|m| m.outcome.is_ok());
        assert_eq!(outcome, Some(true), "the chosen module answered its probe");
    }
    println!("test discovery_probes_every_installed_module ... ok");
}
