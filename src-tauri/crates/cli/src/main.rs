//! `sealdesk-cli`: the headless face of Sealdesk.
//!
//! Parses arguments, reads the PIN (env `SEALDESK_PIN` or a no-echo prompt), calls
//! `sealdesk-flows` and prints. With `--json` stdout carries exactly one JSON document;
//! messages go to stderr. Every failure is one line that says what to do, with a distinct exit
//! code (see [`exit`]); nothing panics on bad input.

/// mimalloc instead of the system allocator: verification parses each credential into a JSON
/// tree and PDF building makes many small blocks; measured with `make bench` (cli README).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod batch;
mod exit;
mod library;
mod mcra;
mod outbox;
mod output;
mod pdf;
mod register;
mod render;
mod trust;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use sealdesk_flows::{DeviceSelector, FlowError, TrustAnchors};
use secrecy::SecretString;
use time::OffsetDateTime;

/// Seal and verify European Digital Credentials with the institution's seal token.
#[derive(Parser)]
#[command(name = "sealdesk-cli", version, about)]
struct Cli {
    /// The catalogue folder (default: SEALDESK_DATA_DIR, else the app's data folder).
    #[arg(long, global = true, env = "SEALDESK_DATA_DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The seal device: PKCS#11 module, tokens, seal keys.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Build an unsealed credential from a template and one recipient.
    Build {
        /// Template: an ELM credential JSON (or the `{"credential": …}` upload wrapper).
        #[arg(long)]
        template: PathBuf,
        /// Recipient JSON: fullName, givenName, familyName, email, dateOfBirth.
        #[arg(long)]
        recipient: PathBuf,
        /// Where to write the credential.
        #[arg(long)]
        out: PathBuf,
    },
    /// Seal a credential on the token (JAdES, enveloping JWS JSON, unencoded payload).
    Seal {
        /// The credential to seal (JSON-LD).
        credential: PathBuf,
        /// Where to write the sealed credential.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        device: DeviceArgs,
        #[command(flatten)]
        consent: ConsentArgs,
        /// Print the verification of the sealed file as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Settings kept in the catalogue.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Verify sealed (or unsealed) credentials; exit 0 only if every seal is intact.
    Verify {
        /// Files to verify.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// A folder of trusted CA certificates (PEM or DER).
        #[arg(long)]
        trust_dir: Option<PathBuf>,
        /// One JSON document on stdout (an array of reports).
        #[arg(long)]
        json: bool,
    },
    /// ESCO skills, offline: search, suggest, import the official CSV.
    #[command(subcommand)]
    Skills(library::SkillsCommand),
    /// Credential templates in the catalogue: import, list, export.
    #[command(subcommand)]
    Template(library::TemplateCommand),
    /// EU trusted lists: check list files, providers of qualified seal certificates.
    #[command(subcommand)]
    Trust(trust::TrustCommand),
    /// Background jobs: bring seals to B-LTA (timestamps, revocation data) and renew them.
    #[command(subcommand)]
    Outbox(outbox::OutboxCommand),
    /// Render a credential as a PDF (full or --summary, --lang; SPECIMEN unless its seal
    /// verifies). Also `pdf CREDENTIAL.jsonld …` and `pdf render …`.
    Render(render::RenderArgs),
    /// PDFs: seal on the token (PAdES), augment to B-LTA.
    #[command(subcommand)]
    Pdf(pdf::PdfCommand),
    /// Batch issuing from a spreadsheet: own sheet, issue (one PIN, resumable), status.
    #[command(subcommand)]
    Batch(batch::BatchCommand),
    /// The issued register: list (search, filters) and export as CSV.
    #[command(subcommand)]
    Register(register::RegisterCommand),
    /// Learning opportunities: list, show, export as ELM JSON-LD, add from JSON.
    #[command(subcommand)]
    Lo(mcra::LoCommand),
    /// Credit recognition agreements: list, export and import exchange files.
    #[command(subcommand)]
    Mcra(mcra::McraCommand),
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Set a setting; known keys: `token.module` (the PKCS#11 module path, checked first; an
    /// empty value forgets it).
    Set {
        /// The setting.
        key: String,
        /// Its value.
        value: String,
    },
    /// Show a setting.
    Get {
        /// The setting.
        key: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// List tokens, their PIN state and seal keys (no PIN needed).
    List {
        #[command(flatten)]
        device: DeviceArgs,
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// "Test my seal": sign a test string on the token and verify it with openssl (nothing is
    /// sealed or registered; the audit log notes it).
    Test {
        #[command(flatten)]
        device: DeviceArgs,
        /// Go on although the token says one more wrong PIN locks it.
        #[arg(long)]
        confirm_final_try: bool,
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
}

/// What the person agrees to beyond the PIN (see `sealdesk_flows::SealConsent`).
#[derive(Args, Clone, Copy)]
pub(crate) struct ConsentArgs {
    /// Go on although the token says one more wrong PIN locks it.
    #[arg(long)]
    confirm_final_try: bool,
    /// Seal although the key's certificate is not an e-seal certificate (e.g. a personal
    /// signature certificate).
    #[arg(long)]
    accept_non_seal: bool,
}

impl ConsentArgs {
    pub(crate) fn consent(self) -> sealdesk_flows::SealConsent {
        sealdesk_flows::SealConsent {
            confirm_final_try: self.confirm_final_try,
            accept_non_seal: self.accept_non_seal,
        }
    }
}

#[derive(Args, Clone)]
struct DeviceArgs {
    /// PKCS#11 module (default: SEALDESK_PKCS11_MODULE, else discovery).
    #[arg(long, env = "SEALDESK_PKCS11_MODULE")]
    module: Option<PathBuf>,
    /// Token label (default: SEALDESK_TOKEN_LABEL, else the first token).
    #[arg(long = "token", env = "SEALDESK_TOKEN_LABEL")]
    token: Option<String>,
    /// CKA_ID of the seal key, hex (default: the best seal key on the token).
    #[arg(long)]
    key_id: Option<String>,
}

impl DeviceArgs {
    fn selector(&self) -> DeviceSelector {
        DeviceSelector {
            module: self.module.clone(),
            token_label: self.token.clone(),
            key_id: self.key_id.clone(),
        }
    }
}

fn main() -> ExitCode {
    // First: this executable may have been started to probe a PKCS#11 module in isolation.
    sealdesk_token::probe::run_if_requested();
    let cli = Cli::parse_from(render::pdf_shorthand(std::env::args_os()));
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SEALDESK_LOG")
                // cryptoki logs every vendor mechanism it has no name for at ERROR level:
                // noise for a person, so it is off unless asked for.
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,cryptoki=off")),
        )
        .init();
    match run(cli) {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("sealdesk-cli: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// The trust-service settings the outbox reads (`tsa.url`, `ocsp.url`, `crl.urls`).
fn outbox_setting(key: &str) -> bool {
    use sealdesk_flows::augment::{SETTING_CRL_URLS, SETTING_OCSP_URL, SETTING_TSA_URL};
    [SETTING_TSA_URL, SETTING_OCSP_URL, SETTING_CRL_URLS].contains(&key)
        || sealdesk_flows::deliver::is_setting(key)
}

/// A failure on its way out: the one line and the exit code.
struct Failure {
    message: String,
    code: u8,
}

impl From<FlowError> for Failure {
    fn from(error: FlowError) -> Self {
        Self {
            code: exit::for_flow_error(&error),
            message: error.to_string(),
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let now = OffsetDateTime::now_utc();
    match cli.command {
        Command::Token(TokenCommand::List { device, json }) => {
            // The remembered module counts when the catalogue can be opened; listing works
            // without one.
            let status = match sealdesk_flows::open_catalogue(cli.data_dir.as_deref()) {
                Ok(catalogue) => {
                    sealdesk_flows::device_status_in(&catalogue, &device.selector(), now)?
                }
                Err(_) => sealdesk_flows::device_status(&device.selector(), now)?,
            };
            if json {
                output::json(&status)?;
            } else {
                output::device(&status);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Token(TokenCommand::Test {
            device,
            confirm_final_try,
            json,
        }) => {
            let catalogue = sealdesk_flows::open_catalogue(cli.data_dir.as_deref())?;
            let pin = read_pin()?;
            let view = sealdesk_flows::test_seal(
                &catalogue,
                &device.selector(),
                pin,
                confirm_final_try,
                now,
            )?;
            if json {
                output::json(&view)?;
            } else {
                println!(
                    "{} key {} ({}, {}): {} in {:.1} ms",
                    view.signer,
                    view.key_id,
                    view.algorithm,
                    view.mechanism,
                    if view.verified {
                        "signature verified"
                    } else {
                        "SIGNATURE DID NOT VERIFY"
                    },
                    view.millis
                );
            }
            Ok(if view.verified {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(exit::NOT_INTACT)
            })
        }
        Command::Config(command) => {
            let catalogue = sealdesk_flows::open_catalogue(cli.data_dir.as_deref())?;
            match command {
                ConfigCommand::Set { key, value } if key == sealdesk_flows::MODULE_SETTING => {
                    let view =
                        sealdesk_flows::remember_module(&catalogue, Path::new(value.trim()), now)?;
                    match &view.message {
                        Some(message) => eprintln!("{key}: {message}"),
                        None => eprintln!(
                            "{key} = {} ({}, {} token(s))",
                            view.path, view.vendor, view.tokens
                        ),
                    }
                }
                ConfigCommand::Get { key } if key == sealdesk_flows::MODULE_SETTING => {
                    match sealdesk_flows::remembered_module(&catalogue)? {
                        Some(path) => println!("{}", path.display()),
                        None => eprintln!("{key} is not set: modules are discovered"),
                    }
                }
                ConfigCommand::Set { key, value } if outbox_setting(&key) => {
                    catalogue
                        .settings()
                        .set(&key, value.trim())
                        .map_err(FlowError::from)?;
                    eprintln!("{key} = {}", value.trim());
                }
                ConfigCommand::Get { key } if outbox_setting(&key) => {
                    match catalogue.settings().get(&key).map_err(FlowError::from)? {
                        Some(value) => println!("{value}"),
                        None => eprintln!("{key} is not set"),
                    }
                }
                ConfigCommand::Set { key, .. } | ConfigCommand::Get { key } => {
                    return Err(Failure {
                        message: format!(
                            "unknown setting {key:?}: known settings are {}",
                            sealdesk_flows::MODULE_SETTING
                        ),
                        code: exit::USAGE,
                    })
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Build {
            template,
            recipient,
            out,
        } => {
            let template_bytes = read(&template)?;
            let recipient_bytes = read(&recipient)?;
            let built = sealdesk_flows::build_credential(
                &template_bytes,
                &template.display().to_string(),
                &recipient_bytes,
                &recipient.display().to_string(),
                now,
            )?;
            write(&out, &built.bytes)?;
            eprintln!("built {} -> {}", built.credential_id, out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Seal {
            credential,
            out,
            device,
            consent,
            json,
        } => {
            let bytes = read(&credential)?;
            let catalogue = sealdesk_flows::open_catalogue(cli.data_dir.as_deref())?;
            let pin = read_pin()?;
            let sealed = sealdesk_flows::seal_credential(
                &catalogue,
                &device.selector(),
                pin,
                consent.consent(),
                &bytes,
                &credential.display().to_string(),
                now,
            )?;
            write(&out, &sealed.sealed)?;
            if json {
                output::json(&sealed.report)?;
            }
            eprintln!(
                "sealed {} -> {} ({})",
                sealed.credential_id,
                out.display(),
                if sealed.report.intact {
                    "seal verified"
                } else {
                    "SEAL DID NOT VERIFY"
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Skills(command) => library::skills(cli.data_dir.as_deref(), command),
        Command::Template(command) => library::template(cli.data_dir.as_deref(), command, now),
        Command::Trust(command) => trust::run(cli.data_dir.as_deref(), command, now),
        Command::Pdf(command) => pdf::run(cli.data_dir.as_deref(), command, now),
        Command::Batch(command) => batch::run(cli.data_dir.as_deref(), command, now),
        Command::Register(command) => register::run(cli.data_dir.as_deref(), command),
        Command::Outbox(command) => outbox::run(cli.data_dir.as_deref(), command, now),
        Command::Render(args) => render::run(cli.data_dir.as_deref(), args, now),
        Command::Lo(command) => mcra::run_lo(cli.data_dir.as_deref(), command, now),
        Command::Mcra(command) => mcra::run_mcra(cli.data_dir.as_deref(), command, now),
        Command::Verify {
            files,
            trust_dir,
            json,
        } => {
            let trust = match &trust_dir {
                Some(dir) => TrustAnchors::from_dir(dir).map_err(FlowError::from)?,
                None => TrustAnchors::empty(),
            };
            // Trusted lists cached in an explicitly named data folder decide qualification.
            let lists = match cli.data_dir.as_deref() {
                Some(dir) => Some(sealdesk_flows::cached_trusted_lists(
                    &sealdesk_flows::open_catalogue(Some(dir))?,
                )?),
                None => None,
            };
            let mut reports = Vec::with_capacity(files.len());
            for file in &files {
                let bytes = read(file)?;
                reports.push(sealdesk_flows::verify_with_lists(
                    &bytes,
                    &file.display().to_string(),
                    &trust,
                    lists.as_ref(),
                    now,
                )?);
            }
            if json {
                output::json(&reports)?;
            } else {
                for report in &reports {
                    output::report(report);
                }
            }
            let all_intact = reports.iter().all(|r| r.sealed && r.intact);
            Ok(if all_intact {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(exit::NOT_INTACT)
            })
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure {
        message: format!("cannot read {}: {e}", path.display()),
        code: exit::IO,
    })
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes).map_err(|e| Failure {
        message: format!("cannot write {}: {e}", path.display()),
        code: exit::IO,
    })
}

/// The PIN from `SEALDESK_PIN`, else a no-echo prompt on the terminal.
fn read_pin() -> Result<SecretString, Failure> {
    if let Ok(pin) = std::env::var("SEALDESK_PIN") {
        return Ok(SecretString::from(pin));
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure {
            message: "no PIN: set SEALDESK_PIN or run in a terminal to be asked for it".into(),
            code: exit::USAGE,
        });
    }
    rpassword::prompt_password("Token PIN: ")
        .map(SecretString::from)
        .map_err(|e| Failure {
            message: format!("cannot read the PIN from the terminal: {e}"),
            code: exit::IO,
        })
}
