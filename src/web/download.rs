//! Sending a stored document to someone allowed to have it: streamed from
//! storage, as an attachment with a safe file name.

use rocket::http::{ContentType, Header, Status};
use rocket::response::{self, Responder, Response};
use rocket::Request;

use crate::storage::Reader;

/// A document being downloaded.
pub struct Download {
    pub reader: Reader,
    pub content_type: String,
    pub file_name: String,
}

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded`.
pub fn content_disposition(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

impl<'r> Responder<'r, 'static> for Download {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let content_type =
            ContentType::parse_flexible(&self.content_type).unwrap_or(ContentType::Binary);
        Response::build()
            .status(Status::Ok)
            .header(content_type)
            .header(Header::new(
                "Content-Disposition",
                content_disposition(&self.file_name),
            ))
            .streamed_body(self.reader)
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_safely_in_both_forms() {
        assert_eq!(
            content_disposition("CV.pdf"),
            "attachment; filename=\"CV.pdf\"; filename*=UTF-8''CV.pdf"
        );
        let d = content_disposition("Résumé \"x\".pdf");
        assert!(
            d.starts_with("attachment; filename=\"R_sum_ _x_.pdf\""),
            "{d}"
        );
        assert!(
            d.ends_with("filename*=UTF-8''R%C3%A9sum%C3%A9%20%22x%22.pdf"),
            "{d}"
        );
    }
}
