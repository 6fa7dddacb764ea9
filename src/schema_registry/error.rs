//! [`SchemaRegistryError`]: what a registry call can fail with.

use crate::error::{ErrorCode, KafkaError};

/// An error from the Schema Registry or from reaching it.
///
/// Messages name the request (`GET /subjects/orders-value/versions`) and,
/// for transport errors, the registry's address without credentials;
/// they never contain a password or token.
///
/// `?` turns it into a [`KafkaError`]: `Http` becomes `_FAIL` (retriable
/// for 408, 429 and 5xx), `Transport` `_TRANSPORT`, `Timeout` `_TIMED_OUT`
/// (both retriable), `InvalidResponse` `_BAD_MSG`, `Config` `_INVALID_ARG`.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SchemaRegistryError {
    /// The registry answered with an error status.
    #[error("{request}: {message} (HTTP status code {status}, SR code {error_code})")]
    Http {
        /// The request: method and path, e.g. `POST /subjects/s/versions`.
        request: String,
        /// The HTTP status code (404, 409, 422, 500...).
        status: u16,
        /// The registry's error code (40401: subject not found, 40403:
        /// schema not found, 409: incompatible schema, 42201: invalid
        /// schema...); -1 when the response did not carry one.
        error_code: i32,
        /// The registry's message.
        message: String,
    },
    /// The registry could not be reached, or the connection failed (refused,
    /// reset, name resolution, TLS).
    #[error("{0}")]
    Transport(String),
    /// The registry did not answer within the configured `timeout`.
    #[error("{0}")]
    Timeout(String),
    /// The registry's answer was not what the API defines (not JSON, a
    /// missing field).
    #[error("{0}")]
    InvalidResponse(String),
    /// The client's configuration or a call's argument is invalid.
    #[error("{0}")]
    Config(String),
}

impl SchemaRegistryError {
    /// The registry's error code (`Http` errors), e.g. 40401.
    pub fn error_code(&self) -> Option<i32> {
        match self {
            SchemaRegistryError::Http { error_code, .. } => Some(*error_code),
            _ => None,
        }
    }

    /// The HTTP status code (`Http` errors), e.g. 404.
    pub fn status(&self) -> Option<u16> {
        match self {
            SchemaRegistryError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether trying again later may succeed: transport errors, timeouts,
    /// and the statuses the client itself retries (408, 429, 500, 502,
    /// 503, 504).
    pub fn is_retriable(&self) -> bool {
        match self {
            SchemaRegistryError::Http { status, .. } => is_retriable_status(*status),
            SchemaRegistryError::Transport(_) | SchemaRegistryError::Timeout(_) => true,
            _ => false,
        }
    }

    /// Whether this is the registry's "not found" for a subject (40401),
    /// version (40402) or schema (40403).
    pub fn is_not_found(&self) -> bool {
        matches!(self.error_code(), Some(40401..=40403))
    }
}

/// The statuses the Python client (and this one) retries.
pub(crate) fn is_retriable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

impl From<SchemaRegistryError> for KafkaError {
    fn from(e: SchemaRegistryError) -> Self {
        let retriable = e.is_retriable();
        let code = match &e {
            SchemaRegistryError::Http { .. } => ErrorCode::FAIL,
            SchemaRegistryError::Transport(_) => ErrorCode::TRANSPORT,
            SchemaRegistryError::Timeout(_) => ErrorCode::TIMED_OUT,
            SchemaRegistryError::InvalidResponse(_) => ErrorCode::BAD_MSG,
            SchemaRegistryError::Config(_) => ErrorCode::INVALID_ARG,
        };
        KafkaError::new(code, format!("Schema Registry: {e}")).with_retriable(retriable)
    }
}
