//! XML canonicalization (W3C C14N 1.0 and Exclusive C14N 1.0, both without comments) of a
//! [`Document`] or one of its elements, optionally leaving one subtree out (the enveloped
//! signature). This is exactly what XML-DSig needs to hash references and `SignedInfo`; it does
//! not implement C14N 1.1 or XPath node sets beyond "everything but the signature".

use std::collections::BTreeMap;

use crate::xml::{Document, NodeId, NodeKind, XML_NS};

/// Which canonicalization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// Canonical XML 1.0 (`http://www.w3.org/TR/2001/REC-xml-c14n-20010315`).
    Inclusive,
    /// Exclusive XML Canonicalization 1.0 with its InclusiveNamespaces prefix list
    /// (`#default` written as `""`).
    Exclusive(Vec<String>),
}

/// Algorithm URIs of the canonicalizations, mapped to a [`Method`] (`None` when unsupported
/// or when comments are asked to be kept).
pub fn method_for(uri: &str, prefixes: Vec<String>) -> Option<Method> {
    match uri {
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315" => Some(Method::Inclusive),
        "http://www.w3.org/2001/10/xml-exc-c14n#" => Some(Method::Exclusive(prefixes)),
        _ => None,
    }
}

/// What to canonicalize.
#[derive(Debug, Clone, Copy)]
pub enum Apex {
    /// The whole document (a same-document reference `URI=""`).
    Document,
    /// One element and its descendants.
    Element(NodeId),
}

/// Canonical bytes of `apex`, leaving out the subtree at `exclude` (if any).
pub fn canonicalize(
    doc: &Document,
    apex: Apex,
    exclude: Option<NodeId>,
    method: &Method,
) -> Vec<u8> {
    let mut c = Canon {
        doc,
        exclude,
        method,
        out: String::new(),
    };
    match apex {
        Apex::Document => {
            let mut after_root = false;
            for id in &doc.top {
                match &doc.nodes[*id].kind {
                    NodeKind::Element(_) => {
                        c.element(*id, &BTreeMap::new(), true);
                        after_root = true;
                    }
                    NodeKind::Pi { .. } => {
                        if after_root {
                            c.out.push('\n');
                        }
                        c.pi(*id);
                        if !after_root {
                            c.out.push('\n');
                        }
                    }
                    _ => {}
                }
            }
        }
        Apex::Element(id) => c.element(id, &BTreeMap::new(), true),
    }
    c.out.into_bytes()
}

struct Canon<'a> {
    doc: &'a Document,
    exclude: Option<NodeId>,
    method: &'a Method,
    out: String,
}

