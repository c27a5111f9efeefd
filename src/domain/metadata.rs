//! Removing what a document says about its author before a blind reviewer
//! downloads it: PDF document information and XMP metadata
//! ([`super::pdf_metadata`]); for Word files the package's core, app and
//! custom properties (author, last editor, company, title, sensitivity
//! label properties), the names and initials on comments and tracked
//! changes, and its preview picture, custom XML data and sensitivity labels
//! ([`parts`]); for photos EXIF, XMP, IPTC and text chunks
//! ([`super::image_metadata`]).

use std::io::{Cursor, Read, Write};

mod parts;

/// Why a document could not be cleaned.
#[derive(Debug, thiserror::Error)]
pub enum CleanError {
    #[error(transparent)]
    Pdf(#[from] super::pdf_metadata::PdfMetadataError),
    #[error("the Word file cannot be read: {0}")]
    Docx(#[from] zip::result::ZipError),
    #[error("the Word file cannot be read: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Image(#[from] super::image_metadata::ImageError),
    #[error("the Word file unpacks to more than its limit")]
    TooLarge,
}

/// The most a Word file may unpack to: far more than any real one, and a
/// bound on what a crafted archive (a "zip bomb") can make the server hold.
const DOCX_LIMIT: u64 = 256 << 20;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// How many bytes lopdf may hold for each byte of a PDF it parses: an
/// object takes 120 bytes however short its text, so an array of one-digit
/// numbers (two bytes each) is held in about 64 times its size (a 5 MiB one
/// peaked at 330 MiB); 80 leaves room for the cleaned copy written out.
const PDF_HELD_PER_BYTE: u64 = 80;

/// The most memory cleaning a document of `content_type` stored in `size`
/// bytes takes at its peak, in bytes, whatever the file holds: what a
/// caller running many cleanings at once must count on.
pub fn memory_bound(content_type: &str, size: u64) -> u64 {
    let pdf_unpack = u64::try_from(super::pdf_metadata::UNPACK_LIMIT).unwrap_or(u64::MAX);
    match content_type {
        // The file and its object streams' contents, parsed.
        "application/pdf" => size
            .saturating_add(pdf_unpack)
            .saturating_mul(PDF_HELD_PER_BYTE),
        // The file; what is written so far and the part being read, which
        // share the unpack limit, each in a buffer up to twice what it
        // holds; and the cleaned copy of a picture, no larger than it.
        DOCX => size.saturating_add(DOCX_LIMIT.saturating_mul(3)),
        // The file and its cleaned copy, never larger.
        "image/jpeg" | "image/png" => size.saturating_mul(2),
        _ => size,
    }
}

/// A copy of the document without its author metadata.
pub fn strip(content_type: &str, bytes: Vec<u8>) -> Result<Vec<u8>, CleanError> {
    match content_type {
        "application/pdf" => Ok(super::pdf_metadata::strip_metadata(&bytes)?),
        DOCX => strip_docx(&bytes, DOCX_LIMIT),
        "image/jpeg" => Ok(super::image_metadata::strip_jpeg(&bytes)?),
        "image/png" => Ok(super::image_metadata::strip_png(&bytes)?),
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

/// The Word file cleaned, if it unpacks to at most `limit` bytes (counting
/// the relationship parts twice, as they are read twice).
fn strip_docx(bytes: &[u8], limit: u64) -> Result<Vec<u8>, CleanError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len())));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut left = limit;
    // Every relationship part first: any of them may mark a part, stored
    // anywhere, as one that is dropped.
    let mut dropped = parts::Dropped::default();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        if entry.name().to_ascii_lowercase().ends_with(".rels") {
            let name = entry.name().to_owned();
            let size = entry.size();
            dropped.learn(&name, &read_capped(&mut entry, size, &mut left)?);
        }
    }
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let name = entry.name().to_owned();
        if dropped.contains(&name) {
            continue;
        }
        let lower = name.to_ascii_lowercase();
        out.start_file(name.as_str(), options)?;
        match EMPTY_PARTS
            .iter()
            .find(|(part, _)| part.eq_ignore_ascii_case(&name))
        {
            Some((_, empty)) => out.write_all(empty.as_bytes())?,
            None => {
                let size = entry.size();
                let mut content = read_capped(&mut entry, size, &mut left)?;
                if lower.ends_with(".rels") {
                    content = dropped.relationships(&name, &content);
                } else if lower == "[content_types].xml" {
                    content = dropped.content_types(&content);
                }
                if lower.starts_with("word/")
                    && (lower.ends_with(".xml") || lower.ends_with(".rels"))
                {
                    // Straight into the package: a cleaned copy of a large
                    // part would be held beside the part itself.
                    let mut writer = std::io::BufWriter::with_capacity(64 << 10, &mut out);
                    neutral_people(&content, &mut writer)?;
                    writer.flush()?;
                    continue;
                } else if lower.starts_with("word/media/") {
                    // Pictures in the document lose their EXIF too.
                    if lower.ends_with(".jpg") || lower.ends_with(".jpeg") {
                        content = super::image_metadata::strip_jpeg(&content)?;
                    } else if lower.ends_with(".png") {
                        content = super::image_metadata::strip_png(&content)?;
                    }
                }
                out.write_all(&content)?;
            }
        }
    }
    Ok(out.finish()?.into_inner())
}

