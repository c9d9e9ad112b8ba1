//! Building the learner's mail in the EDC convention (`shared/notes/edc-formats.md` §6):
//! subject `Your {title}`, a plain-text and an HTML body per language from editable templates,
//! the sealed credential attached verbatim as `<full name> - <title>.jsonld` and the sealed PDF
//! when there is one, and a Message-ID derived from the credential id and the message's attempt.
//!
//! Templates are three files per language, `subject.txt`, `body.txt`, `body.html`, shipped in
//! `assets/mail/<lang>/` and overridable file by file in a folder of the user's (the data
//! folder's `mail/<lang>/`). `{placeholder}` is replaced by its value (HTML-escaped in
//! `body.html`); anything else in braces (CSS, say) is left alone; an unknown placeholder is an
//! error naming the template, so a typo never reaches a learner.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Attachment, Body, Mailbox, MultiPart, SinglePart};
use lettre::Message;
use time::OffsetDateTime;

use crate::OutboxError;

/// The placeholders a template may use.
pub const PLACEHOLDERS: &str = "{full_name}, {title}, {issuer}, {credential_id}";

const BUILTIN: &[(&str, &str, &str)] = &[
    (
        "en",
        "subject.txt",
        include_str!("../../../../assets/mail/en/subject.txt"),
    ),
    (
        "en",
        "body.txt",
        include_str!("../../../../assets/mail/en/body.txt"),
    ),
    (
        "en",
        "body.html",
        include_str!("../../../../assets/mail/en/body.html"),
    ),
    (
        "fr",
        "subject.txt",
        include_str!("../../../../assets/mail/fr/subject.txt"),
    ),
    (
        "fr",
        "body.txt",
        include_str!("../../../../assets/mail/fr/body.txt"),
    ),
    (
        "fr",
        "body.html",
        include_str!("../../../../assets/mail/fr/body.html"),
    ),
];

/// What one mail says and carries (personal data: never log it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    /// The credential id (`urn:credential:…`).
    pub credential_id: String,
    /// The learner's full name, as on the credential.
    pub full_name: String,
    /// The credential's title in its primary language.
    pub title: String,
    /// The issuing organisation.
    pub issuer: String,
    /// The learner's address.
    pub to: String,
    /// The credential's primary language (`en`, `fr`, …); the templates fall back to English.
    pub language: String,
    /// The sealed credential, byte for byte.
    pub sealed: Vec<u8>,
    /// The sealed PDF, when one was made.
    pub pdf: Option<Vec<u8>>,
}

/// The rendered texts of one mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}

/// Where the mail templates come from: the shipped ones, overridden by a user's folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailTemplates {
    overrides: Option<PathBuf>,
}

impl MailTemplates {
    /// The shipped templates only.
    pub fn builtin() -> Self {
        Self { overrides: None }
    }

    /// The shipped templates, with `dir/<lang>/<file>` taking precedence where it exists.
    pub fn with_overrides(dir: &Path) -> Self {
        Self {
            overrides: Some(dir.to_path_buf()),
        }
    }

    fn source(&self, lang: &str, file: &str) -> Result<Option<(String, String)>, OutboxError> {
        if let Some(dir) = &self.overrides {
            let path = dir.join(lang).join(file);
            if path.is_file() {
                let text = std::fs::read_to_string(&path)
                    .map_err(|source| OutboxError::TemplateRead { path, source })?;
                return Ok(Some((format!("{lang}/{file} (yours)"), text)));
            }
        }
        Ok(BUILTIN
            .iter()
            .find(|(l, f, _)| *l == lang && *f == file)
            .map(|(_, _, text)| (format!("{lang}/{file}"), (*text).to_owned())))
    }

    fn template(&self, lang: &str, file: &str) -> Result<(String, String), OutboxError> {
        if let Some(found) = self.source(lang, file)? {
            return Ok(found);
        }
        self.source("en", file)?
            .ok_or_else(|| OutboxError::TemplateRead {
                path: PathBuf::from(format!("en/{file}")),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            })
    }

