//! The one error type of the harness.

/// Why a benchmark step could not run, or found the data wrong.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// A step of the set-up failed (a process, an unexpected answer).
    #[error("{0}")]
    Setup(String),
    /// An invariant does not hold after a run: a correctness bug, never noise.
    #[error("INVARIANT BROKEN: {0}")]
    Invariant(String),
    /// The HTTP client failed.
    #[error("HTTP: {0}")]
    Http(#[from] reqwest::Error),
    /// A query of the checks or of the database set-up failed.
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
    /// The database could not be reached.
    #[error("database connection: {0}")]
    Connect(#[from] diesel::ConnectionError),
    /// Files and processes.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    /// Signing a token.
    #[error("token: {0}")]
    Jwt(#[from] jsonwebtoken::errors::Error),
}

/// The harness's result.
pub type Result<T> = std::result::Result<T, BenchError>;

/// A set-up error from anything printable.
pub fn setup(message: impl Into<String>) -> BenchError {
    BenchError::Setup(message.into())
}