/// Reads an entry whole (`declared` bytes, it says), taking its size from
/// what is `left` of the limit.
fn read_capped(
    entry: &mut impl Read,
    declared: u64,
    left: &mut u64,
) -> Result<Vec<u8>, CleanError> {
    // The declared size may lie: what is read is capped.
    let expected = declared.min(*left);
    let mut content = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    entry.take(*left + 1).read_to_end(&mut content)?;
    *left = left
        .checked_sub(content.len() as u64)
        .ok_or(CleanError::TooLarge)?;
    Ok(content)
}

/// Attributes that name a person in Word's parts (comments, tracked
/// changes, the list of people who edited), by local name, with what
/// replaces their value.
const PERSON_ATTRIBUTES: [(&[u8], &[u8]); 8] = [
    (b"author", b"Author"),
    (b"initials", b"A"),
    (b"userId", b""),
    (b"providerId", b"None"),
    // Who may edit a protected range, and who is asked to sign.
    (b"ed", b""),
    (b"suggestedsigner", b""),
    (b"suggestedsigner2", b""),
    (b"suggestedsigneremail", b""),
];

/// What replaces an attribute's value, if it names a person: the person
/// attributes above, and a relationship's target on the author's own disk
/// (an attached template under `C:\Users\<name>\...`).
fn neutral_value(local: &[u8], value: &[u8]) -> Option<&'static [u8]> {
    if local == b"Target"
        && value
            .get(..5)
            .is_some_and(|s| s.eq_ignore_ascii_case(b"file:"))
    {
        return Some(b"file:///template.dotx");
    }
    PERSON_ATTRIBUTES
        .iter()
        .find(|(n, _)| *n == local)
        .map(|(_, neutral)| *neutral)
}

/// Writes to `out` a copy of an XML part whose person attributes
/// (`w:author="Ada"` and the like, in any namespace) hold neutral values.
/// Only attributes inside tags change; text, comments and processing
/// instructions are copied.
fn neutral_people(xml: &[u8], out: &mut impl Write) -> std::io::Result<()> {
    let mut pos = 0;
    while let Some(at) = memchr::memchr(b'<', &xml[pos..]) {
        let open = pos + at;
        out.write_all(&xml[pos..open])?;
        let rest = &xml[open..];
        // Comments, CDATA and declarations are copied to their end.
        let skip_to = [
            (b"<!--".as_slice(), b"-->".as_slice()),
            (b"<![CDATA[".as_slice(), b"]]>".as_slice()),
            (b"<?".as_slice(), b"?>".as_slice()),
        ]
        .iter()
        .find(|(start, _)| rest.starts_with(start))
        .map(|(start, end)| {
            memchr::memmem::find(&rest[start.len()..], end)
                .map_or(xml.len(), |e| open + start.len() + e + end.len())
        });
        if let Some(end) = skip_to {
            out.write_all(&xml[open..end])?;
            pos = end;
            continue;
        }
        pos = copy_tag(xml, open, out)?;
    }
    out.write_all(&xml[pos..])
}