    /// Renders subject and both bodies for `letter` in its language (English if there is no
    /// template in that language).
    pub fn render(&self, letter: &Letter) -> Result<Rendered, OutboxError> {
        let lang = language_of(&letter.language);
        let fill = |file: &str, html: bool| -> Result<String, OutboxError> {
            let (name, text) = self.template(&lang, file)?;
            substitute(&name, &text, letter, html)
        };
        Ok(Rendered {
            subject: fill("subject.txt", false)?
                .lines()
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned(),
            text: fill("body.txt", false)?,
            html: fill("body.html", true)?,
        })
    }
}

fn language_of(tag: &str) -> String {
    tag.trim()
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_ascii_lowercase()
}

fn substitute(
    template: &str,
    text: &str,
    letter: &Letter,
    html: bool,
) -> Result<String, OutboxError> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .unwrap_or(after.len());
        if name_len > 0 && after[name_len..].starts_with('}') {
            let name = &after[..name_len];
            let value = match name {
                "full_name" => &letter.full_name,
                "title" => &letter.title,
                "issuer" => &letter.issuer,
                "credential_id" => &letter.credential_id,
                other => {
                    return Err(OutboxError::UnknownPlaceholder {
                        template: template.to_owned(),
                        name: other.to_owned(),
                        known: PLACEHOLDERS,
                    })
                }
            };
            if html {
                out.push_str(&escape_html(value));
            } else {
                out.push_str(value);
            }
            rest = &after[name_len + 1..];
        } else {
            out.push('{');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Escapes `& < > " '` for HTML text and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The attachment name `<full name> - <title>.<ext>`, with `:\/*?|<>` (and `"`, control
/// characters) replaced by `_` as the EDC issuer does.
pub fn attachment_name(full_name: &str, title: &str, ext: &str) -> String {
    let clean = |s: &str| -> String {
        s.trim()
            .chars()
            .map(|c| {
                if matches!(c, ':' | '\\' | '/' | '*' | '?' | '|' | '<' | '>' | '"')
                    || c.is_control()
                {
                    '_'
                } else {
                    c
                }
            })
            .collect()
    };
    format!("{} - {}.{ext}", clean(full_name), clean(title))
}

/// The Message-ID of the `attempt`-th message for a credential:
/// `<` + first 16 hex digits of SHA-256(credential id) + `.a<attempt>@<domain>` + `>`.
/// The domain is the sender's (`sealdesk.invalid` if it has none).
pub fn message_id(credential_id: &str, attempt: u32, from: &str) -> String {
    let digest = openssl::sha::sha256(credential_id.as_bytes());
    let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let domain = from
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('>').trim())
        .filter(|d| !d.is_empty())
        .unwrap_or("sealdesk.invalid");
    format!("<{hash}.a{attempt}@{domain}>")
}

/// Assembles the mail: `multipart/mixed` of a `multipart/alternative` (plain text, then HTML)
/// and the attachments (base64, `application/octet-stream` for the credential as the EDC
/// issuer sends it, `application/pdf` for the PDF). `date` becomes the Date header.
pub fn compose(
    letter: &Letter,
    rendered: &Rendered,
    from: &str,
    message_id: &str,
    date: OffsetDateTime,
) -> Result<Message, OutboxError> {
    let from: Mailbox = from.parse().map_err(|source| OutboxError::BadAddress {
        what: "smtp.from",
        source,
    })?;
    let to: Mailbox = letter
        .to
        .parse()
        .map_err(|source| OutboxError::BadAddress {
            what: "the learner's address",
            source,
        })?;
    let octets =
        ContentType::parse("application/octet-stream").map_err(|_| OutboxError::Setting {
            key: "content-type",
            problem: "internal: bad content type".to_owned(),
        })?;
    let body = MultiPart::alternative()
        .singlepart(SinglePart::plain(rendered.text.clone()))
        .singlepart(SinglePart::html(rendered.html.clone()));
    let mut mixed = MultiPart::mixed().multipart(body).singlepart(
        Attachment::new(attachment_name(&letter.full_name, &letter.title, "jsonld")).body(
            Body::new_with_encoding(letter.sealed.clone(), ContentTransferEncoding::Base64)
                .map_err(|_| OutboxError::Setting {
                    key: "attachment",
                    problem: "internal: base64 refused".to_owned(),
                })?,
            octets,
        ),
    );
    if let Some(pdf) = &letter.pdf {
        let pdf_type = ContentType::parse("application/pdf").map_err(|_| OutboxError::Setting {
            key: "content-type",
            problem: "internal: bad content type".to_owned(),
        })?;
        mixed = mixed.singlepart(
            Attachment::new(attachment_name(&letter.full_name, &letter.title, "pdf")).body(
                Body::new_with_encoding(pdf.clone(), ContentTransferEncoding::Base64).map_err(
                    |_| OutboxError::Setting {
                        key: "attachment",
                        problem: "internal: base64 refused".to_owned(),
                    },
                )?,
                pdf_type,
            ),
        );
    }
    Ok(Message::builder()
        .from(from)
        .to(to)
        .subject(rendered.subject.clone())
        .message_id(Some(message_id.to_owned()))
        .date(SystemTime::from(date))
        .multipart(mixed)?)
}

/// Checks that `text` is a mailbox (`Name <address>` or `address`); `what` names the setting.
pub fn check_address(what: &'static str, text: &str) -> Result<(), OutboxError> {
    text.parse::<Mailbox>()
        .map(|_| ())
        .map_err(|source| OutboxError::BadAddress { what, source })
}

/// A short plain-text test mail from `from` to `to` (the settings screen's "send test mail").
pub fn test_message(from: &str, to: &str, date: OffsetDateTime) -> Result<Message, OutboxError> {
    let from: Mailbox = from.parse().map_err(|source| OutboxError::BadAddress {
        what: "smtp.from",
        source,
    })?;
    let to: Mailbox = to.parse().map_err(|source| OutboxError::BadAddress {
        what: "the test address",
        source,
    })?;
    Ok(Message::builder()
        .from(from)
        .to(to)
        .subject("Sealdesk test mail")
        .date(SystemTime::from(date))
        .body("This is a test mail from Sealdesk: the SMTP settings work.\n".to_owned())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter() -> Letter {
        Letter {
            credential_id: "urn:credential:1".into(),
            full_name: "Zoë <O'Brien>".into(),
            title: "Master: Data/AI".into(),
            issuer: "Université & Co".into(),
            to: "zoe@example.org".into(),
            language: "fr".into(),
            sealed: b"{\"payload\":\"x\"}".to_vec(),
            pdf: None,
        }
    }

    #[test]
    fn placeholders_are_filled_and_escaped_in_html() {
        let r = MailTemplates::builtin().render(&letter()).expect("render");
        assert!(
            r.subject.contains("Master: Data/AI"),
            "title in subject: {}",
            r.subject
        );
        assert!(
            r.text.contains("Zoë <O'Brien>"),
            "raw name in text: {}",
            r.text
        );
        assert!(
            r.html.contains("Zoë &lt;O&#39;Brien&gt;") && !r.html.contains("<O'Brien>"),
            "escaped name in html: {}",
            r.html
        );
    }

    #[test]
    fn unknown_placeholder_is_refused_with_its_name() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::create_dir_all(dir.path().join("en")).expect("mkdir");
        std::fs::write(dir.path().join("en/subject.txt"), "Your {titel}").expect("write");
        let mut l = letter();
        l.language = "en".into();
        let err = MailTemplates::with_overrides(dir.path())
            .render(&l)
            .expect_err("typo refused");
        assert!(err.to_string().contains("{titel}"), "names it: {err}");
    }

    #[test]
    fn names_and_ids_follow_the_convention() {
        assert_eq!(
            attachment_name("A: B", "T/1?", "jsonld"),
            "A_ B - T_1_.jsonld",
            "forbidden characters replaced"
        );
        let id = message_id("urn:credential:1", 2, "Registry <reg@uni.example>");
        assert!(
            id.starts_with('<') && id.ends_with(".a2@uni.example>"),
            "id shape: {id}"
        );
        assert_ne!(
            id,
            message_id("urn:credential:1", 3, "reg@uni.example"),
            "attempt changes the id"
        );
    }
}
