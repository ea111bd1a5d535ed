//! Which characters text from a client may carry: no control characters (C0 below
//! U+0020, DEL U+007F, C1 U+0080-U+009F) in any string of a body, a path, a query or a
//! token. PostgreSQL refuses NUL in text (a 500 before this check), and the others have no
//! business in names, ids or codes. Free-text fields ([`MULTILINE_FIELDS`]) may also carry
//! line breaks and tabs.

use serde_json::Value;

/// Body fields that are free text: line feed, carriage return and tab are allowed there.
pub const MULTILINE_FIELDS: &[&str] = &["description", "details"];

/// Whether `c` is a control character (C0, DEL or C1).
pub fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// Whether `text` holds a refused character; `multiline` allows `\n`, `\r` and `\t`.
pub fn has_refused_char(text: &str, multiline: bool) -> bool {
    text.chars()
        .any(|c| is_control(c) && !(multiline && matches!(c, '\n' | '\r' | '\t')))
}

/// The JSON path (`title`, `thresholds.minQuantity`, `items[2].name`) of the first string
/// (value or key) of `value` holding a refused character.
pub fn refused_json_path(value: &Value) -> Option<String> {
    walk(value, "", false)
}

fn walk(value: &Value, path: &str, multiline: bool) -> Option<String> {
    match value {
        Value::String(s) => has_refused_char(s, multiline).then(|| path.to_owned()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| walk(v, &format!("{path}[{i}]"), false)),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let here = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            if has_refused_char(k, false) {
                return Some(if path.is_empty() {
                    "body".into()
                } else {
                    path.into()
                });
            }
            walk(v, &here, MULTILINE_FIELDS.contains(&k.as_str()))
        }),
        Value::Null | Value::Bool(_) | Value::Number(_) => None,
    }
}

/// Whether raw JSON might hold a control character in a string: only through an escape
/// (JSON forbids raw C0 in strings), a raw DEL, or a raw C1 (UTF-8 `C2 80`-`C2 9F`).
/// Lets clean bodies skip the walk.
pub fn json_may_hold_control(bytes: &[u8]) -> bool {
    bytes.contains(&b'\\')
        || bytes.contains(&0x7f)
        || bytes
            .windows(2)
            .any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1]))
}

/// Which part of a request target (`path` or `query`) holds a control character once
/// percent-decoded (`%00`, `%0A`, `%C2%85`...).
pub fn refused_target_part(path: &str, query: Option<&str>) -> Option<&'static str> {
    let bad = |raw: &str| has_refused_char(&String::from_utf8_lossy(&percent_decode(raw)), false);
    if bad(path) {
        Some("path")
    } else if query.is_some_and(bad) {
        Some("query")
    } else {
        None
    }
}

/// Percent-decodes `raw`; a `%` not followed by two hex digits stays as it is.
fn percent_decode(raw: &str) -> Vec<u8> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn control_characters_are_c0_del_and_c1() {
        for c in [
            '\0', '\u{1}', '\n', '\u{1b}', '\u{1f}', '\u{7f}', '\u{85}', '\u{9f}',
        ] {
            assert!(is_control(c), "{c:?}");
        }
        for c in [' ', '~', '\u{a0}', 'é', '€', '\u{200b}'] {
            assert!(!is_control(c), "{c:?}");
        }
    }

    #[test]
    fn multiline_text_allows_line_breaks_and_tabs_only() {
        assert!(has_refused_char("a\nb", false));
        assert!(!has_refused_char("a\r\n\tb", true));
        assert!(has_refused_char("a\0b", true));
        assert!(has_refused_char("a\u{85}b", true));
        assert!(!has_refused_char("Teak lamps, 40 cm — €45", false));
    }

    #[test]
    fn names_the_json_path_of_the_first_refused_string() {
        assert_eq!(refused_json_path(&json!({"shopName": "ok"})), None);
        assert_eq!(
            refused_json_path(&json!({"shopName": "a\u{0}b"})).as_deref(),
            Some("shopName")
        );
        assert_eq!(
            refused_json_path(&json!({"metadata": {"groupInstanceId": "\u{1}"}})).as_deref(),
            Some("metadata.groupInstanceId")
        );
        assert_eq!(
            refused_json_path(&json!({"items": [{"n": "ok"}, {"n": "\u{7f}"}]})).as_deref(),
            Some("items[1].n")
        );
        assert_eq!(
            refused_json_path(&json!({"a\u{0}": 1})).as_deref(),
            Some("body")
        );
        // free text keeps its lines, other fields do not
        assert_eq!(refused_json_path(&json!({"description": "a\nb\tc"})), None);
        assert_eq!(
            refused_json_path(&json!({"title": "a\nb"})).as_deref(),
            Some("title")
        );
        assert_eq!(
            refused_json_path(&json!({"details": "a\u{0}"})).as_deref(),
            Some("details")
        );
    }

    #[test]
    fn only_escapes_del_and_c1_can_smuggle_control_characters() {
        assert!(!json_may_hold_control(
            r#"{"shopName": "Teak é"}"#.as_bytes()
        ));
        assert!(json_may_hold_control(br#"{"a": "\u0000"}"#));
        assert!(json_may_hold_control("{\"a\": \"\u{85}\"}".as_bytes()));
        assert!(json_may_hold_control("{\"a\": \"\u{7f}\"}".as_bytes()));
        assert!(!json_may_hold_control("{\"a\": \"é€\"}".as_bytes()));
    }

    #[test]
    fn request_targets_are_checked_after_percent_decoding() {
        assert_eq!(
            refused_target_part("/v2/handles/gharart", Some("a=1")),
            None
        );
        assert_eq!(
            refused_target_part("/wallets/a%00b/credit", None),
            Some("path")
        );
        assert_eq!(refused_target_part("/code/%0a", None), Some("path"));
        assert_eq!(refused_target_part("/p/a%C2%85b", None), Some("path"));
        assert_eq!(refused_target_part("/p", Some("handle=%00")), Some("query"));
        assert_eq!(refused_target_part("/p", Some("status=%7F")), Some("query"));
        // not escapes: left alone
        assert_eq!(refused_target_part("/p/100%", Some("q=%zz&r=%0")), None);
        assert_eq!(refused_target_part("/p/%C3%A9", None), None);
    }
}
