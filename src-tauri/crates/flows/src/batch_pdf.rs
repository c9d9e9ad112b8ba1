//! The PDF step of a batch (issue #7.3): after a row's JAdES seal is stored, its full credential
//! PDF is rendered in the credential's primary language (no SPECIMEN: it names the sealed
//! `.jsonld` file and that file's SHA-256) and PAdES-sealed with the batch's signer: the same
//! token session, the same PIN, the same token worker. The result is written atomically as
//! `<uuid>.pdf` beside `<uuid>.jsonld`.
//!
//! Rendering runs on this stage's own CPU threads (`batch-pdf-N`), never on the token worker;
//! only the PAdES signature goes to the token. The queue between the batch's catalogue thread
//! and these threads is bounded ([`crate::IN_FLIGHT`]), so a slow PDF stage holds the rows
//! back instead of piling them up.
//!
//! The journal of this step is the file itself: a PDF is either renamed into place whole or not
//! there (a killed run leaves at most a `.pdf.part`, removed on the next run). A resumed run
//! with PDFs on makes the PDF of every stored row that has none, from the register's sealed
//! bytes and sealing time. The PDF is a function of the sealed credential and its sealing time
//! (render time and PAdES `/M` are that time, no clock), so a PDF made again is the same
//! document (byte for byte with a deterministic signature scheme such as RS256); there is only
//! ever one PDF per row. Not here: the JAdES pipeline ([`crate::run_batch_with`]), B-T/B-LTA
//! augmentation of the PDFs (the batch seals offline, B-B, like its credentials).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::{self, SyncSender};
use std::sync::{Arc, Mutex};

use sealdesk_catalogue::{BatchItemState, Catalogue};
use sealdesk_elm::Credential;
use sealdesk_pades::PdfSealOptions;
use sealdesk_render::{render_credential, Layout, Marking, RenderOptions, SealInfo, SealedFile};
use sealdesk_seal::certificate::CertificateInfo;
use sealdesk_seal::Signer;
use time::OffsetDateTime;

use crate::batch::output_path;
use crate::FlowError;

/// How a batch run seals beyond what its journal says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Also write a PAdES-sealed credential PDF (`<uuid>.pdf`) beside each sealed credential,
    /// with the same signer (one PIN); a resumed run makes the PDFs that are missing.
    pub pdf: bool,
}

/// The sealed PDF of a credential id in `out_dir`: `<uuid>.pdf`, beside `<uuid>.jsonld`.
pub fn pdf_output_path(out_dir: &Path, credential_id: &str) -> PathBuf {
    output_path(out_dir, credential_id).with_extension("pdf")
}

/// Stored rows of batch `id` whose sealed PDF is not in the output folder (what a run with
/// [`RunOptions::pdf`] would still make).
pub fn batch_pdfs_missing(catalogue: &Catalogue, id: &str) -> Result<u32, FlowError> {
    let record = catalogue
        .batches()
        .get(id)?
        .ok_or_else(|| sealdesk_catalogue::CatalogueError::BatchNotFound { id: id.to_owned() })?;
    let out_dir = PathBuf::from(&record.batch.out_dir);
    Ok(catalogue
        .batches()
        .items(id)?
        .iter()
        .filter(|i| i.state == BatchItemState::Stored)
        .filter(|i| !pdf_output_path(&out_dir, &i.credential_id).exists())
        .count() as u32)
}

/// One PDF to make: a stored row's sealed credential and its sealing time.
pub(crate) struct PdfJob {
    pub(crate) credential_id: String,
    pub(crate) sealed: Vec<u8>,
    pub(crate) sealed_at: OffsetDateTime,
}

/// The seal holder as the PDF names it, read once from the signer's certificate.
#[derive(Clone)]
struct Holder {
    name: String,
    organization_identifier: Option<String>,
}

