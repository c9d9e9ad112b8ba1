//! A small, strict XML tree for signed documents, read with quick-xml.
//!
//! It keeps what XML canonicalization needs (namespace declarations in document order,
//! attributes with their resolved namespaces, text with line ends and attribute whitespace
//! normalized as an XML processor must) and refuses what trusted lists never need: DTDs,
//! entities other than the five predefined ones, non-UTF-8 encodings and very deep nesting.
//! It owns no knowledge of trusted lists or signatures.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::TrustError;

/// The namespace bound to the `xml` prefix.
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// Deepest element nesting accepted (trusted lists use about 15).
pub const MAX_DEPTH: usize = 256;

/// Index of a node in a [`Document`].
pub type NodeId = usize;

/// One attribute, its namespace resolved.
#[derive(Debug, Clone)]
pub struct Attr {
    /// Prefix as written (`""` when none).
    pub prefix: String,
    /// Local name.
    pub local: String,
    /// Namespace URI (`""` for an unprefixed attribute).
    pub ns: String,
    /// Normalized value (references resolved, whitespace normalized).
    pub value: String,
}

/// One element.
#[derive(Debug, Clone)]
pub struct Element {
    /// Prefix as written (`""` when none).
    pub prefix: String,
    /// Local name.
    pub local: String,
    /// Namespace URI (`""` when none).
    pub ns: String,
    /// Attributes, without namespace declarations.
    pub attrs: Vec<Attr>,
    /// Namespace declarations on this element: (prefix, URI), `""` prefix = default namespace.
    pub ns_decls: Vec<(String, String)>,
}

/// What a node is.
#[derive(Debug, Clone)]
pub enum NodeKind {
    /// An element.
    Element(Element),
    /// Character data (CDATA included), normalized.
    Text(String),
    /// A comment (never part of a canonical form here).
    Comment,
    /// A processing instruction.
    Pi {
        /// Its target.
        target: String,
        /// Its content after the target and whitespace.
        content: String,
    },
}

/// A node with its place in the tree.
#[derive(Debug, Clone)]
pub struct Node {
    /// What it is.
    pub kind: NodeKind,
    /// Its parent element (`None` at document level).
    pub parent: Option<NodeId>,
    /// Its children in order.
    pub children: Vec<NodeId>,
    /// 1-based line where it starts.
    pub line: usize,
}

/// A parsed XML document.
#[derive(Debug, Clone)]
pub struct Document {
    /// Every node; index = [`NodeId`].
    pub nodes: Vec<Node>,
    /// Document-level nodes in order (the root element, PIs and comments around it).
    pub top: Vec<NodeId>,
    /// The document element.
    pub root: NodeId,
}

struct Lines<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, pos: usize) -> usize {
        let pos = pos.min(self.text.len());
        if pos >= self.pos {
            self.line += self.text.as_bytes()[self.pos..pos]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.pos = pos;
        }
        self.line
    }
}

