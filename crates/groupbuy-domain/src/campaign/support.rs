//! End-user support reports (`POST /v2/support/report`) and the rate limit guarding them.

use crate::error::DomainError;
use time::OffsetDateTime;
use uuid::Uuid;

/// The raw fields of a report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SupportReportFields {
    /// One line.
    pub summary: String,
    /// Everything else.
    pub details: String,
    /// Handle concerned.
    pub handle: Option<String>,
    /// Client session id.
    pub session_id: Option<String>,
    /// Request id of the failing call.
    pub request_id: Option<String>,
    /// Repro artifact (URL, run id, slug...).
    pub repro_artifact: Option<String>,
}

/// A validated report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportReportDraft {
    /// Trimmed summary, 1-200 characters.
    pub summary: String,
    /// Details, 1-10000 characters.
    pub details: String,
    /// Handle (up to 200 characters).
    pub handle: Option<String>,
    /// Session id (up to 200).
    pub session_id: Option<String>,
    /// Referenced request id (up to 200).
    pub request_id: Option<String>,
    /// Repro artifact (up to 2000).
    pub repro_artifact: Option<String>,
}

fn bounded(field: &str, value: &str, min: usize, max: usize) -> Result<(), DomainError> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(DomainError::invalid(
            field,
            format!("{field} must be between {min} and {max} characters"),
        ));
    }
    Ok(())
}

fn optional(field: &str, value: Option<String>, max: usize) -> Result<Option<String>, DomainError> {
    let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    if let Some(v) = &value {
        bounded(field, v, 1, max)?;
    }
    Ok(value)
}

impl SupportReportDraft {
    /// Validates the fields, naming the first invalid one.
    pub fn parse(f: SupportReportFields) -> Result<Self, DomainError> {
        let summary = f.summary.trim().to_owned();
        bounded("summary", &summary, 1, 200)?;
        let details = f.details.trim().to_owned();
        bounded("details", &details, 1, 10_000)?;
        Ok(Self {
            summary,
            details,
            handle: optional("handle", f.handle, 200)?,
            session_id: optional("sessionId", f.session_id, 200)?,
            request_id: optional("requestId", f.request_id, 200)?,
            repro_artifact: optional("reproArtifact", f.repro_artifact, 2000)?,
        })
    }
}

/// A stored report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportReport {
    /// Report id.
    pub id: Uuid,
    /// The validated fields.
    pub fields: SupportReportDraft,
    /// `user:<sub>` or `anonymous`.
    pub reporter: String,
    /// Client address the report came from.
    pub client_ip: String,
    /// Id of the request that submitted it.
    pub submitted_request_id: String,
    /// When it was submitted (UTC, from the injected clock).
    pub created_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_validated_naming_the_field() {
        let ok = SupportReportFields {
            summary: "Close refused".into(),
            details: "It said thresholds not met".into(),
            ..Default::default()
        };
        assert!(SupportReportDraft::parse(ok.clone()).is_ok());
        let cases = [
            (
                SupportReportFields {
                    summary: " ".into(),
                    ..ok.clone()
                },
                "summary",
            ),
            (
                SupportReportFields {
                    summary: "x".repeat(201),
                    ..ok.clone()
                },
                "summary",
            ),
            (
                SupportReportFields {
                    details: String::new(),
                    ..ok.clone()
                },
                "details",
            ),
            (
                SupportReportFields {
                    details: "x".repeat(10_001),
                    ..ok.clone()
                },
                "details",
            ),
            (
                SupportReportFields {
                    repro_artifact: Some("x".repeat(2001)),
                    ..ok
                },
                "reproArtifact",
            ),
        ];
        for (f, field) in cases {
            assert!(
                matches!(SupportReportDraft::parse(f), Err(DomainError::Validation { field: got, .. }) if got == field),
                "{field}"
            );
        }
    }
}
