//! People with an account, and the rules for naming them.

use chrono::{DateTime, Utc};

super::id::id_type!(
    /// Database id of a user.
    UserId
);

/// An account as the rest of the portal sees it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub email_confirmed: bool,
    pub is_admin: bool,
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
    /// `false` once an admin deactivated the account: it cannot log in.
    pub active: bool,
}

/// A person's name as entered at registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

/// Why a name is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("Enter your name.")]
    Empty,
    #[error("That name is too long (at most 200 characters).")]
    TooLong,
    #[error("Your name cannot contain invisible control characters.")]
    ControlCharacters,
}

/// Whether `c` may not appear in a person's name: C0 and C1 control
/// characters, and the bidirectional formatting characters, which reorder
/// how the text after them is shown. A name goes into mail subjects and
/// pages read by others, where "Ana\u{202E}zeroP" would read "AnaPorez".
/// The zero-width joiners stay allowed: names in several scripts need them.
pub fn is_forbidden_in_name(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        )
}

impl PersonName {
    /// Trims `input` and checks it is a usable name.
    pub fn parse(input: &str) -> Result<Self, NameError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(NameError::Empty);
        }
        if s.chars().count() > 200 {
            return Err(NameError::TooLong);
        }
        if s.chars().any(is_forbidden_in_name) {
            return Err(NameError::ControlCharacters);
        }
        Ok(Self(s.to_owned()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(
            PersonName::parse("  Audre Lorde ").unwrap().as_str(),
            "Audre Lorde"
        );
        assert_eq!(PersonName::parse(" ").err(), Some(NameError::Empty));
        assert_eq!(
            PersonName::parse(&"n".repeat(201)).err(),
            Some(NameError::TooLong)
        );
        assert_eq!(
            PersonName::parse("a\u{0}b").err(),
            Some(NameError::ControlCharacters)
        );
    }

    #[test]
    fn control_and_bidirectional_formatting_characters_are_refused() {
        let refused = [
            '\u{0}', '\u{7}', '\n', '\t', '\u{1b}', '\u{7f}', '\u{80}', '\u{85}', '\u{9f}',
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
        ];
        for c in refused {
            assert_eq!(
                PersonName::parse(&format!("Ana{c}zeroP")).err(),
                Some(NameError::ControlCharacters),
                "{:?}",
                c
            );
        }
        assert_eq!(
            NameError::ControlCharacters.to_string(),
            "Your name cannot contain invisible control characters."
        );
        // Letters of every script, and the joiners some of them need.
        for name in [
            "Zoë Ní Bhriain",
            "محمد\u{200C}رضا",
            "ശ്രീ\u{200D}ജിത്ത്",
            "José-María O’Neill",
            "李小龍",
        ] {
            assert_eq!(PersonName::parse(name).unwrap().as_str(), name);
        }
        for c in ['\u{2029}', '\u{2065}', '\u{206A}', '\u{200D}', '\u{a0}'] {
            assert!(!is_forbidden_in_name(c), "{c:?}");
        }
    }
}
