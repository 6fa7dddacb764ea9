//! Scrubbing secrets out of text that may quote them (librdkafka's logs and
//! errors).

/// Scrubs secret values out of text that may quote them.
#[derive(Default)]
pub(crate) struct Redactor {
    // Grows when `set_sasl_credentials` hands the client a new password.
    secrets: std::sync::RwLock<Vec<String>>,
}

impl Redactor {
    pub(crate) fn new(secrets: Vec<String>) -> Self {
        Redactor {
            secrets: std::sync::RwLock::new(secrets),
        }
    }

    /// Scrubs `secret` from everything redacted from now on (empty
    /// strings are ignored: they would match everywhere).
    pub(crate) fn add(&self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let mut v = self.secrets.write().unwrap_or_else(|e| e.into_inner());
        if !v.iter().any(|s| s == secret) {
            v.push(secret.to_string());
        }
    }

    pub(crate) fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in self.secrets.read().unwrap_or_else(|e| e.into_inner()).iter() {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "[REDACTED]");
            }
        }
        out
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.secrets.read().unwrap_or_else(|e| e.into_inner()).is_empty()
    }
}

impl Clone for Redactor {
    fn clone(&self) -> Self {
        Redactor::new(self.secrets.read().unwrap_or_else(|e| e.into_inner()).clone())
    }
}

impl Drop for Redactor {
    fn drop(&mut self) {
        let v = self.secrets.get_mut().unwrap_or_else(|e| e.into_inner());
        for s in v.drain(..) {
            crate::native::zeroize(s.into_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Redactor;

    #[test]
    fn a_password_added_later_is_scrubbed_like_the_configured_ones() {
        let r = Redactor::new(vec!["configured-secret".to_string()]);
        r.add("rotated-password");
        r.add("");
        assert_eq!(
            r.redact("a configured-secret and a rotated-password"),
            "a [REDACTED] and a [REDACTED]"
        );
        assert_eq!(r.clone().redact("rotated-password"), "[REDACTED]");
    }
}
