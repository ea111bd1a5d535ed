//! The identifiers a party and an item carry, each validated as the EN 16931 and Peppol
//! BIS 3.0 rules check them: ISO 3166-1 country codes, Peppol electronic addresses (an EAS
//! scheme and an identifier, with the check digit of the schemes whose Peppol rule is
//! fatal), VAT identifiers (BR-CO-09) and UN/ECE Recommendation 20 unit codes.

use super::codes::{COUNTRIES, EAS, UNIT_CODES};
use crate::error::DomainError;
use serde::{Deserialize, Serialize};

fn listed(list: &[&str], code: &str) -> bool {
    list.binary_search(&code).is_ok()
}

/// Parses an ISO 3166-1 alpha-2 country code (case-insensitive) for `field`.
///
/// # Errors
/// `Validation` when it is not in the list EN 16931 accepts (BR-CL-14).
pub fn country(field: &str, raw: &str) -> Result<String, DomainError> {
    let code = raw.trim().to_ascii_uppercase();
    if listed(&COUNTRIES, &code) {
        Ok(code)
    } else {
        Err(DomainError::invalid(
            field,
            format!("{field} must be an ISO 3166-1 alpha-2 country code such as BE, got {raw}"),
        ))
    }
}

/// A UN/ECE Recommendation 20 unit of measure (`KGM`, `BG`, `EA`, `C62`), from the full
/// list EN 16931 accepts (BR-CL-23).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnitCode(String);

impl UnitCode {
    /// `C62` ("one"): the unit of a line whose items name none.
    pub fn one() -> Self {
        Self("C62".to_owned())
    }

    /// Parses a code (case-sensitive, as the list is) for `field`.
    ///
    /// # Errors
    /// `Validation` when it is not a Recommendation 20 code.
    pub fn parse(field: &str, raw: &str) -> Result<Self, DomainError> {
        let code = raw.trim();
        if listed(&UNIT_CODES, code) {
            return Ok(Self(code.to_owned()));
        }
        // Package codes left Recommendation 20 for Recommendation 21, where EN 16931 takes
        // them with an X prefix (a bag: BG became XBG): name the code that passes.
        let package = format!("X{code}");
        let hint = if code.len() == 2 && listed(&UNIT_CODES, &package) {
            format!("; as a package code it is {package}")
        } else {
            String::new()
        };
        Err(DomainError::invalid(
            field,
            format!("{field} must be a UN/ECE Recommendation 20 unit code such as KGM, XBG or EA, got {raw}{hint}"),
        ))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Peppol electronic address: an EAS scheme id and an identifier in that scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectronicAddress {
    /// The EAS code (`0088` GLN, `0208` Belgian enterprise number, `9925` Belgian VAT).
    pub scheme: String,
    /// The identifier in that scheme.
    pub identifier: String,
}

impl ElectronicAddress {
    /// Parses `scheme` and `identifier` for `field`: the scheme from the EAS code list,
    /// the identifier 1-100 visible characters, checked as Peppol checks it for 0088
    /// (GLN), 0192 (Norway), 0184 (Denmark), 0208 (Belgium), 0007 (Sweden) and 0151 (ABN).
    ///
    /// # Errors
    /// `Validation` on `{field}.scheme` or `{field}.identifier`.
    pub fn parse(field: &str, scheme: &str, identifier: &str) -> Result<Self, DomainError> {
        let scheme = scheme.trim();
        if !listed(&EAS, scheme) {
            return Err(DomainError::invalid(
                format!("{field}.scheme"),
                format!("{field}.scheme must be a code of the Electronic Address Scheme list such as 0088, got {scheme}"),
            ));
        }
        let id = identifier.trim();
        let id_field = format!("{field}.identifier");
        if id.is_empty()
            || id.chars().count() > 100
            || id.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(DomainError::invalid(
                id_field.clone(),
                format!("{id_field} must be 1 to 100 characters without spaces"),
            ));
        }
        if let Some(rule) = scheme_check(scheme, id) {
            return Err(DomainError::invalid(
                id_field.clone(),
                format!("{id_field} is not a valid {rule}"),
            ));
        }
        Ok(Self {
            scheme: scheme.to_owned(),
            identifier: id.to_owned(),
        })
    }
}

/// What `id` fails to be under `scheme`'s check, if the scheme defines one.
fn scheme_check(scheme: &str, id: &str) -> Option<&'static str> {
    let digits = |n: usize| id.len() == n && id.bytes().all(|b| b.is_ascii_digit());
    let ok = match scheme {
        "0088" => digits(13) && gln(id),
        "0192" => digits(9) && mod11(id),
        "0184" => {
            digits(8)
                || (id.len() == 10
                    && id.starts_with("DK")
                    && id[2..].bytes().all(|b| b.is_ascii_digit()))
        }
        "0208" => digits(10) && mod97(id),
        "0007" => digits(10) && luhn(id),
        "0151" => digits(11) && abn(id),
        _ => return None,
    };
    (!ok).then_some(match scheme {
        "0088" => "GLN (13 digits, GS1 check digit)",
        "0192" => "Norwegian organisation number (9 digits, mod 11)",
        "0184" => "Danish CVR number (8 digits)",
        "0208" => "Belgian enterprise number (10 digits, mod 97)",
        "0007" => "Swedish organisation number (10 digits, Luhn)",
        _ => "Australian Business Number (11 digits)",
    })
}

