//! The character rule of `platform::text` stated in the document: every free string a
//! request sends (body fields, path and query parameters) gets a `pattern` refusing what
//! the server refuses (C0, DEL, C1 and the BMP noncharacters; line breaks and tabs are
//! allowed in the multiline fields). Without it a generator following the schema sends
//! control characters the server answers with 400/422, so the schema was looser than the
//! validation. Strings with an `enum` or a `format` are left as they are, and so are
//! anchored patterns (their character class already excludes these characters). An
//! optional body is documented as its object, never `null` (see [`absent_not_null`]).

use crate::platform::text::MULTILINE_FIELDS;
use std::collections::BTreeSet;
use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
use utoipa::openapi::schema::{ArrayItems, Schema, SchemaType, Type};
use utoipa::openapi::{OpenApi, RefOr};

/// Refused in a single-line string (the astral noncharacters U+xFFFE/U+xFFFF beyond the
/// BMP cannot be written in a class without the `u` flag; the server still refuses them).
const REFUSED: &str = r"\u0000-\u001F\u007F-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF";
/// Refused in a multiline string: the same less tab, line feed and carriage return.
const REFUSED_MULTILINE: &str =
    r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF";

/// Adds the character patterns to the request bodies' schemas and the operations'
/// string parameters.
pub(super) fn add(api: &mut OpenApi) {
    let mut bodies = BTreeSet::new();
    for op in super::operations(api) {
        absent_not_null(op);
        // Headers cannot carry these characters at all (HTTP refuses them).
        let in_url = |p: &&mut Parameter| !matches!(p.parameter_in, ParameterIn::Header);
        for p in op.parameters.iter_mut().flatten().filter(in_url) {
            if let Some(RefOr::T(schema)) = p.schema.as_mut() {
                restrict(schema, false);
            }
        }
        collect_body_refs(op, &mut bodies);
    }
    let Some(components) = api.components.as_mut() else {
        return;
    };
    // Schemas a body reaches through its references, transitively.
    let mut pending: Vec<String> = bodies.iter().cloned().collect();
    let mut seen = bodies;
    while let Some(name) = pending.pop() {
        if let Some(schema) = components.schemas.get(&name) {
            let mut refs = Vec::new();
            refs_of(schema, &mut refs);
            for r in refs {
                if seen.insert(r.clone()) {
                    pending.push(r);
                }
            }
        }
    }
    for name in &seen {
        if let Some(RefOr::T(schema)) = components.schemas.get_mut(name) {
            walk(schema, false);
        }
    }
}

/// An optional body (`Option<T>`: utoipa writes `oneOf: [null, T]`) may be left out, but
/// a body is a JSON object or nothing (`parse_json` refuses a literal `null` with 400): the
/// schema says `T`, and the body stays optional (no `required`).
fn absent_not_null(op: &mut Operation) {
    let contents = op
        .request_body
        .iter_mut()
        .flat_map(|b| b.content.values_mut());
    for c in contents {
        if let Some(RefOr::T(Schema::OneOf(one))) = &c.schema {
            let is_null = |s: &&RefOr<Schema>| matches!(s, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null));
            if one.items.len() == 2 && one.items.iter().any(|s| is_null(&s)) {
                c.schema = one.items.iter().find(|s| !is_null(s)).cloned();
            }
        }
    }
}

fn component_name(reference: &str) -> Option<String> {
    reference
        .strip_prefix("#/components/schemas/")
        .map(str::to_owned)
}

fn collect_body_refs(op: &Operation, out: &mut BTreeSet<String>) {
    let contents = op.request_body.iter().flat_map(|b| b.content.values());
    for c in contents {
        let mut refs = Vec::new();
        if let Some(s) = &c.schema {
            refs_of(s, &mut refs);
        }
        out.extend(refs);
    }
}

/// The component names `schema` refers to (one level of components; nested inline
/// schemas are searched).
fn refs_of(schema: &RefOr<Schema>, out: &mut Vec<String>) {
    match schema {
        RefOr::Ref(r) => out.extend(component_name(&r.ref_location)),
        RefOr::T(Schema::Object(o)) => o.properties.values().for_each(|p| refs_of(p, out)),
        RefOr::T(Schema::Array(a)) => {
            if let ArrayItems::RefOrSchema(items) = &a.items {
                refs_of(items, out);
            }
        }
        RefOr::T(Schema::OneOf(o)) => o.items.iter().for_each(|s| refs_of(s, out)),
        RefOr::T(Schema::AllOf(o)) => o.items.iter().for_each(|s| refs_of(s, out)),
        RefOr::T(Schema::AnyOf(o)) => o.items.iter().for_each(|s| refs_of(s, out)),
        RefOr::T(_) => {}
    }
}

/// Restricts every free string under `schema`; `multiline` for a free-text field.
fn walk(schema: &mut Schema, multiline: bool) {
    match schema {
        Schema::Object(o) => {
            for (name, p) in o.properties.iter_mut() {
                if let RefOr::T(s) = p {
                    walk(s, MULTILINE_FIELDS.contains(&name.as_str()));
                }
            }
            restrict(schema, multiline);
        }
        Schema::Array(a) => {
            if let ArrayItems::RefOrSchema(items) = &mut a.items {
                if let RefOr::T(s) = items.as_mut() {
                    walk(s, false);
                }
            }
        }
        Schema::OneOf(o) => o.items.iter_mut().for_each(|s| walk_ref(s, multiline)),
        Schema::AllOf(o) => o.items.iter_mut().for_each(|s| walk_ref(s, multiline)),
        Schema::AnyOf(o) => o.items.iter_mut().for_each(|s| walk_ref(s, multiline)),
        _ => {}
    }
}

fn walk_ref(schema: &mut RefOr<Schema>, multiline: bool) {
    if let RefOr::T(s) = schema {
        walk(s, multiline);
    }
}

fn is_string(t: &SchemaType) -> bool {
    match t {
        SchemaType::Type(t) => *t == Type::String,
        SchemaType::Array(ts) => ts.contains(&Type::String),
        SchemaType::AnyValue => false,
    }
}

/// Gives a free string schema the character pattern. `\S` (at least one visible
/// character) becomes one pattern saying both.
fn restrict(schema: &mut Schema, multiline: bool) {
    let Schema::Object(o) = schema else {
        return;
    };
    if !is_string(&o.schema_type) || o.enum_values.is_some() || o.format.is_some() {
        return;
    }
    let refused = if multiline {
        REFUSED_MULTILINE
    } else {
        REFUSED
    };
    o.pattern = match o.pattern.as_deref() {
        None => Some(format!("^[^{refused}]*$")),
        Some(r"\S") => Some(format!(r"^[^{refused}]*[^\s{refused}][^{refused}]*$")),
        Some(_) => return,
    };
}