impl Document {
    /// Parses `bytes` (UTF-8; a BOM is skipped). `place` names the source in errors.
    pub fn parse(bytes: &[u8], place: &str) -> Result<Document, TrustError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = std::str::from_utf8(bytes).map_err(|e| TrustError::MalformedXml {
            place: place.to_owned(),
            line: 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count(),
            reason: "not UTF-8 text".to_owned(),
        })?;
        Builder::new(text, place).run()
    }

    /// The element data of `id`, if it is an element.
    pub fn element(&self, id: NodeId) -> Option<&Element> {
        match &self.nodes[id].kind {
            NodeKind::Element(e) => Some(e),
            _ => None,
        }
    }

    /// Child elements of `id`.
    pub fn child_elements(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.nodes[id]
            .children
            .iter()
            .copied()
            .filter(|c| matches!(self.nodes[*c].kind, NodeKind::Element(_)))
    }

    /// Child elements of `id` with this local name (any namespace).
    pub fn children_named<'a>(
        &'a self,
        id: NodeId,
        local: &'a str,
    ) -> impl Iterator<Item = NodeId> + 'a {
        self.child_elements(id)
            .filter(move |c| self.element(*c).is_some_and(|e| e.local == local))
    }

    /// First child element of `id` with this local name.
    pub fn child(&self, id: NodeId, local: &str) -> Option<NodeId> {
        self.children_named(id, local).next()
    }

    /// Follows a path of local names from `id`.
    pub fn path(&self, id: NodeId, locals: &[&str]) -> Option<NodeId> {
        let mut at = id;
        for l in locals {
            at = self.child(at, l)?;
        }
        Some(at)
    }

    /// The concatenated text of `id`'s descendants, trimmed.
    pub fn text(&self, id: NodeId) -> String {
        let mut out = String::new();
        self.collect_text(id, &mut out);
        out.trim().to_owned()
    }

    fn collect_text(&self, id: NodeId, out: &mut String) {
        for c in &self.nodes[id].children {
            match &self.nodes[*c].kind {
                NodeKind::Text(t) => out.push_str(t),
                NodeKind::Element(_) => self.collect_text(*c, out),
                _ => {}
            }
        }
    }

    /// The value of the attribute with this local name and no namespace.
    pub fn attr(&self, id: NodeId, local: &str) -> Option<&str> {
        self.element(id)?
            .attrs
            .iter()
            .find(|a| a.local == local && a.ns.is_empty())
            .map(|a| a.value.as_str())
    }

    /// The `xml:lang` of `id` itself.
    pub fn lang(&self, id: NodeId) -> Option<&str> {
        self.element(id)?
            .attrs
            .iter()
            .find(|a| a.local == "lang" && a.ns == XML_NS)
            .map(|a| a.value.as_str())
    }

    /// Every element in document order below and including `id`.
    pub fn descendants(&self, id: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            if matches!(self.nodes[n].kind, NodeKind::Element(_)) {
                out.push(n);
                stack.extend(self.nodes[n].children.iter().rev());
            }
        }
        out
    }

    /// The element whose `Id`, `ID` or `id` attribute is `value` (the first in document order).
    pub fn by_id(&self, value: &str) -> Option<NodeId> {
        self.descendants(self.root).into_iter().find(|n| {
            self.element(*n).is_some_and(|e| {
                e.attrs.iter().any(|a| {
                    a.ns.is_empty()
                        && matches!(a.local.as_str(), "Id" | "ID" | "id")
                        && a.value == value
                })
            })
        })
    }

    /// Namespace in scope for `prefix` at element `id` (`None` when unbound).
    pub fn lookup_ns(&self, id: NodeId, prefix: &str) -> Option<&str> {
        if prefix == "xml" {
            return Some(XML_NS);
        }
        let mut at = Some(id);
        while let Some(n) = at {
            if let Some(e) = self.element(n) {
                if let Some((_, uri)) = e.ns_decls.iter().find(|(p, _)| p == prefix) {
                    return Some(uri);
                }
            }
            at = self.nodes[n].parent;
        }
        None
    }

    /// Is `id` equal to or below `ancestor`?
    pub fn is_within(&self, id: NodeId, ancestor: NodeId) -> bool {
        let mut at = Some(id);
        while let Some(n) = at {
            if n == ancestor {
                return true;
            }
            at = self.nodes[n].parent;
        }
        false
    }
}