/// Copies the tag opening at `open` into `out`, person attributes made
/// neutral; returns where the tag ends.
fn copy_tag(xml: &[u8], open: usize, out: &mut impl Write) -> std::io::Result<usize> {
    let mut pos = open;
    loop {
        // Up to the next attribute value or the end of the tag.
        let Some(at) = xml[pos..]
            .iter()
            .position(|b| matches!(b, b'"' | b'\'' | b'>'))
        else {
            out.write_all(&xml[pos..])?;
            return Ok(xml.len());
        };
        let quote_at = pos + at;
        let quote = xml[quote_at];
        out.write_all(&xml[pos..=quote_at])?;
        if quote == b'>' {
            return Ok(quote_at + 1);
        }
        let value_start = quote_at + 1;
        let Some(len) = memchr::memchr(quote, &xml[value_start..]) else {
            out.write_all(&xml[value_start..])?;
            return Ok(xml.len());
        };
        let value_end = value_start + len;
        // The attribute's name: the word before `=` (and spaces), after any prefix.
        let before = xml[pos..quote_at].trim_ascii_end();
        let name = before.strip_suffix(b"=").unwrap_or(before).trim_ascii_end();
        let local = name
            .rsplit(|b| matches!(b, b':' | b' ' | b'\t' | b'\n' | b'\r' | b'<'))
            .next()
            .unwrap_or(name);
        let value = &xml[value_start..value_end];
        out.write_all(neutral_value(local, value).unwrap_or(value))?;
        out.write_all(&[quote])?;
        pos = value_end + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::{any, Strategy, TestCaseError};

    fn neutral(xml: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        neutral_people(xml, &mut out).unwrap();
        out
    }

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

    fn package(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        for (name, content) in parts {
            out.start_file(*name, options).unwrap();
            out.write_all(content).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    fn names(bytes: &[u8]) -> Vec<String> {
        let archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        archive.file_names().map(str::to_owned).collect()
    }

    const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="jpeg" ContentType="image/jpeg"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/customXml/itemProps1.xml" ContentType="application/vnd.openxmlformats-officedocument.customXmlProperties+xml"/><Override PartName="/docProps/thumbnail.jpeg" ContentType="image/jpeg"/><Override PartName="/docMetadata/LabelInfo.xml" ContentType="application/vnd.ms-office.classificationlabels+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>"#;

    const PACKAGE_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail" Target="docProps/thumbnail.jpeg"/><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId5" Type="http://schemas.microsoft.com/office/2020/02/relationships/classificationlabels" Target="docMetadata/LabelInfo.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/></Relationships>"#;

    const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml" Target="../customXml/item1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

    /// A Word file as Office writes it for someone at an organisation: a
    /// photo for its preview picture, SharePoint properties in custom XML,
    /// a sensitivity label, and the label again in the custom properties.
    fn office_docx() -> Vec<u8> {
        let thumbnail = [
            &[0xFF, 0xD8, 0xFF, 0xE1, 0, 30][..],
            b"Exif\0\0MM\0\x2A GPS 51.5N Ada Lovelace",
            &[0xFF, 0xD9],
        ]
        .concat();
        let item = br#"<p:properties xmlns:p="http://schemas.microsoft.com/office/2006/metadata/properties"><documentManagement><Owner><UserInfo><DisplayName>Ada Lovelace</DisplayName><AccountId>12</AccountId></UserInfo></Owner></documentManagement></p:properties>"#;
        let item_props = br#"<ds:datastoreItem ds:itemID="{5C2B6A1E-0D7F-4E0B-9D0C-ADA000000001}" xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"/>"#;
        let item_rels = br#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXmlProps" Target="itemProps1.xml"/></Relationships>"#;
        let label = br#"<clbl:labelList xmlns:clbl="http://schemas.microsoft.com/office/2020/mipLabelMetadata"><clbl:label id="{f42aa342-8706-4288-bd11-ebb85995028c}" enabled="1" method="Standard" siteId="{72f988bf-86f1-41af-91ab-2d7cd011db47}" removed="0"/></clbl:labelList>"#;
        let custom = br#"<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="MSIP_Label_f42aa342-8706-4288-bd11-ebb85995028c_SetBy"><vt:lpwstr>ada@example.edu</vt:lpwstr></property><property pid="3" name="MSIP_Label_f42aa342-8706-4288-bd11-ebb85995028c_SiteId"><vt:lpwstr>72f988bf-86f1-41af-91ab-2d7cd011db47</vt:lpwstr></property></Properties>"#;
        package(&[
            ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
            ("_rels/.rels", PACKAGE_RELS.as_bytes()),
            (
                "word/document.xml",
                b"<w:document>Community health work</w:document>",
            ),
            ("word/_rels/document.xml.rels", DOCUMENT_RELS.as_bytes()),
            ("word/styles.xml", b"<w:styles/>"),
            ("customXml/item1.xml", item),
            ("customXml/itemProps1.xml", item_props),
            ("customXml/_rels/item1.xml.rels", item_rels),
            ("docMetadata/LabelInfo.xml", label),
            ("docProps/core.xml", b"<cp:coreProperties/>"),
            ("docProps/custom.xml", custom),
            ("docProps/thumbnail.jpeg", &thumbnail),
        ])
    }

    #[test]
    fn preview_picture_custom_xml_and_labels_go_with_their_references() {
        let original = office_docx();
        let cleaned = strip(DOCX, original.clone()).unwrap();
        assert_eq!(
            names(&cleaned),
            [
                "[Content_Types].xml",
                "_rels/.rels",
                "word/document.xml",
                "word/_rels/document.xml.rels",
                "word/styles.xml",
                "docProps/core.xml",
                "docProps/custom.xml",
            ]
        );
        assert_eq!(
            read(&cleaned, "_rels/.rels"),
            PACKAGE_RELS
                .replace(r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail" Target="docProps/thumbnail.jpeg"/>"#, "")
                .replace(r#"<Relationship Id="rId5" Type="http://schemas.microsoft.com/office/2020/02/relationships/classificationlabels" Target="docMetadata/LabelInfo.xml"/>"#, "")
        );
        assert_eq!(
            read(&cleaned, "word/_rels/document.xml.rels"),
            DOCUMENT_RELS.replace(r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml" Target="../customXml/item1.xml"/>"#, "")
        );
        assert_eq!(
            read(&cleaned, "[Content_Types].xml"),
            CONTENT_TYPES
                .replace(r#"<Override PartName="/customXml/itemProps1.xml" ContentType="application/vnd.openxmlformats-officedocument.customXmlProperties+xml"/>"#, "")
                .replace(r#"<Override PartName="/docProps/thumbnail.jpeg" ContentType="image/jpeg"/>"#, "")
                .replace(r#"<Override PartName="/docMetadata/LabelInfo.xml" ContentType="application/vnd.ms-office.classificationlabels+xml"/>"#, "")
        );
        // The label's properties were already emptied with the custom ones.
        assert!(!read(&cleaned, "docProps/custom.xml").contains("MSIP"));
        assert_eq!(
            read(&cleaned, "word/document.xml"),
            "<w:document>Community health work</w:document>"
        );
        let mut archive = zip::ZipArchive::new(Cursor::new(&cleaned)).unwrap();
        for i in 0..archive.len() {
            let mut part = String::new();
            archive
                .by_index(i)
                .unwrap()
                .read_to_string(&mut part)
                .unwrap();
            for gone in ["Ada", "ada@", "72f988bf", "f42aa342", "GPS"] {
                assert!(!part.contains(gone), "{gone} in {part}");
            }
        }
        assert_eq!(
            strip(DOCX, cleaned.clone()).unwrap(),
            cleaned,
            "cleaning again changes nothing"
        );
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
    fn comments_and_tracked_changes_lose_their_authors() {
        let document = br#"<w:document><w:ins w:id="1" w:author="Ada Lovelace" w:date="2026-11-01T10:00:00Z"><w:t>Community health work by author="Ada"</w:t></w:ins><!-- w:author="kept" --></w:document>"#;
        assert_eq!(
            String::from_utf8(neutral(document)).unwrap(),
            r#"<w:document><w:ins w:id="1" w:author="Author" w:date="2026-11-01T10:00:00Z"><w:t>Community health work by author="Ada"</w:t></w:ins><!-- w:author="kept" --></w:document>"#,
            "only attributes change, not the text"
        );
        let comments = b"<?xml version='1.0'?><w:comments><w:comment w:id='0' w:author = 'Ada Lovelace' w:initials='AL'><w:p/></w:comment></w:comments>";
        assert_eq!(
            String::from_utf8(neutral(comments)).unwrap(),
            "<?xml version='1.0'?><w:comments><w:comment w:id='0' w:author = 'Author' w:initials='A'><w:p/></w:comment></w:comments>"
        );
        let people = br#"<w15:people><w15:person w15:author="Ada Lovelace"><w15:presenceInfo w15:providerId="AD" w15:userId="S::ada@example.edu::1f"/></w15:person></w15:people>"#;
        assert_eq!(
            String::from_utf8(neutral(people)).unwrap(),
            r#"<w15:people><w15:person w15:author="Author"><w15:presenceInfo w15:providerId="None" w15:userId=""/></w15:person></w15:people>"#
        );
        // Broken XML is copied as it is, not lost.
        assert_eq!(neutral(b"<w:t a=\"open"), b"<w:t a=\"open");
        assert_eq!(neutral(b"<!-- open"), b"<!-- open");

        let mut package = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        for (name, content) in [
            ("word/document.xml", document.as_slice()),
            ("word/comments.xml", comments),
            ("word/people.xml", people),
        ] {
            package.start_file(name, options).unwrap();
            package.write_all(content).unwrap();
        }
        let cleaned = strip(DOCX, package.finish().unwrap().into_inner()).unwrap();
        for part in ["word/comments.xml", "word/people.xml"] {
            assert!(!read(&cleaned, part).contains("Ada"), "{part}");
        }
        assert!(read(&cleaned, "word/document.xml").contains(r#"w:author="Author""#));
    }

    #[test]
    fn pictures_signers_and_oversized_word_files() {
        let photo = [
            &[0xFF, 0xD8, 0xFF, 0xFE, 0, 5][..],
            b"Ada",
            &[0xFF, 0xDA, 0, 2, 0x12, 0x34, 0xFF, 0xD9],
        ]
        .concat();
        let signature = br#"<w:document><o:signatureline o:suggestedsigner="Ada Lovelace" o:suggestedsigneremail="ada@example.edu"/><w:permStart w:ed="CORP\ada" w:id="3"/></w:document>"#;
        let mut package = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        for (name, content) in [
            ("word/media/IMAGE1.JPEG", photo.as_slice()),
            ("word/document.xml", signature.as_slice()),
            ("DOCPROPS/CORE.XML", b"<dc:creator>Ada</dc:creator>"),
        ] {
            package.start_file(name, options).unwrap();
            package.write_all(content).unwrap();
        }
        let rels = br#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="file:///C:\Users\ada\AppData\Roaming\Microsoft\Templates\Normal.dotm" TargetMode="External"/><Relationship Id="rId2" Target="media/image1.jpeg"/></Relationships>"#;
        package
            .start_file("word/_rels/settings.xml.rels", options)
            .unwrap();
        package.write_all(rels).unwrap();
        let package = package.finish().unwrap().into_inner();
        let cleaned = strip(DOCX, package.clone()).unwrap();
        let rels = read(&cleaned, "word/_rels/settings.xml.rels");
        assert!(!rels.contains("ada"), "{rels}");
        assert!(rels.contains(r#"Target="file:///template.dotx""#));
        assert!(rels.contains(r#"Target="media/image1.jpeg""#));
        let mut archive = zip::ZipArchive::new(Cursor::new(&cleaned)).unwrap();
        let mut image = Vec::new();
        archive
            .by_name("word/media/IMAGE1.JPEG")
            .unwrap()
            .read_to_end(&mut image)
            .unwrap();
        assert_eq!(
            image,
            [0xFF, 0xD8, 0xFF, 0xDA, 0, 2, 0x12, 0x34, 0xFF, 0xD9]
        );
        for part in ["word/document.xml", "DOCPROPS/CORE.XML"] {
            assert!(!read(&cleaned, part).contains("Ada"), "{part}");
        }
        let document = read(&cleaned, "word/document.xml");
        assert!(
            !document.contains("ada@") && !document.contains("\\ada"),
            "{document}"
        );
        // Unpacking beyond the limit stops there, whatever the sizes claim.
        assert!(strip_docx(&package, 2_000).is_ok());
        assert!(matches!(
            strip_docx(&package, 100),
            Err(CleanError::TooLarge)
        ));
        let mut bomb = zip::ZipWriter::new(Cursor::new(Vec::new()));
        bomb.start_file(
            "word/document.xml",
            options.compression_method(zip::CompressionMethod::Deflated),
        )
        .unwrap();
        bomb.write_all(&vec![b' '; 2 << 20]).unwrap();
        let bomb = bomb.finish().unwrap().into_inner();
        assert!(bomb.len() < 64 << 10);
        assert!(matches!(
            strip_docx(&bomb, 1 << 20),
            Err(CleanError::TooLarge)
        ));
    }

    #[test]
    fn memory_bounds_grow_with_the_file_and_count_what_it_may_unpack_to() {
        let mib = 1 << 20;
        assert_eq!(memory_bound("image/png", 3 * mib), 6 * mib);
        assert_eq!(memory_bound("image/jpeg", 0), 0);
        assert_eq!(memory_bound("text/plain", 5), 5);
        // Even an empty Word file may be a bomb that unpacks to the limit.
        assert_eq!(memory_bound(DOCX, 0), 768 * mib);
        assert_eq!(memory_bound(DOCX, 20 * mib), 788 * mib);
        assert_eq!(memory_bound("application/pdf", 0), 640 * mib);
        assert_eq!(memory_bound("application/pdf", 2 * mib), 800 * mib);
        assert_eq!(memory_bound("application/pdf", u64::MAX), u64::MAX);
        assert_eq!(memory_bound(DOCX, u64::MAX), u64::MAX);
    }

    const COMMENTS: &[u8] = br#"<?xml version='1.0'?><w:comments><w:comment w:id='0' w:author = 'Ada Lovelace' w:initials='AL'><w:p/><!-- w:author="kept" --><![CDATA[<w:t author="x">]]></w:comment><w15:person w15:author="Ada"><w15:presenceInfo w15:providerId="AD" w15:userId="S::ada"/></w15:person></w:comments>"#;

    /// A small Word file of every part the cleaner treats differently:
    /// properties, relationships to drop, a person-naming part, a photo,
    /// stored without compression so damage lands in what is parsed.
    fn word_seeds() -> Vec<Vec<u8>> {
        let photo = [
            &[0xFF, 0xD8, 0xFF, 0xFE, 0, 5][..],
            b"Ada",
            &[0xFF, 0xDA, 0, 2, 0x12, 0x34, 0xFF, 0xD9],
        ]
        .concat();
        let mut stored = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, content) in [
            ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
            ("_rels/.rels", PACKAGE_RELS.as_bytes()),
            ("word/_rels/document.xml.rels", DOCUMENT_RELS.as_bytes()),
            ("word/comments.xml", COMMENTS),
            ("word/media/image1.jpeg", &photo),
            ("docProps/thumbnail.jpeg", &photo),
            ("customXml/item1.xml", b"<Owner>Ada</Owner>"),
        ] {
            stored.start_file(name, options).unwrap();
            stored.write_all(content).unwrap();
        }
        vec![
            office_docx(),
            docx("Ada Lovelace"),
            stored.finish().unwrap().into_inner(),
        ]
    }

    /// [`office_docx`] with one of its XML parts (chosen by `which`)
    /// replaced by `xml`: a sound package around damaged XML.
    fn with_part(which: proptest::sample::Index, xml: Vec<u8>) -> Vec<u8> {
        let names = [
            "[Content_Types].xml",
            "_rels/.rels",
            "word/_rels/document.xml.rels",
            "word/comments.xml",
            "customXml/_rels/item1.xml.rels",
        ];
        let name = *which.get(&names);
        package(&[
            (name, xml.as_slice()),
            ("word/document.xml", b"<w:document/>"),
            ("docProps/thumbnail.jpeg", b"\xFF\xD8\xFF\xD9"),
            ("customXml/item1.xml", b"<Owner/>"),
        ])
    }

    fn xml_seeds() -> Vec<Vec<u8>> {
        [CONTENT_TYPES, PACKAGE_RELS, DOCUMENT_RELS]
            .map(|xml| xml.as_bytes().to_vec())
            .into_iter()
            .chain([COMMENTS.to_vec()])
            .collect()
    }

    proptest::proptest! {
        /// Whatever an upload holds, cleaning it as a Word file returns a
        /// typed error or a package that unpacks whole and holds none of
        /// the parts that are dropped.
        #[test]
        fn fuzz_word_cleaner_never_panics(
            file in proptest::prop_oneof![
                crate::domain::fuzzing::damaged(word_seeds()),
                (any::<proptest::sample::Index>(), crate::domain::fuzzing::damaged(xml_seeds()))
                    .prop_map(|(which, xml)| with_part(which, xml)),
            ]
        ) {
            if let Ok(out) = strip(DOCX, file) {
                let mut archive = zip::ZipArchive::new(Cursor::new(&out))
                    .map_err(|e| TestCaseError::fail(format!("not a zip: {e}")))?;
                for i in 0..archive.len() {
                    let mut entry = archive.by_index(i)
                        .map_err(|e| TestCaseError::fail(format!("entry {i}: {e}")))?;
                    let name = entry.name().to_ascii_lowercase();
                    proptest::prop_assert!(
                        !name.starts_with("customxml/") && !name.starts_with("docprops/thumbnail."),
                        "{name} kept"
                    );
                    std::io::copy(&mut entry, &mut std::io::sink())
                        .map_err(|e| TestCaseError::fail(format!("{name}: {e}")))?;
                }
            }
        }

        /// The person attributes' rewriting takes any bytes, XML or not:
        /// a part naming no such attribute comes out as it went in, and
        /// rewriting twice changes nothing more.
        #[test]
        fn fuzz_person_attributes_never_panic(xml in crate::domain::fuzzing::damaged(xml_seeds())) {
            let out = neutral(&xml);
            let names = |n: &[u8]| memchr::memmem::find(&xml, n).is_some();
            if !names(b"Target") && !PERSON_ATTRIBUTES.iter().any(|(n, _)| names(n)) {
                proptest::prop_assert_eq!(&out, &xml);
            }
            let again = neutral(&out);
            proptest::prop_assert_eq!(again, out, "rewriting twice changes more");
        }
    }

    #[test]
    fn photos_are_cleaned_and_broken_files_refused() {
        let jpeg = vec![0xFF, 0xD8, 0xFF, 0xFE, 0, 5, b'A', b'd', b'a', 0xFF, 0xD9];
        assert_eq!(
            strip("image/jpeg", jpeg).unwrap(),
            vec![0xFF, 0xD8, 0xFF, 0xD9]
        );
        assert!(strip("image/png", vec![1, 2, 3]).is_err());
        assert!(strip(DOCX, b"not a zip".to_vec()).is_err());
    }
}
