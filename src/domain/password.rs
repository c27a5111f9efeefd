//! The rules a new password must meet.
//!
//! Length and a block list of commonly used passwords, as NIST SP 800-63B
//! recommends, rather than composition rules. The list is the 20 000 most
//! common passwords shipped with Django (BSD licence), lower-cased.

use std::collections::HashSet;
use std::sync::OnceLock;

/// The fewest characters a password may have.
pub const MIN_LEN: usize = 12;
/// The most characters a password may have; longer input is refused before
/// hashing so that nobody can make the server hash megabytes.
pub const MAX_LEN: usize = 256;

const COMMON: &str = include_str!("common-passwords.txt");

/// A password that meets the rules. Deliberately no `Debug` or `Display`, so
/// it cannot end up in a log line.
pub struct NewPassword(String);

/// Why a password is refused, in the words shown next to the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Choose a password of at least 12 characters.")]
    TooShort,
    #[error("That password is too long (at most 256 characters).")]
    TooLong,
    #[error("That password is too common and easy to guess. Try a few unrelated words.")]
    Common,
    #[error("The two passwords do not match.")]
    Mismatch,
}

impl NewPassword {
    /// Checks `input` (and its confirmation) against the rules.
    pub fn parse(input: &str, confirmation: &str) -> Result<Self, PasswordError> {
        let chars = input.chars().count();
        if chars < MIN_LEN {
            return Err(PasswordError::TooShort);
        }
        if chars > MAX_LEN {
            return Err(PasswordError::TooLong);
        }
        if is_common(input) {
            return Err(PasswordError::Common);
        }
        if input != confirmation {
            return Err(PasswordError::Mismatch);
        }
        Ok(Self(input.to_owned()))
    }

    /// The password itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

fn common_set() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMON.lines().filter(|l| !l.is_empty()).collect())
}

/// Whether a password is on the list, is a listed word with digits or
/// punctuation added at the end ("password1234!"), or is one short pattern
/// repeated ("abcabcabcabc").
pub fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    let set = common_set();
    if set.contains(lower.as_str()) {
        return true;
    }
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    if stem.len() >= 4 && stem.len() < lower.len() && set.contains(stem) {
        return true;
    }
    let chars: Vec<char> = lower.chars().collect();
    (1..=4)
        .any(|n| chars.len() >= n * 3 && chars.iter().enumerate().all(|(i, c)| *c == chars[i % n]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_long_uncommon_passphrase() {
        let p = NewPassword::parse("plum-kettle-orbit-sage", "plum-kettle-orbit-sage").unwrap();
        assert_eq!(p.expose(), "plum-kettle-orbit-sage");
    }

    #[test]
    fn refuses_short_long_common_and_mismatched() {
        assert_eq!(
            NewPassword::parse("short", "short").err(),
            Some(PasswordError::TooShort)
        );
        let long = "x".repeat(257);
        assert_eq!(
            NewPassword::parse(&long, &long).err(),
            Some(PasswordError::TooLong)
        );
        for common in [
            "qwerty123456",
            "QWERTY123456",
            "password1234",
            "Password2024!",
            "abcabcabcabc",
            "aaaaaaaaaaaaaa",
        ] {
            assert_eq!(
                NewPassword::parse(common, common).err(),
                Some(PasswordError::Common),
                "{common}"
            );
        }
        assert_eq!(
            NewPassword::parse("plum-kettle-orbit-sage", "plum-kettle-orbit-sagE").err(),
            Some(PasswordError::Mismatch)
        );
    }

    #[test]
    fn counts_characters_not_bytes() {
        // Twelve characters, more than twelve bytes.
        let p = "ñandú-ñandú-";
        assert!(NewPassword::parse(p, p).is_ok());
        assert_eq!(
            NewPassword::parse("ñandúñandú", "ñandúñandú").err(),
            Some(PasswordError::TooShort)
        );
    }
}
