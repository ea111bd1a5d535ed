//! Which characters text from a client may carry: no control characters (C0 below
//! U+0020, DEL U+007F, C1 U+0080-U+009F) and no Unicode noncharacters (U+FDD0-U+FDEF and
//! the last two code points of every plane, U+FFFE and U+FFFF among them) in any string of
//! a body, a path, a query or a token. PostgreSQL refuses NUL in text (a 500 before this
//! check); C0 controls, U+FFFE and U+FFFF cannot appear in XML 1.0, so a name holding one
//! breaks the settlement's UBL document; the others have no business in names, ids or
//! codes. Free-text fields ([`MULTILINE_FIELDS`]) may also carry line breaks and tabs.
//! Lone surrogates need no rule: a Rust string cannot hold one and JSON's `\uD800` alone
//! is refused by the parser.

use serde_json::Value;

/// Body fields that are free text: line feed, carriage return and tab are allowed there.
pub const MULTILINE_FIELDS: &[&str] = &["description", "details"];

/// Whether `c` is a control character (C0, DEL or C1).
pub fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// Whether `c` is a Unicode noncharacter: U+FDD0-U+FDEF, or U+xFFFE / U+xFFFF of any plane.
pub fn is_noncharacter(c: char) -> bool {
    matches!(c, '\u{fdd0}'..='\u{fdef}') || (u32::from(c) & 0xfffe) == 0xfffe
}

/// Whether `text` holds a refused character; `multiline` allows `\n`, `\r` and `\t`.
pub fn has_refused_char(text: &str, multiline: bool) -> bool {
    text.chars().any(|c| {
        (is_control(c) && !(multiline && matches!(c, '\n' | '\r' | '\t'))) || is_noncharacter(c)
    })
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

/// Whether raw JSON might hold a refused character in a string: through an escape, or
/// raw (a raw tab or line break is whitespace between tokens: JSON strings cannot hold
/// one). Lets clean bodies skip the walk.
pub fn json_may_hold_refused(bytes: &[u8]) -> bool {
    bytes.contains(&b'\\') || has_refused_char(&String::from_utf8_lossy(bytes), true)
}

/// Which part of a request target (`path` or `query`) holds a refused character once
/// percent-decoded (`%00`, `%0A`, `%C2%85`, `%EF%BF%BE`...).
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
    fn noncharacters_are_refused_everywhere() {
        for c in [
            '\u{fffe}',
            '\u{ffff}',
            '\u{fdd0}',
            '\u{fdef}',
            '\u{1fffe}',
            '\u{10ffff}',
        ] {
            assert!(is_noncharacter(c), "{c:?}");
            assert!(has_refused_char(&format!("a{c}b"), true), "{c:?}");
        }
        for c in [
            '\u{fffd}',
            '\u{fdcf}',
            '\u{fdf0}',
            '\u{1fffd}',
            '\u{e000}',
            '\u{10000}',
        ] {
            assert!(!is_noncharacter(c), "{c:?}");
        }
        assert_eq!(
            refused_json_path(&json!({"name": "Teak\u{fffe}"})).as_deref(),
            Some("name")
        );
        assert_eq!(refused_target_part("/p/a%EF%BF%BE", None), Some("path"));
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
    fn only_escapes_and_raw_refused_characters_need_the_walk() {
        assert!(!json_may_hold_refused(
            "{\"shopName\": \"Teak é\",\n\t\"a\": 1}".as_bytes()
        ));
        assert!(json_may_hold_refused(br#"{"a": "\u0000"}"#));
        assert!(json_may_hold_refused(br#"{"a": "\ufffe"}"#));
        assert!(json_may_hold_refused("{\"a\": \"\u{85}\"}".as_bytes()));
        assert!(json_may_hold_refused("{\"a\": \"\u{7f}\"}".as_bytes()));
        assert!(json_may_hold_refused("{\"a\": \"\u{fffe}\"}".as_bytes()));
        assert!(json_may_hold_refused("{\"a\": \"\u{10ffff}\"}".as_bytes()));
        assert!(!json_may_hold_refused("{\"a\": \"é€\u{fffd}\"}".as_bytes()));
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