fn values(id: &str) -> Vec<u32> {
    id.bytes().map(|b| u32::from(b - b'0')).collect()
}

/// GS1 mod 10: weights 3, 1, 3, ... from the digit left of the check digit.
pub fn gln(id: &str) -> bool {
    let d = values(id);
    let Some((check, body)) = d.split_last() else {
        return false;
    };
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, v)| v * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    (10 - sum % 10) % 10 == *check
}

/// Norwegian mod 11: weights 2-7 repeating from the right; never a check of 10.
fn mod11(id: &str) -> bool {
    let d = values(id);
    let Some((check, body)) = d.split_last() else {
        return false;
    };
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, v)| v * (u32::try_from(i % 6).unwrap_or(0) + 2))
        .sum();
    d.iter().any(|v| *v > 0) && (11 - sum % 11) % 11 == *check
}

/// Belgian enterprise number: the last two digits are 97 - (the first eight mod 97).
fn mod97(id: &str) -> bool {
    let (body, check) = id.split_at(8);
    match (body.parse::<u64>(), check.parse::<u64>()) {
        (Ok(b), Ok(c)) => 97 - b % 97 == c,
        _ => false,
    }
}

/// Luhn over the first nine digits, the tenth the check digit (Swedish organisation number).
fn luhn(id: &str) -> bool {
    let d = values(id);
    let sum: u32 = d[..9]
        .iter()
        .rev()
        .enumerate()
        .map(|(i, v)| {
            if i % 2 == 0 {
                (v * 2) % 10 + (v * 2) / 10
            } else {
                *v
            }
        })
        .sum();
    (10 - sum % 10) % 10 == d[9]
}

/// Australian Business Number: weighted sum (first digit less one) divisible by 89.
fn abn(id: &str) -> bool {
    const WEIGHTS: [u32; 11] = [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19];
    let d = values(id);
    if d[0] == 0 {
        return false;
    }
    let sum: u32 = d
        .iter()
        .zip(WEIGHTS)
        .enumerate()
        .map(|(i, (v, w))| if i == 0 { (v - 1) * w } else { v * w })
        .sum();
    sum.is_multiple_of(89)
}

/// Parses a VAT identifier for `field`: an ISO 3166-1 prefix (or `EL` for Greece) and 2 to
/// 13 letters or digits (BR-CO-09), upper-cased, spaces removed.
///
/// # Errors
/// `Validation` otherwise.
pub fn vat_id(field: &str, raw: &str) -> Result<String, DomainError> {
    let id: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let prefix_ok = id
        .get(..2)
        .is_some_and(|p| p == "EL" || listed(&COUNTRIES, p));
    let rest_ok = id.get(2..).is_some_and(|r| {
        (2..=13).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_alphanumeric())
    });
    if prefix_ok && rest_ok {
        Ok(id)
    } else {
        Err(DomainError::invalid(
            field,
            format!("{field} must start with its country's ISO 3166-1 code (EL for Greece) followed by 2 to 13 letters or digits, such as BE0123456749"),
        ))
    }
}

/// Parses a contact email for `field`: at most 254 characters, one `@`, a dotted domain.
///
/// # Errors
/// `Validation` otherwise.
pub fn email(field: &str, raw: &str) -> Result<String, DomainError> {
    let e = raw.trim();
    let valid = e.len() <= 254
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if valid {
        Ok(e.to_owned())
    } else {
        Err(DomainError::invalid(
            field,
            format!("{field} must be an email address"),
        ))
    }
}