/// Renders the sealed credential `sealed` (a JAdES JSON serialization with its payload
/// unencoded, as the batch writes it) as the full credential PDF in its primary language,
/// naming the file `jsonld_name` and its SHA-256, with where its visible seal goes. CPU only:
/// no token, no clock.
fn render_sealed(
    sealed: &[u8],
    jsonld_name: &str,
    holder: &Holder,
    sealed_at: OffsetDateTime,
) -> Result<(Vec<u8>, PdfSealOptions), FlowError> {
    #[derive(serde::Deserialize)]
    struct Envelope {
        payload: String,
    }
    // Not an envelope: the credential reader names what is wrong with the file.
    let payload = serde_json::from_slice::<Envelope>(sealed)
        .map(|e| e.payload.into_bytes())
        .unwrap_or_else(|_| sealed.to_vec());
    let credential = Credential::from_json(&payload, jsonld_name)?;
    let digest = openssl::sha::sha256(sealed);
    let options = RenderOptions {
        layout: Layout::Full,
        language: None,
        marking: Marking::Sealed(SealInfo {
            holder: holder.name.clone(),
            organization_identifier: holder.organization_identifier.clone(),
            sealed_at,
            sealed_file: Some(SealedFile {
                name: jsonld_name.to_owned(),
                sha256_hex: digest.iter().map(|b| format!("{b:02x}")).collect(),
            }),
        }),
        accent: None,
    };
    let pdf = render_credential(&credential, &options, sealed_at)?;
    // The visible seal block goes in the room the layout kept below its seal block.
    let mut seal = PdfSealOptions::default();
    if let Some((page, rect)) = pdf.seal_field {
        seal.page = page;
        seal.rect = rect;
    }
    Ok((pdf.bytes, seal))
}

/// Makes one row's sealed PDF and writes it atomically; returns its path.
fn make_pdf(
    job: &PdfJob,
    signer: &dyn Signer,
    holder: &Holder,
    out_dir: &Path,
) -> Result<PathBuf, FlowError> {
    let jsonld = output_path(out_dir, &job.credential_id);
    let jsonld_name = jsonld
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (pdf, seal) = render_sealed(&job.sealed, &jsonld_name, holder, job.sealed_at)?;
    let path = pdf_output_path(out_dir, &job.credential_id);
    let sealed =
        sealdesk_pades::seal_pdf(&pdf, signer, &seal, job.sealed_at).map_err(|source| {
            FlowError::Pdf {
                file: path.display().to_string(),
                source,
            }
        })?;
    let io = |source| FlowError::Output {
        path: path.clone(),
        source,
    };
    let tmp = path.with_extension("pdf.part");
    std::fs::write(&tmp, &sealed).map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(io)?;
    Ok(path)
}