struct Builder<'a> {
    text: &'a str,
    place: &'a str,
    lines: Lines<'a>,
    nodes: Vec<Node>,
    top: Vec<NodeId>,
    stack: Vec<NodeId>,
    root: Option<NodeId>,
    pending_text: Option<(String, usize)>,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, place: &'a str) -> Self {
        Builder {
            text,
            place,
            lines: Lines {
                text,
                pos: 0,
                line: 1,
            },
            nodes: Vec::new(),
            top: Vec::new(),
            stack: Vec::new(),
            root: None,
            pending_text: None,
        }
    }

    fn malformed(&self, line: usize, reason: impl Into<String>) -> TrustError {
        TrustError::MalformedXml {
            place: self.place.to_owned(),
            line,
            reason: reason.into(),
        }
    }

    fn hostile(&self, line: usize, what: impl Into<String>) -> TrustError {
        TrustError::HostileXml {
            place: self.place.to_owned(),
            line,
            what: what.into(),
        }
    }

    fn run(mut self) -> Result<Document, TrustError> {
        let mut reader = Reader::from_str(self.text);
        reader.config_mut().check_end_names = true;
        reader.config_mut().expand_empty_elements = false;
        loop {
            let pos = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let line = self.lines.at(pos);
            let event = match reader.read_event() {
                Ok(e) => e,
                Err(e) => {
                    let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                    let line = self.lines.at(at);
                    return Err(self.malformed(line, e.to_string()));
                }
            };
            match event {
                Event::Decl(d) => {
                    if let Some(Ok(enc)) = d.encoding() {
                        let enc = enc.to_ascii_lowercase();
                        if enc != "utf-8" && enc != "utf8" {
                            return Err(self.malformed(
                                line,
                                format!("encoding {enc} is not supported; UTF-8 only"),
                            ));
                        }
                    }
                }
                Event::DocType(_) => return Err(self.hostile(line, "a DTD (<!DOCTYPE>)")),
                Event::Start(s) => {
                    let id = self.start(&s, line)?;
                    self.stack.push(id);
                    if self.stack.len() > MAX_DEPTH {
                        return Err(self.hostile(line, format!("nesting deeper than {MAX_DEPTH}")));
                    }
                }
                Event::Empty(s) => {
                    self.start(&s, line)?;
                }
                Event::End(_) => {
                    self.flush_text();
                    self.stack.pop();
                }
                Event::Text(t) => {
                    let normalized = normalize_line_ends(&t);
                    self.push_text(&normalized, line)?;
                }
                Event::CData(c) => {
                    let normalized = normalize_line_ends(&c);
                    if self.stack.is_empty() {
                        return Err(
                            self.malformed(line, "character data outside the document element")
                        );
                    }
                    self.append_text(&normalized, line);
                }
                Event::GeneralRef(r) => {
                    let ch = match r.resolve_char_ref() {
                        Ok(Some(c)) => c,
                        Ok(None) => match predefined(&r) {
                            Some(c) => c,
                            None => return Err(self.hostile(line, format!("the entity &{};", &*r))),
                        },
                        Err(e) => return Err(self.malformed(line, e.to_string())),
                    };
                    if self.stack.is_empty() {
                        return Err(
                            self.malformed(line, "a reference outside the document element")
                        );
                    }
                    self.append_text(&ch.to_string(), line);
                }
                Event::Comment(_) => {
                    self.flush_text();
                    self.add(NodeKind::Comment, line);
                }
                Event::PI(p) => {
                    self.flush_text();
                    let target = p.target().to_owned();
                    let content = p.content().trim_start().to_owned();
                    self.add(NodeKind::Pi { target, content }, line);
                }
                Event::Eof => break,
            }
        }
        let line = self.lines.at(self.text.len());
        if !self.stack.is_empty() {
            return Err(self.malformed(line, "the document ends inside an element"));
        }
        let root = self
            .root
            .ok_or_else(|| self.malformed(line, "no document element"))?;
        Ok(Document {
            nodes: self.nodes,
            top: self.top,
            root,
        })
    }

    fn push_text(&mut self, text: &str, line: usize) -> Result<(), TrustError> {
        if self.stack.is_empty() {
            if text.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) {
                return Ok(());
            }
            return Err(self.malformed(line, "text outside the document element"));
        }
        self.append_text(text, line);
        Ok(())
    }

    fn append_text(&mut self, text: &str, line: usize) {
        match &mut self.pending_text {
            Some((t, _)) => t.push_str(text),
            None => self.pending_text = Some((text.to_owned(), line)),
        }
    }

    fn flush_text(&mut self) {
        if let Some((t, line)) = self.pending_text.take() {
            self.add(NodeKind::Text(t), line);
        }
    }

    fn add(&mut self, kind: NodeKind, line: usize) -> NodeId {
        let id = self.nodes.len();
        let parent = self.stack.last().copied();
        self.nodes.push(Node {
            kind,
            parent,
            children: Vec::new(),
            line,
        });
        match parent {
            Some(p) => self.nodes[p].children.push(id),
            None => self.top.push(id),
        }
        id
    }

    fn start(&mut self, s: &BytesStart<'_>, line: usize) -> Result<NodeId, TrustError> {
        self.flush_text();
        if self.stack.is_empty() && self.root.is_some() {
            return Err(self.malformed(line, "a second document element"));
        }
        let (prefix, local) = split_qname(s.name().as_ref());
        let mut ns_decls = Vec::new();
        let mut raw_attrs = Vec::new();
        for a in s.attributes() {
            let a = a.map_err(|e| self.malformed(line, e.to_string()))?;
            let value = self.attr_value(&a.value, line)?;
            let key = a.key.as_ref();
            if key == "xmlns" {
                ns_decls.push((String::new(), value));
            } else if let Some(p) = key.strip_prefix("xmlns:") {
                if value.is_empty() {
                    return Err(
                        self.malformed(line, format!("prefix {p} undeclared with an empty URI"))
                    );
                }
                ns_decls.push((p.to_owned(), value));
            } else {
                let (p, l) = split_qname(key);
                raw_attrs.push((p, l, value));
            }
        }
        let id = self.add(
            NodeKind::Element(Element {
                prefix: prefix.clone(),
                local: local.clone(),
                ns: String::new(),
                attrs: Vec::new(),
                ns_decls,
            }),
            line,
        );
        if self.stack.is_empty() {
            self.root = Some(id);
        }
        // Resolve namespaces now that the element's own declarations are in the tree.
        let doc_view = DocView { nodes: &self.nodes };
        let ns = match doc_view.lookup(id, &prefix) {
            Some(u) => u,
            None if prefix.is_empty() => String::new(),
            None => return Err(self.malformed(line, format!("prefix {prefix} is not declared"))),
        };
        let mut attrs = Vec::with_capacity(raw_attrs.len());
        for (p, l, value) in raw_attrs {
            let ans = if p.is_empty() {
                String::new()
            } else {
                match doc_view.lookup(id, &p) {
                    Some(u) => u,
                    None => return Err(self.malformed(line, format!("prefix {p} is not declared"))),
                }
            };
            if attrs.iter().any(|a: &Attr| a.local == l && a.ns == ans) {
                return Err(self.malformed(line, format!("attribute {l} appears twice")));
            }
            attrs.push(Attr {
                prefix: p,
                local: l,
                ns: ans,
                value,
            });
        }
        if let NodeKind::Element(e) = &mut self.nodes[id].kind {
            e.ns = ns;
            e.attrs = attrs;
        }
        Ok(id)
    }

    /// Resolves references and normalizes whitespace in an attribute value (XML 1.0 §3.3.3).
    fn attr_value(&self, raw: &str, line: usize) -> Result<String, TrustError> {
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '\r' => {
                    if chars.peek().is_some_and(|(_, n)| *n == '\n') {
                        chars.next();
                    }
                    out.push(' ');
                }
                '\n' | '\t' => out.push(' '),
                '<' => return Err(self.malformed(line, "'<' in an attribute value")),
                '&' => {
                    let rest = &raw[i + 1..];
                    let end = rest.find(';').ok_or_else(|| {
                        self.malformed(line, "'&' without ';' in an attribute value")
                    })?;
                    let name = &rest[..end];
                    let ch = if let Some(num) = name.strip_prefix('#') {
                        let code = if let Some(hex) = num.strip_prefix('x') {
                            u32::from_str_radix(hex, 16).ok()
                        } else {
                            num.parse::<u32>().ok()
                        };
                        code.and_then(char::from_u32)
                            .filter(|c| *c != '\0')
                            .ok_or_else(|| {
                                self.malformed(line, format!("bad character reference &{name};"))
                            })?
                    } else {
                        predefined(name)
                            .ok_or_else(|| self.hostile(line, format!("the entity &{name};")))?
                    };
                    out.push(ch);
                    let skip_to = i + 1 + end + 1;
                    while chars.peek().is_some_and(|(j, _)| *j < skip_to) {
                        chars.next();
                    }
                }
                c => out.push(c),
            }
        }
        Ok(out)
    }
}

