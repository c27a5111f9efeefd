//! Sending a stored document to someone allowed to have it: streamed from
//! storage, as an attachment with a safe file name.

use rocket::http::{ContentType, Header, Status};
use rocket::response::{self, Responder, Response};
use rocket::Request;

use crate::domain::document::content_disposition;
use crate::storage::Reader;

/// A document being downloaded.
pub struct Download {
    pub reader: Reader,
    pub content_type: String,
    pub file_name: String,
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
