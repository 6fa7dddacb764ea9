//! `UserScramCredentialAlteration`: the one admin request value that is not
//! plain data, since its password and salt are overwritten when it is
//! dropped (native/ does the volatile writes). native/ reads it through
//! [`ScramAlteration`], a borrowed plain view.

use crate::native::ScramAlteration;
use crate::values::admin::{ScramCredentialInfo, ScramMechanism};
use std::fmt;

/// A change to a user's SCRAM credentials, for
/// `alter_user_scram_credentials`: the Python client's
/// `UserScramCredentialUpsertion` and `UserScramCredentialDeletion`.
///
/// The password and salt are never shown by `Debug` and are overwritten
/// when the value is dropped.
///
/// Corresponds to `rd_kafka_UserScramCredentialAlteration_t`.
///
/// ```
/// use ferrokafka::admin::{ScramMechanism, UserScramCredentialAlteration};
/// let up = UserScramCredentialAlteration::upsertion("alice", ScramMechanism::SCRAM_SHA_256, 8192, b"s3cret");
/// assert!(!format!("{up:?}").contains("s3cret"));
/// assert_eq!(up.user(), "alice");
/// ```
#[doc(alias = "rd_kafka_UserScramCredentialAlteration_t")]
#[derive(Clone)]
#[non_exhaustive]
pub enum UserScramCredentialAlteration {
    /// Creates or replaces the credential for a mechanism.
    Upsertion {
        /// The user name.
        user: String,
        /// The mechanism and iteration count.
        info: ScramCredentialInfo,
        /// The password.
        password: Vec<u8>,
        /// The salt (`None`: librdkafka generates a random one).
        salt: Option<Vec<u8>>,
    },
    /// Deletes the credential for a mechanism.
    Deletion {
        /// The user name.
        user: String,
        /// The mechanism.
        mechanism: ScramMechanism,
    },
}

impl UserScramCredentialAlteration {
    /// The plain view native/ builds the C object from.
    pub(crate) fn as_native(&self) -> ScramAlteration<'_> {
        match self {
            UserScramCredentialAlteration::Upsertion {
                user,
                info,
                password,
                salt,
            } => ScramAlteration::Upsertion {
                user,
                mechanism: info.mechanism.0,
                iterations: info.iterations,
                password,
                salt: salt.as_deref(),
            },
            UserScramCredentialAlteration::Deletion { user, mechanism } => ScramAlteration::Deletion {
                user,
                mechanism: mechanism.0,
            },
        }
    }

    /// Creates or replaces `user`'s credential for `mechanism`, with a
    /// random salt.
    ///
    /// Corresponds to `rd_kafka_UserScramCredentialUpsertion_new`.
    #[doc(alias = "rd_kafka_UserScramCredentialUpsertion_new")]
    pub fn upsertion(
        user: impl Into<String>,
        mechanism: ScramMechanism,
        iterations: i32,
        password: impl Into<Vec<u8>>,
    ) -> Self {
        UserScramCredentialAlteration::Upsertion {
            user: user.into(),
            info: ScramCredentialInfo { mechanism, iterations },
            password: password.into(),
            salt: None,
        }
    }

    /// Sets the salt of an upsertion (ignored for a deletion).
    pub fn with_salt(mut self, new_salt: impl Into<Vec<u8>>) -> Self {
        if let UserScramCredentialAlteration::Upsertion { salt, .. } = &mut self {
            *salt = Some(new_salt.into());
        }
        self
    }

    /// Deletes `user`'s credential for `mechanism`.
    ///
    /// Corresponds to `rd_kafka_UserScramCredentialDeletion_new`.
    #[doc(alias = "rd_kafka_UserScramCredentialDeletion_new")]
    pub fn deletion(user: impl Into<String>, mechanism: ScramMechanism) -> Self {
        UserScramCredentialAlteration::Deletion {
            user: user.into(),
            mechanism,
        }
    }

    /// The user this alteration is for.
    pub fn user(&self) -> &str {
        match self {
            UserScramCredentialAlteration::Upsertion { user, .. } => user,
            UserScramCredentialAlteration::Deletion { user, .. } => user,
        }
    }

    /// The mechanism this alteration is for.
    pub fn mechanism(&self) -> ScramMechanism {
        match self {
            UserScramCredentialAlteration::Upsertion { info, .. } => info.mechanism,
            UserScramCredentialAlteration::Deletion { mechanism, .. } => *mechanism,
        }
    }
}

impl fmt::Debug for UserScramCredentialAlteration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UserScramCredentialAlteration::Upsertion { user, info, salt, .. } => f
                .debug_struct("Upsertion")
                .field("user", user)
                .field("info", info)
                .field("password", &"[REDACTED]")
                .field("salt", &salt.as_ref().map(|_| "[REDACTED]"))
                .finish(),
            UserScramCredentialAlteration::Deletion { user, mechanism } => f
                .debug_struct("Deletion")
                .field("user", user)
                .field("mechanism", mechanism)
                .finish(),
        }
    }
}

impl Drop for UserScramCredentialAlteration {
    fn drop(&mut self) {
        if let UserScramCredentialAlteration::Upsertion { password, salt, .. } = self {
            crate::native::zeroize(std::mem::take(password));
            if let Some(s) = salt.take() {
                crate::native::zeroize(s);
            }
        }
    }
}
