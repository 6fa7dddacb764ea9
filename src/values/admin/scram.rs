//! SASL/SCRAM user credentials.

c_enum! {
    /// A SCRAM mechanism: the Python client's `ScramMechanism`.
    ///
    /// Corresponds to `rd_kafka_ScramMechanism_t`.
    #[doc(alias = "rd_kafka_ScramMechanism_t")]
    ScramMechanism {
        /// Unknown (0).
        UNKNOWN = 0,
        /// SCRAM-SHA-256 (1).
        SCRAM_SHA_256 = 1,
        /// SCRAM-SHA-512 (2).
        SCRAM_SHA_512 = 2,
    }
}

/// A mechanism and its iteration count: the Python client's
/// `ScramCredentialInfo`.
///
/// Corresponds to `rd_kafka_ScramCredentialInfo_t`.
#[doc(alias = "rd_kafka_ScramCredentialInfo_t")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ScramCredentialInfo {
    /// The mechanism.
    pub mechanism: ScramMechanism,
    /// The iteration count (Kafka accepts 4096 to 16384).
    pub iterations: i32,
}

impl ScramCredentialInfo {
    /// A mechanism and an iteration count.
    pub fn new(mechanism: ScramMechanism, iterations: i32) -> Self {
        ScramCredentialInfo { mechanism, iterations }
    }
}

/// A user's SCRAM credentials as `describe_user_scram_credentials` reports
/// them: the Python client's `UserScramCredentialsDescription`.
///
/// Corresponds to `rd_kafka_UserScramCredentialsDescription_t`.
#[doc(alias = "rd_kafka_UserScramCredentialsDescription_t")]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserScramCredentialsDescription {
    /// The user name.
    pub user: String,
    /// One entry per mechanism the user has a credential for.
    pub scram_credential_infos: Vec<ScramCredentialInfo>,
}
