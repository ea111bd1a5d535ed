//! Content negotiation in the document: where an operation also answers XML, the
//! `Accept` header that chooses it.

use utoipa::Modify;

/// Operations that also answer XML document the `Accept` header that chooses it, so a
/// generated client can ask for (and does not parse as JSON) the XML.
pub struct XmlNegotiation;

impl Modify for XmlNegotiation {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::{ObjectBuilder, RefOr, Required, Type};
        for op in super::operations(openapi) {
            let xml = op
                .responses
                .responses
                .values()
                .any(|r| matches!(r, RefOr::T(r) if r.content.keys().any(|c| c == XML)));
            if !xml {
                continue;
            }
            op.parameters.get_or_insert_with(Vec::new).push(
                ParameterBuilder::new()
                    .name("Accept")
                    .parameter_in(ParameterIn::Header)
                    .required(Required::False)
                    .description(Some(
                        "application/xml for the XML form (served as application/xml; \
                         charset=utf-8); anything else, or none, is JSON",
                    ))
                    .schema(Some(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .enum_values(Some(["application/json", XML])),
                    ))
                    .build(),
            );
        }
    }
}

/// The XML content type some operations also answer.
const XML: &str = "application/xml";