struct DocView<'a> {
    nodes: &'a [Node],
}

impl DocView<'_> {
    fn lookup(&self, id: NodeId, prefix: &str) -> Option<String> {
        if prefix == "xml" {
            return Some(XML_NS.to_owned());
        }
        let mut at = Some(id);
        while let Some(n) = at {
            if let NodeKind::Element(e) = &self.nodes[n].kind {
                if let Some((_, uri)) = e.ns_decls.iter().find(|(p, _)| p == prefix) {
                    return Some(uri.clone());
                }
            }
            at = self.nodes[n].parent;
        }
        None
    }
}

fn split_qname(q: &str) -> (String, String) {
    match q.split_once(':') {
        Some((p, l)) => (p.to_owned(), l.to_owned()),
        None => (String::new(), q.to_owned()),
    }
}

fn predefined(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}

fn normalize_line_ends(s: &str) -> String {
    if !s.contains('\r') {
        return s.to_owned();
    }
    s.replace("\r\n", "\n").replace('\r', "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_and_text_are_resolved() {
        let doc = Document::parse(
            b"<?xml version=\"1.0\"?>\n<a xmlns=\"urn:a\" xmlns:b=\"urn:b\"><b:c b:x=\"1&#9;2\r\n3\">x &amp; y&#13;\r\n</b:c></a>",
            "t",
        )
        .expect("parses");
        let c = doc.child(doc.root, "c").expect("c");
        let e = doc.element(c).expect("element");
        assert_eq!(e.ns, "urn:b", "prefix b resolves");
        assert_eq!(
            e.attrs[0].value, "1\t2 3",
            "char ref kept, literal whitespace normalized"
        );
        assert_eq!(doc.text(c), "x & y", "trimmed text");
        assert_eq!(
            doc.element(doc.root).map(|e| e.ns.as_str()),
            Some("urn:a"),
            "default namespace"
        );
    }

    #[test]
    fn dtd_and_entities_are_refused() {
        let dtd = b"<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x \"boom\">]>\n<a>&x;</a>";
        let err = Document::parse(dtd, "bomb.xml").expect_err("refused");
        assert!(
            matches!(err, TrustError::HostileXml { line: 2, .. }),
            "DTD refused on line 2: {err}"
        );
        let ent = b"<a>\n&x;</a>";
        let err = Document::parse(ent, "e.xml").expect_err("refused");
        assert!(
            matches!(err, TrustError::HostileXml { line: 2, .. }),
            "entity refused: {err}"
        );
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        let err = Document::parse(deep.as_bytes(), "deep.xml").expect_err("refused");
        assert!(
            matches!(err, TrustError::HostileXml { .. }),
            "deep refused: {err}"
        );
    }

    #[test]
    fn malformed_xml_names_the_line() {
        let err = Document::parse(b"<a>\n<b>\n</c></a>", "m.xml").expect_err("refused");
        assert!(
            matches!(err, TrustError::MalformedXml { line: 3, .. }),
            "line 3: {err}"
        );
        let err = Document::parse(b"<a/><b/>", "m.xml").expect_err("refused");
        assert!(
            matches!(err, TrustError::MalformedXml { .. }),
            "two roots: {err}"
        );
        let err = Document::parse(b"<p:a/>", "m.xml").expect_err("refused");
        assert!(
            matches!(err, TrustError::MalformedXml { .. }),
            "undeclared prefix: {err}"
        );
    }
}
