//! Errors that cross the JS boundary carry a kind; `js/errors.js` turns the
//! kind into the class mediasoup throws for the same situation.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Plain `Error` (duplicate ids, port in use, ...).
    Error,
    /// `TypeError`: invalid arguments.
    TypeError,
    /// `UnsupportedError`: codecs or features that cannot be negotiated.
    Unsupported,
    /// `NotFoundError`: the target object does not exist (any more).
    NotFound,
    /// `InvalidStateError`: the object is in the wrong state for the call.
    InvalidState,
    /// `WorkerClosedError`: the worker is gone.
    WorkerClosed,
}

impl ErrorKind {
    /// The name JS uses to pick the error class.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Error => "Error",
            ErrorKind::TypeError => "TypeError",
            ErrorKind::Unsupported => "UnsupportedError",
            ErrorKind::NotFound => "NotFoundError",
            ErrorKind::InvalidState => "InvalidStateError",
            ErrorKind::WorkerClosed => "WorkerClosedError",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }
    pub fn type_error(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::TypeError, message)
    }
    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unsupported, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }
    pub fn invalid_state(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidState, message)
    }
    pub fn other(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Error, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
