//! People with an account, and the rules for naming them.

use chrono::{DateTime, Utc};

/// Database id of a user.
pub type UserId = i64;

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
    #[error("A name cannot contain control characters.")]
    ControlCharacters,
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
        if s.chars().any(char::is_control) {
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
}
