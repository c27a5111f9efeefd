//! The site's own settings, as an admin sets them: the organisation's
//! name, its contact address, the footer's words and a logo. Reading the
//! form (each mistake in words, by field) and checking a logo by its
//! content are pure; the defaults an install without settings shows live
//! here too. Imports no rocket or sqlx.

use super::document::{human_size, sniff};
use super::email::EmailAddress;
use super::form::DocumentType;

/// The brand and title suffix of an install without settings.
pub const DEFAULT_BRAND: &str = "Application portal";
/// The footer's words of an install without settings.
pub const DEFAULT_FOOTER: &str = "Fellowships and internships in health equity.";
/// The longest organisation name, in characters.
pub const MAX_NAME: usize = 100;
/// The longest footer text, in characters.
pub const MAX_FOOTER: usize = 300;
/// The largest logo, in bytes.
pub const MAX_LOGO: u64 = 512 * 1024;

/// The settings as saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteSettings {
    pub organisation_name: String,
    pub contact_email: EmailAddress,
    /// Plain text, shown as typed (escaped), one paragraph.
    pub footer_text: String,
}

/// What an admin typed.
pub struct SiteInput<'a> {
    pub organisation_name: &'a str,
    pub contact_email: &'a str,
    pub footer_text: &'a str,
}

impl SiteSettings {
    /// Reads the form; each mistake is `(field, message)` in field order.
    pub fn read(input: &SiteInput<'_>) -> Result<Self, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let name = one_line(input.organisation_name);
        if name.is_empty() {
            errors.push((
                "organisation_name",
                "Enter the organisation’s name.".to_owned(),
            ));
        } else if name.chars().count() > MAX_NAME {
            errors.push((
                "organisation_name",
                format!(
                    "The organisation’s name must be at most {MAX_NAME} characters (it has {}).",
                    name.chars().count()
                ),
            ));
        }
        let contact = EmailAddress::parse(input.contact_email).map_err(|_| {
            (
                "contact_email",
                "Enter the contact address as an email address, like team@example.org.".to_owned(),
            )
        });
        if let Err(e) = &contact {
            errors.push(e.clone());
        }
        let footer = one_line(input.footer_text);
        if footer.chars().count() > MAX_FOOTER {
            errors.push((
                "footer_text",
                format!(
                    "The footer text must be at most {MAX_FOOTER} characters (it has {}).",
                    footer.chars().count()
                ),
            ));
        }
        match contact {
            Ok(contact_email) if errors.is_empty() => Ok(Self {
                organisation_name: name,
                contact_email,
                footer_text: footer,
            }),
            _ => Err(errors),
        }
    }
}

/// Text with every run of white space (line breaks included) made one
/// space, and control characters dropped.
fn one_line(s: &str) -> String {
    s.split_whitespace()
        .map(|w| w.chars().filter(|c| !c.is_control()).collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A logo's image type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoType {
    Png,
    Jpeg,
    Webp,
}

impl LogoType {
    /// The media type it is served as.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Webp => "image/webp",
        }
    }

    /// The file extension of its address.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Webp => "webp",
        }
    }

    /// Reads a stored media type.
    pub fn from_mime(mime: &str) -> Option<Self> {
        [Self::Png, Self::Jpeg, Self::Webp]
            .into_iter()
            .find(|t| t.mime() == mime)
    }
}

/// Why a logo is refused, in words for the admin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogoError {
    #[error("The file you chose is empty. Choose the logo again.")]
    Empty,
    #[error("The logo is {}; it must be at most 512 KiB.", human_size(*.0))]
    TooLarge(u64),
    #[error(
        "SVG logos are not accepted (an SVG can carry scripts). Upload a PNG, JPEG or WebP image."
    )]
    Svg,
    #[error("The logo must be a PNG, JPEG or WebP image; this file is not one.")]
    NotAnImage,
}

/// The type of a logo from its content (never its name): PNG and JPEG by
/// the documents' own check, WebP by its RIFF header. SVG is refused: it
/// is a document that can carry scripts and links.
pub fn check_logo(bytes: &[u8]) -> Result<LogoType, LogoError> {
    if bytes.is_empty() {
        return Err(LogoError::Empty);
    }
    if bytes.len() as u64 > MAX_LOGO {
        return Err(LogoError::TooLarge(bytes.len() as u64));
    }
    match sniff(bytes) {
        Some(DocumentType::Png) => return Ok(LogoType::Png),
        Some(DocumentType::Jpeg) => return Ok(LogoType::Jpeg),
        _ => {}
    }
    if bytes.len() >= 16 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Ok(LogoType::Webp);
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    if head.contains("<svg") {
        return Err(LogoError::Svg);
    }
    Err(LogoError::NotAnImage)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(name: &'a str, email: &'a str, footer: &'a str) -> SiteInput<'a> {
        SiteInput {
            organisation_name: name,
            contact_email: email,
            footer_text: footer,
        }
    }

    #[test]
    fn good_settings_are_read_and_tidied() {
        let s = SiteSettings::read(&input(
            "  Health  Equity\nAlliance ",
            " Team@Alliance.example ",
            "Line one\r\nline two",
        ))
        .unwrap();
        assert_eq!(s.organisation_name, "Health Equity Alliance");
        assert_eq!(s.contact_email.as_str(), "team@alliance.example");
        assert_eq!(s.footer_text, "Line one line two");
    }

    #[test]
    fn each_mistake_is_named_by_its_field() {
        let long = "x".repeat(MAX_FOOTER + 1);
        let errors = SiteSettings::read(&input(" ", "not-an-address", &long)).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            ["organisation_name", "contact_email", "footer_text"]
        );
        assert!(errors[2].1.contains("301"), "{errors:?}");
        let errors = SiteSettings::read(&input(&"n".repeat(101), "a@b.example", "")).unwrap_err();
        assert!(errors[0].1.contains("at most 100"), "{errors:?}");
    }

    #[test]
    fn logos_are_checked_by_content() {
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0];
        assert_eq!(check_logo(&png), Ok(LogoType::Png));
        assert_eq!(check_logo(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok(LogoType::Jpeg));
        assert_eq!(
            check_logo(b"RIFF\x10\0\0\0WEBPVP8 xxxx"),
            Ok(LogoType::Webp)
        );
        assert_eq!(
            check_logo(b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Err(LogoError::Svg)
        );
        assert_eq!(check_logo(b"%PDF-1.4"), Err(LogoError::NotAnImage));
        assert_eq!(check_logo(b""), Err(LogoError::Empty));
        let big = vec![0u8; MAX_LOGO as usize + 1];
        assert!(matches!(check_logo(&big), Err(LogoError::TooLarge(_))));
    }
}
