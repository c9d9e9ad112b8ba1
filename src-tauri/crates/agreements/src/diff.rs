//! Field-level differences between two versions of a document (as JSON): which field changed,
//! what it was, what it became.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One changed field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// JSON pointer of the field.
    pub path: String,
    /// The value before, as JSON text (`None` = the field was added).
    pub before: Option<String>,
    /// The value after, as JSON text (`None` = the field was removed).
    pub after: Option<String>,
}

/// The changed leaves between `before` and `after`, in document order. Objects are compared
/// key by key and arrays index by index; anything else is compared whole.
pub fn diff(before: &Value, after: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    walk(String::new(), Some(before), Some(after), &mut out);
    out
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn walk(path: String, a: Option<&Value>, b: Option<&Value>, out: &mut Vec<Change>) {
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            for (k, v) in x {
                walk(format!("{path}/{}", escape(k)), Some(v), y.get(k), out);
            }
            for (k, v) in y {
                if !x.contains_key(k) {
                    walk(format!("{path}/{}", escape(k)), None, Some(v), out);
                }
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) => {
            for i in 0..x.len().max(y.len()) {
                walk(format!("{path}/{i}"), x.get(i), y.get(i), out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(Change {
            path: if path.is_empty() {
                "/".to_owned()
            } else {
                path
            },
            before: a.map(Value::to_string),
            after: b.map(Value::to_string),
        }),
    }
}
