//! Removing what a document says about its author before a blind reviewer
//! downloads it: PDF document information and XMP metadata
//! ([`super::pdf_metadata`]); for Word files the package's core, app and
//! custom properties (author, last editor, company, title). Images pass
//! unchanged.

use std::io::{Cursor, Read, Write};

/// Why a document could not be cleaned.
#[derive(Debug, thiserror::Error)]
pub enum CleanError {
    #[error(transparent)]
    Pdf(#[from] super::pdf_metadata::PdfMetadataError),
    #[error("the Word file cannot be read: {0}")]
    Docx(#[from] zip::result::ZipError),
    #[error("the Word file cannot be read: {0}")]
    Io(#[from] std::io::Error),
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A copy of the document without its author metadata.
pub fn strip(content_type: &str, bytes: Vec<u8>) -> Result<Vec<u8>, CleanError> {
    match content_type {
        "application/pdf" => Ok(super::pdf_metadata::strip_metadata(&bytes)?),
        DOCX => strip_docx(&bytes),
        _ => Ok(bytes),
    }
}

/// Empty stand-ins for the property parts, so the package stays valid.
const EMPTY_PARTS: [(&str, &str); 3] = [
    (
        "docProps/core.xml",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"></cp:coreProperties>"#,
    ),
    (
        "docProps/app.xml",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"></Properties>"#,
    ),
    (
        "docProps/custom.xml",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"></Properties>"#,
    ),
];

fn strip_docx(bytes: &[u8]) -> Result<Vec<u8>, CleanError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len())));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let name = entry.name().to_owned();
        out.start_file(name.as_str(), options)?;
        match EMPTY_PARTS.iter().find(|(part, _)| *part == name) {
            Some((_, empty)) => out.write_all(empty.as_bytes())?,
            None => {
                let mut content = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
                entry.read_to_end(&mut content)?;
                out.write_all(&content)?;
            }
        }
    }
    Ok(out.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docx(author: &str) -> Vec<u8> {
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        out.start_file("[Content_Types].xml", options).unwrap();
        out.write_all(b"<Types/>").unwrap();
        out.start_file("docProps/core.xml", options).unwrap();
        out.write_all(format!("<cp:coreProperties><dc:creator>{author}</dc:creator><cp:lastModifiedBy>{author}</cp:lastModifiedBy></cp:coreProperties>").as_bytes()).unwrap();
        out.start_file("docProps/app.xml", options).unwrap();
        out.write_all(
            format!("<Properties><Company>{author} Ltd</Company></Properties>").as_bytes(),
        )
        .unwrap();
        out.start_file("word/document.xml", options).unwrap();
        out.write_all(b"<w:document>Community health work</w:document>")
            .unwrap();
        out.finish().unwrap().into_inner()
    }

    fn read(bytes: &[u8], name: &str) -> String {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut s = String::new();
        archive
            .by_name(name)
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        s
    }

    #[test]
    fn word_properties_lose_the_author_and_keep_the_text() {
        let cleaned = strip(DOCX, docx("Ada Lovelace")).unwrap();
        for part in ["docProps/core.xml", "docProps/app.xml"] {
            assert!(!read(&cleaned, part).contains("Ada"), "{part}");
        }
        assert_eq!(
            read(&cleaned, "word/document.xml"),
            "<w:document>Community health work</w:document>"
        );
        // Compressed, so the bytes themselves cannot hold the name either.
        assert!(!cleaned.windows(3).any(|w| w == b"Ada"));
    }

    #[test]
    fn images_pass_and_broken_word_files_are_refused() {
        assert_eq!(strip("image/png", vec![1, 2, 3]).unwrap(), vec![1, 2, 3]);
        assert!(strip(DOCX, b"not a zip".to_vec()).is_err());
    }
}
