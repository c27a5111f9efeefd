//! Email addresses as the portal accepts them.

use std::fmt;

/// A syntactically plausible email address, trimmed and lower-cased so that
/// one person cannot register twice under different capitalisations.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

/// Why a text is not an email address, in words shown next to the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Enter your email address.")]
    Empty,
    #[error("Enter an email address in the form name@example.org.")]
    Malformed,
    #[error("That email address is too long (at most 254 characters).")]
    TooLong,
}

impl EmailAddress {
    /// Parses `input` as typed into a form.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = s.split_once('@').ok_or(EmailError::Malformed)?;
        let bad_char =
            |c: char| c.is_whitespace() || c.is_control() || "<>()[]\\,;:\"@".contains(c);
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .split('.')
                .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        if local.is_empty() || local.len() > 64 || local.chars().any(bad_char) || !domain_ok {
            return Err(EmailError::Malformed);
        }
        Ok(Self(s.to_lowercase()))
    }

    /// Normalises an address typed at login without judging its shape, so a
    /// badly typed address simply matches no account.
    pub fn normalise_for_lookup(input: &str) -> String {
        input.trim().to_lowercase()
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_lowercases_ordinary_addresses() {
        let e = EmailAddress::parse("  Ada.Lovelace+HJF@Example.ORG ").unwrap();
        assert_eq!(e.as_str(), "ada.lovelace+hjf@example.org");
        assert_eq!(e.domain(), "example.org");
    }

    #[test]
    fn rejects_what_cannot_receive_mail() {
        assert_eq!(EmailAddress::parse(""), Err(EmailError::Empty));
        assert_eq!(EmailAddress::parse("   "), Err(EmailError::Empty));
        for bad in [
            "no-at-sign",
            "@example.org",
            "a@",
            "a@localhost",
            "a@b..org",
            "a@.org",
            "a b@example.org",
            "a@exa mple.org",
            "a@@example.org",
            "<a>@example.org",
            "a@-x.org",
        ] {
            assert_eq!(
                EmailAddress::parse(bad),
                Err(EmailError::Malformed),
                "{bad}"
            );
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert_eq!(EmailAddress::parse(&long), Err(EmailError::TooLong));
    }
}
