//! The password that opens an encrypted export, kept apart so that it is
//! wiped after use and never printed, whatever format asks for it.

use std::fmt;

use zeroize::Zeroizing;

/// A password for an encrypted backup, wiped from memory when dropped.
///
/// It is used as its exact UTF-8 bytes (no trimming, no normalisation), as
/// every format read here does. `Debug` never shows it.
#[derive(Clone)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// Wraps a password. The `String` is moved in, so no copy is left.
    pub fn new(password: String) -> Self {
        Password(Zeroizing::new(password))
    }

    /// True if the password is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The password as text, for handing to another Tessera crate.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The password's UTF-8 bytes, as the KDFs take them.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl From<String> for Password {
    fn from(password: String) -> Self {
        Password::new(password)
    }
}

impl From<&str> for Password {
    fn from(password: &str) -> Self {
        Password::new(password.to_owned())
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_password_and_bytes_are_exact() {
        let password = Password::from(" hunter2 ");
        assert_eq!(format!("{password:?}"), "Password(<redacted>)");
        assert_eq!(password.as_bytes(), b" hunter2 ");
        assert_eq!(password.expose(), " hunter2 ");
        assert!(!password.is_empty());
        assert!(Password::new(String::new()).is_empty());
    }
}
