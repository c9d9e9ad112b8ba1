//! Reading a SKOS RDF/XML distribution (as published by EU Vocabularies) into concepts.
//!
//! Understands `skos:Concept` elements and `rdf:Description`s typed `skos:Concept`, with
//! `skos:prefLabel`/`skos:altLabel` (`xml:lang`), `skos:notation`, `skos:inScheme`,
//! `skos:broader` and `owl:deprecated`. Hostile XML is refused: a DTD (`<!DOCTYPE`) at all,
//! and any entity but the five predefined ones. Errors name the line.

use std::collections::BTreeMap;
use std::io::Read;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use crate::{Concept, VocabError};

const RDF: &[u8] = b"http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const SKOS: &[u8] = b"http://www.w3.org/2004/02/skos/core#";
const OWL: &[u8] = b"http://www.w3.org/2002/07/owl#";
const SKOS_CONCEPT: &str = "http://www.w3.org/2004/02/skos/core#Concept";
/// Largest SKOS file read (the biggest EU authority tables are a few tens of MB).
const MAX_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Default)]
struct Pending {
    line: usize,
    typed_concept: bool,
    concept: Concept,
    deprecated: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Property {
    PrefLabel,
    AltLabel,
    Notation,
    Deprecated,
}

/// Reads every concept of a SKOS RDF/XML document.
pub fn read<R: Read>(reader: R) -> Result<Vec<Concept>, VocabError> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|source| VocabError::Io {
            source_name: "SKOS file".into(),
            source,
        })?;
    let line_at = |pos: u64| {
        let end = (pos as usize).min(bytes.len());
        bytes[..end].iter().filter(|b| **b == b'\n').count() + 1
    };
    let mut xml = NsReader::from_reader(bytes.as_slice());
    let mut buf = Vec::new();
    let mut concepts = Vec::new();
    // Element depth, the depth at which the current candidate concept started, and the
    // property being read (with its language) when directly inside it.
    let mut depth = 0usize;
    let mut current: Option<(usize, Pending)> = None;
    let mut property: Option<(Property, String, String)> = None;
    loop {
        let position = xml.buffer_position();
        let (ns, event) = match xml.read_resolved_event_into(&mut buf) {
            Ok((ResolveResult::Bound(n), event)) => (n.into_inner().as_bytes().to_vec(), event),
            Ok((_, event)) => (Vec::new(), event),
            Err(e) => {
                let message = e.to_string();
                return Err(VocabError::Xml {
                    line: line_at(xml.error_position()),
                    message,
                });
            }
        };
        match event {
            Event::DocType(_) => {
                return Err(VocabError::XmlDoctype {
                    line: line_at(position),
                })
            }
            Event::Start(ref start) | Event::Empty(ref start) => {
                let empty = matches!(event, Event::Empty(_));
                let local = start.local_name().into_inner().as_bytes().to_vec();
                let line = line_at(position);
                match &mut current {
                    None => {
                        let is_concept = ns == SKOS && local == b"Concept";
                        let is_description = ns == RDF && local == b"Description";
                        if is_concept || is_description {
                            let about = attribute(&xml, start, RDF, b"about", line)?;
                            let pending = Pending {
                                line,
                                typed_concept: is_concept,
                                concept: Concept {
                                    id: about.unwrap_or_default(),
                                    status: "current".into(),
                                    ..Concept::default()
                                },
                                deprecated: false,
                            };
                            if empty {
                                finish(pending, &mut concepts)?;
                            } else {
                                current = Some((depth, pending));
                            }
                        }
                    }
                    Some((start_depth, pending)) if depth == *start_depth + 1 => {
                        let resource = attribute(&xml, start, RDF, b"resource", line)?;
                        let lang = attribute_raw(start, b"xml:lang", line)?.unwrap_or_default();
                        match (ns.as_slice(), local.as_slice()) {
                            (SKOS, b"inScheme") => {
                                if let Some(r) = resource {
                                    if pending.concept.scheme.is_empty() {
                                        pending.concept.scheme = r;
                                    }
                                }
                            }
                            (SKOS, b"broader") => pending.concept.broader.extend(resource),
                            (RDF, b"type") if resource.as_deref() == Some(SKOS_CONCEPT) => {
                                pending.typed_concept = true;
                            }
                            (SKOS, b"prefLabel") if !empty => {
                                property = Some((Property::PrefLabel, lang, String::new()))
                            }
                            (SKOS, b"altLabel") if !empty => {
                                property = Some((Property::AltLabel, lang, String::new()))
                            }
                            (SKOS, b"notation") if !empty => {
                                property = Some((Property::Notation, lang, String::new()))
                            }
                            (OWL, b"deprecated") if !empty => {
                                property = Some((Property::Deprecated, lang, String::new()))
                            }
                            _ => {}
                        }
                    }
                    Some(_) => {}
                }
                if !empty {
                    depth += 1;
                }
            }
            Event::Text(text) => {
                if let Some((_, _, value)) = &mut property {
                    value.push_str(&text.xml10_content());
                }
            }
            Event::CData(data) => {
                if let Some((_, _, value)) = &mut property {
                    value.push_str(&data);
                }
            }
            Event::GeneralRef(reference) => {
                let line = line_at(position);
                let name = reference.xml10_content().into_owned();
                let resolved = if reference.is_char_ref() {
                    reference
                        .resolve_char_ref()
                        .ok()
                        .flatten()
                        .map(|c| c.to_string())
                } else {
                    quick_xml::escape::resolve_predefined_entity(&name).map(str::to_owned)
                };
                let Some(resolved) = resolved else {
                    return Err(VocabError::XmlEntity { line, name });
                };
                if let Some((_, _, value)) = &mut property {
                    value.push_str(&resolved);
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if let Some((start_depth, pending)) = &mut current {
                    if depth == *start_depth + 1 {
                        if let Some((kind, lang, value)) = property.take() {
                            let value = value.trim().to_owned();
                            let lang = if lang.is_empty() { "en".into() } else { lang };
                            match kind {
                                Property::PrefLabel => {
                                    pending.concept.pref_labels.insert(lang, value);
                                }
                                Property::AltLabel => {
                                    pending.concept.alt_labels.push((lang, value))
                                }
                                Property::Notation => pending.concept.notation = Some(value),
                                Property::Deprecated => pending.deprecated = value == "true",
                            }
                        }
                    } else if depth == *start_depth {
                        if let Some((_, pending)) = current.take() {
                            finish(pending, &mut concepts)?;
                        }
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if concepts.is_empty() {
        return Err(VocabError::SkosEmpty);
    }
    Ok(concepts)
}

fn finish(pending: Pending, concepts: &mut Vec<Concept>) -> Result<(), VocabError> {
    if !pending.typed_concept {
        return Ok(());
    }
    let Pending {
        line,
        mut concept,
        deprecated,
        ..
    } = pending;
    let incomplete = |what| VocabError::SkosIncomplete {
        line,
        id: concept.id.clone(),
        what,
    };
    if concept.id.is_empty() {
        return Err(incomplete("rdf:about (its URI)"));
    }
    if concept.scheme.is_empty() {
        return Err(incomplete("skos:inScheme"));
    }
    if concept.pref_labels.is_empty() {
        return Err(incomplete("skos:prefLabel"));
    }
    if deprecated {
        concept.status = "deprecated".into();
    }
    concepts.push(concept);
    Ok(())
}

/// The value of the attribute in namespace `ns` with local name `local`.
fn attribute(
    xml: &NsReader<&[u8]>,
    start: &BytesStart<'_>,
    ns: &[u8],
    local: &[u8],
    line: usize,
) -> Result<Option<String>, VocabError> {
    for attr in start.attributes() {
        let attr = attr.map_err(|e| VocabError::Xml {
            line,
            message: e.to_string(),
        })?;
        let (resolved, name) = xml.resolver().resolve_attribute(attr.key);
        if matches!(resolved, ResolveResult::Bound(n) if n.into_inner().as_bytes() == ns)
            && name.into_inner().as_bytes() == local
        {
            return value(&attr, line).map(Some);
        }
    }
    Ok(None)
}

/// The value of the attribute written exactly `qname` (for `xml:lang`).
fn attribute_raw(
    start: &BytesStart<'_>,
    qname: &[u8],
    line: usize,
) -> Result<Option<String>, VocabError> {
    for attr in start.attributes() {
        let attr = attr.map_err(|e| VocabError::Xml {
            line,
            message: e.to_string(),
        })?;
        if attr.key.into_inner().as_bytes() == qname {
            return value(&attr, line).map(Some);
        }
    }
    Ok(None)
}

fn value(
    attr: &quick_xml::events::attributes::Attribute<'_>,
    line: usize,
) -> Result<String, VocabError> {
    attr.normalized_value(quick_xml::XmlVersion::Implicit1_0)
        .map(|v| v.into_owned())
        .map_err(|e| VocabError::Xml {
            line,
            message: e.to_string(),
        })
}

/// Groups concepts by scheme (for callers that replace whole schemes).
pub fn by_scheme(concepts: &[Concept]) -> BTreeMap<&str, usize> {
    let mut counts = BTreeMap::new();
    for c in concepts {
        *counts.entry(c.scheme.as_str()).or_insert(0) += 1;
    }
    counts
}