/// Removes the `.pdf.part` files a killed run left (their rows have no PDF yet).
fn remove_parts(out_dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(out_dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.to_string_lossy().ends_with(".pdf.part") {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

/// How many PDF threads a run with `asked` of them starts: at least four, because each PDF
/// spends most of its time waiting for its PAdES signature behind the JAdES signatures in the
/// token's queue, and the threads must keep a PDF signature waiting there. Measured on 2 cores
/// with SoftHSM2, 1,000 rows: token busy 85.6 % with two threads, 95.5 % with three, 98.8 %
/// with four, 99.9 % with six, at the same rows/s; at most eight (each PDF in flight holds about
/// 1 MB). Each PDF is its own file, renamed into place whole, so the order in which threads
/// finish does not matter to the journal.
pub(crate) fn pdf_threads(asked: usize) -> usize {
    asked.clamp(4, 8)
}

/// The running PDF stage of one batch run: its threads live in the run's thread scope.
pub(crate) struct PdfStage<'scope> {
    tx: Option<SyncSender<PdfJob>>,
    handles: Vec<std::thread::ScopedJoinHandle<'scope, ()>>,
    error: Arc<Mutex<Option<FlowError>>>,
    stop: Arc<AtomicBool>,
    made: Arc<AtomicU32>,
    /// Credential ids queued in this run (the end-of-run sweep must not queue them again
    /// while their PDF is still being made).
    queued: Mutex<HashSet<String>>,
}

impl<'scope> PdfStage<'scope> {
    /// Starts [`pdf_threads`]`(threads)` render threads that seal with `signer` into `out_dir`.
    pub(crate) fn start<'env>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        signer: &'env dyn Signer,
        out_dir: &'env Path,
        threads: usize,
        span: &tracing::Span,
    ) -> Result<Self, FlowError> {
        remove_parts(out_dir);
        let info = CertificateInfo::from_der(signer.certificate())
            .map_err(|source| FlowError::SealCertificate { source })?;
        let holder = Holder {
            name: crate::verify::holder_of(Some(&info)),
            organization_identifier: info.organization_identifier.clone(),
        };
        let (tx, rx) = mpsc::sync_channel::<PdfJob>(crate::IN_FLIGHT);
        let rx = Arc::new(Mutex::new(rx));
        let error = Arc::new(Mutex::new(None));
        let stop = Arc::new(AtomicBool::new(false));
        let made = Arc::new(AtomicU32::new(0));
        let mut handles = Vec::new();
        for n in 0..pdf_threads(threads) {
            let (rx, error, stop, made) = (
                Arc::clone(&rx),
                Arc::clone(&error),
                Arc::clone(&stop),
                Arc::clone(&made),
            );
            let holder = holder.clone();
            let span = span.clone();
            let handle = std::thread::Builder::new()
                .name(format!("batch-pdf-{n}"))
                .spawn_scoped(scope, move || {
                    let _e = tracing::info_span!(parent: &span, "flows.batch_pdf").entered();
                    loop {
                        let job = match rx.lock().map(|rx| rx.recv()) {
                            Ok(Ok(job)) => job,
                            _ => break,
                        };
                        if stop.load(Ordering::SeqCst) {
                            continue; // drain: a failed PDF stops the others
                        }
                        match make_pdf(&job, signer, &holder, out_dir) {
                            Ok(_) => {
                                made.fetch_add(1, Ordering::SeqCst);
                            }
                            Err(e) => {
                                tracing::warn!("batch pdf stopped: {e}");
                                stop.store(true, Ordering::SeqCst);
                                if let Ok(mut slot) = error.lock() {
                                    slot.get_or_insert(e);
                                }
                            }
                        }
                    }
                })
                .map_err(|source| FlowError::Output {
                    path: PathBuf::from("<thread>"),
                    source,
                })?;
            handles.push(handle);
        }
        Ok(Self {
            tx: Some(tx),
            handles,
            error,
            stop,
            made,
            queued: Mutex::new(HashSet::new()),
        })
    }

    /// Queues one stored row's PDF (waits while the queue is full). After a PDF failed, nothing
    /// more is queued; [`Self::finish`] returns that failure.
    pub(crate) fn submit(&self, job: PdfJob) {
        if self.stop.load(Ordering::SeqCst) {
            return;
        }
        if let Ok(mut queued) = self.queued.lock() {
            if !queued.insert(job.credential_id.clone()) {
                return;
            }
        }
        if let Some(tx) = &self.tx {
            let _ = tx.send(job);
        }
    }

    /// Queues the PDFs of the batch's stored rows that have none and were not queued in this
    /// run (rows stored by an earlier run).
    pub(crate) fn submit_missing(
        &self,
        catalogue: &Catalogue,
        id: &str,
        out_dir: &Path,
    ) -> Result<(), FlowError> {
        for item in catalogue.batches().items(id)? {
            let queued = self
                .queued
                .lock()
                .map(|q| q.contains(&item.credential_id))
                .unwrap_or(false);
            if queued
                || item.state != BatchItemState::Stored
                || pdf_output_path(out_dir, &item.credential_id).exists()
            {
                continue;
            }
            if let Some(issued) = catalogue.issued().get(&item.credential_id)? {
                self.submit(PdfJob {
                    credential_id: item.credential_id,
                    sealed: issued.sealed,
                    sealed_at: issued.sealed_at,
                });
            }
        }
        Ok(())
    }

    /// Waits for the queued PDFs; the number made, or the first failure.
    pub(crate) fn finish(mut self) -> Result<u32, FlowError> {
        drop(self.tx.take());
        for handle in self.handles.drain(..) {
            let _ = handle.join();
        }
        let failure = self.error.lock().ok().and_then(|mut e| e.take());
        match failure {
            Some(e) => Err(e),
            None => Ok(self.made.load(Ordering::SeqCst)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_to_eight_pdf_threads() {
        assert_eq!(
            pdf_threads(1),
            4,
            "enough that a PDF signature is always waiting at the token"
        );
        assert_eq!(pdf_threads(6), 6, "as many as asked in between");
        assert_eq!(pdf_threads(16), 8, "bounded");
    }

    #[test]
    fn pdf_path_sits_beside_the_jsonld() {
        let dir = Path::new("/out");
        let id = "urn:credential:7f0c2a52-1111-4222-8333-944445555666";
        assert_eq!(
            pdf_output_path(dir, id),
            Path::new("/out/7f0c2a52-1111-4222-8333-944445555666.pdf"),
            "same stem as the .jsonld"
        );
        assert_eq!(
            output_path(dir, id).with_extension("pdf"),
            pdf_output_path(dir, id),
            "derived from the credential file's path"
        );
    }
}