impl Canon<'_> {
    fn pi(&mut self, id: NodeId) {
        if let NodeKind::Pi { target, content } = &self.doc.nodes[id].kind {
            self.out.push_str("<?");
            self.out.push_str(target);
            if !content.is_empty() {
                self.out.push(' ');
                self.out.push_str(content);
            }
            self.out.push_str("?>");
        }
    }

    /// Namespaces in scope at `id`: prefix → URI (`""` prefix = default; an empty URI = none).
    fn in_scope(&self, id: NodeId) -> BTreeMap<String, String> {
        let mut map = BTreeMap::new();
        let mut at = Some(id);
        while let Some(n) = at {
            if let Some(e) = self.doc.element(n) {
                for (p, u) in &e.ns_decls {
                    map.entry(p.clone()).or_insert_with(|| u.clone());
                }
            }
            at = self.doc.nodes[n].parent;
        }
        map
    }

    /// `rendered`: namespace declarations in effect from output ancestors.
    fn element(&mut self, id: NodeId, rendered: &BTreeMap<String, String>, is_apex: bool) {
        if Some(id) == self.exclude {
            return;
        }
        let Some(e) = self.doc.element(id) else {
            return;
        };
        let scope = self.in_scope(id);
        let mut wanted: BTreeMap<String, String> = BTreeMap::new();
        match self.method {
            Method::Inclusive => {
                for (p, u) in &scope {
                    wanted.insert(p.clone(), u.clone());
                }
            }
            Method::Exclusive(list) => {
                let mut used: Vec<&str> = vec![e.prefix.as_str()];
                for a in &e.attrs {
                    if !a.prefix.is_empty() && a.prefix != "xml" {
                        used.push(&a.prefix);
                    }
                }
                for p in list {
                    if scope.contains_key(p.as_str()) {
                        used.push(p);
                    }
                }
                for p in used {
                    let uri = scope.get(p).cloned().unwrap_or_default();
                    wanted.insert(p.to_owned(), uri);
                }
            }
        }
        let mut next = rendered.clone();
        let mut decls: Vec<(String, String)> = Vec::new();
        for (p, u) in wanted {
            if p == "xml" {
                continue;
            }
            let before = rendered.get(&p).map(String::as_str).unwrap_or("");
            let changed = match rendered.get(&p) {
                Some(b) => b != &u,
                None => !u.is_empty() || (p.is_empty() && !before.is_empty()),
            };
            if changed {
                decls.push((p.clone(), u.clone()));
                next.insert(p, u);
            }
        }
        let mut attrs: Vec<(&str, &str, String, &str)> = e
            .attrs
            .iter()
            .map(|a| {
                let qname = if a.prefix.is_empty() {
                    a.local.clone()
                } else {
                    format!("{}:{}", a.prefix, a.local)
                };
                (a.ns.as_str(), a.local.as_str(), qname, a.value.as_str())
            })
            .collect();
        if is_apex && *self.method == Method::Inclusive {
            // xml:* attributes of ancestors outside the subset are inherited by the apex.
            let mut at = self.doc.nodes[id].parent;
            while let Some(n) = at {
                if let Some(pe) = self.doc.element(n) {
                    for a in &pe.attrs {
                        if a.ns == XML_NS
                            && !attrs
                                .iter()
                                .any(|(ns, l, _, _)| *ns == XML_NS && *l == a.local)
                        {
                            attrs.push((
                                XML_NS,
                                a.local.as_str(),
                                format!("xml:{}", a.local),
                                a.value.as_str(),
                            ));
                        }
                    }
                }
                at = self.doc.nodes[n].parent;
            }
        }
        attrs.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        let qname = if e.prefix.is_empty() {
            e.local.clone()
        } else {
            format!("{}:{}", e.prefix, e.local)
        };
        self.out.push('<');
        self.out.push_str(&qname);
        for (p, u) in &decls {
            if p.is_empty() {
                self.out.push_str(" xmlns=\"");
            } else {
                self.out.push_str(" xmlns:");
                self.out.push_str(p);
                self.out.push_str("=\"");
            }
            escape_attr(u, &mut self.out);
            self.out.push('"');
        }
        for (_, _, q, v) in &attrs {
            self.out.push(' ');
            self.out.push_str(q);
            self.out.push_str("=\"");
            escape_attr(v, &mut self.out);
            self.out.push('"');
        }
        self.out.push('>');
        for c in &self.doc.nodes[id].children {
            match &self.doc.nodes[*c].kind {
                NodeKind::Element(_) => self.element(*c, &next, false),
                NodeKind::Text(t) => escape_text(t, &mut self.out),
                NodeKind::Pi { .. } => self.pi(*c),
                NodeKind::Comment => {}
            }
        }
        self.out.push_str("</");
        self.out.push_str(&qname);
        self.out.push('>');
    }
}

fn escape_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

fn escape_attr(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exc(xml: &str) -> String {
        let doc = Document::parse(xml.as_bytes(), "t").expect("parses");
        String::from_utf8(canonicalize(
            &doc,
            Apex::Document,
            None,
            &Method::Exclusive(vec![]),
        ))
        .expect("utf8")
    }

    #[test]
    fn exclusive_renders_only_used_namespaces_sorted() {
        let got = exc("<?xml version=\"1.0\"?><a:r xmlns:a=\"urn:a\" xmlns:z=\"urn:z\" b=\"2\" a:c=\"1\"><e/><!-- x --><z:f>1 &lt; 2</z:f></a:r>");
        assert_eq!(
            got,
            "<a:r xmlns:a=\"urn:a\" b=\"2\" a:c=\"1\"><e></e><z:f xmlns:z=\"urn:z\">1 &lt; 2</z:f></a:r>",
            "exclusive c14n output"
        );
    }

    #[test]
    fn inclusive_renders_every_namespace_at_the_apex() {
        let doc = Document::parse(
            b"<r xmlns=\"urn:d\" xmlns:q=\"urn:q\" xml:lang=\"fi\"><s><t/></s></r>",
            "t",
        )
        .expect("parses");
        let s = doc.child(doc.root, "s").expect("s");
        let got = String::from_utf8(canonicalize(
            &doc,
            Apex::Element(s),
            None,
            &Method::Inclusive,
        ))
        .expect("utf8");
        assert_eq!(
            got, "<s xmlns=\"urn:d\" xmlns:q=\"urn:q\" xml:lang=\"fi\"><t></t></s>",
            "inclusive c14n of a subtree"
        );
    }
}
