//! Smart-card readers as the PC/SC service (pcscd on Linux) sees them.
//!
//! This is the "is a reader there, is a card in it" view, independent of PKCS#11. A stopped
//! PC/SC service is a normal state on many machines (pcscd starts on demand or not at all when
//! only USB tokens with their own driver are used), so it is a value, not an error. Watching for
//! insert/remove events comes later.

use serde::Serialize;

use crate::TokenError;

/// One reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reader {
    /// The reader's name, e.g. `Virtual PCD 00 00`.
    pub name: String,
    /// A card is in the reader.
    pub card_present: bool,
    /// The card's answer-to-reset, lower-case hex (empty without a card).
    pub atr_hex: String,
}

/// What the PC/SC service reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "state", content = "readers")]
pub enum PcscReaders {
    /// The service answered; the list may be empty.
    Available(Vec<Reader>),
    /// The PC/SC service is not running (harmless: USB tokens with their own driver still work).
    ServiceNotRunning,
}

/// Lists the readers and whether a card is present in each.
pub fn readers() -> Result<PcscReaders, TokenError> {
    let _span = tracing::debug_span!("pcsc.readers").entered();
    let ctx = match pcsc::Context::establish(pcsc::Scope::User) {
        Ok(ctx) => ctx,
        Err(pcsc::Error::NoService | pcsc::Error::ServiceStopped) => {
            return Ok(PcscReaders::ServiceNotRunning)
        }
        Err(source) => return Err(TokenError::Pcsc { source }),
    };
    let names = match ctx.list_readers_owned() {
        Ok(names) => names,
        Err(pcsc::Error::NoReadersAvailable) => return Ok(PcscReaders::Available(Vec::new())),
        Err(pcsc::Error::NoService | pcsc::Error::ServiceStopped) => {
            return Ok(PcscReaders::ServiceNotRunning)
        }
        Err(source) => return Err(TokenError::Pcsc { source }),
    };
    let mut states: Vec<pcsc::ReaderState> = names
        .iter()
        .map(|name| pcsc::ReaderState::new(name.clone(), pcsc::State::UNAWARE))
        .collect();
    if !states.is_empty() {
        ctx.get_status_change(std::time::Duration::ZERO, &mut states)
            .map_err(|source| TokenError::Pcsc { source })?;
    }
    Ok(PcscReaders::Available(
        states
            .iter()
            .map(|state| {
                let card_present = state.event_state().contains(pcsc::State::PRESENT);
                Reader {
                    name: state.name().to_string_lossy().into_owned(),
                    card_present,
                    atr_hex: if card_present {
                        hex::encode(state.atr())
                    } else {
                        String::new()
                    },
                }
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_answer_without_error_whether_or_not_pcscd_runs() {
        let result = readers();
        assert!(
            result.is_ok(),
            "a stopped service is a value, not an error: {result:?}"
        );
        if let Ok(PcscReaders::Available(list)) = result {
            for reader in list {
                assert!(!reader.name.is_empty(), "readers have names");
                assert_eq!(
                    reader.card_present,
                    !reader.atr_hex.is_empty(),
                    "an ATR is reported exactly when a card is present: {reader:?}"
                );
            }
        }
    }
}
