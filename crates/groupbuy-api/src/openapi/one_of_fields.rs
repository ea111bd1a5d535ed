//! Objects whose fields are each optional but of which at least one must be set (not
//! absent, not null): a campaign's close conditions (`thresholds` must set
//! `minParticipants` and/or `minQuantity`). Each gets an `if` (the first field absent or
//! null) / `then` (the second present and not null) rule, what the domain enforces with
//! 422; without it a generator following the schema sends `{}`.

use serde_json::{json, Value};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{OpenApi, RefOr};

/// (schema, the two fields of which at least one is set).
const AT_LEAST_ONE: &[(&str, [&str; 2])] =
    &[("ThresholdsBody", ["minParticipants", "minQuantity"])];

/// Adds the rules of [`AT_LEAST_ONE`].
pub(super) fn add(api: &mut OpenApi) {
    let Some(components) = api.components.as_mut() else {
        return;
    };
    for (name, fields) in AT_LEAST_ONE {
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(*name) {
            // utoipa's object has no `allOf` of its own next to `properties`; its extensions
            // are written flattened, and one key keeps the committed document stable.
            object
                .extensions
                .get_or_insert_with(Default::default)
                .insert("allOf".to_owned(), rule(*fields));
        }
    }
}

/// `[{"if": first absent or null, "then": second present and not null}]`.
fn rule([first, second]: [&str; 2]) -> Value {
    json!([{
        "if": {"properties": {first: {"type": "null"}}},
        "then": {"required": [second], "properties": {second: {"not": {"type": "null"}}}}
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_second_field_is_required_when_the_first_is_unset() {
        let r = rule(["a", "b"]);
        assert_eq!(r[0]["if"]["properties"]["a"], json!({"type": "null"}));
        assert_eq!(r[0]["then"]["required"], json!(["b"]));
        let doc = super::super::served_value();
        let thresholds = &doc["components"]["schemas"]["ThresholdsBody"];
        assert_eq!(
            thresholds["allOf"],
            rule(["minParticipants", "minQuantity"])
        );
    }
}
