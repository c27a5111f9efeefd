//! Removes the document metadata from an uploaded PDF, so that in a blind
//! review the file a reviewer downloads (CV, writing sample, referee letter)
//! does not name its author through its Info dictionary, XMP streams, file
//! identifier, the authors and dates of its comments or the information of
//! its article threads, nor carry files attached to it (which could hold
//! anything). Page content is left as it is: anonymising the text itself is
//! the applicant's job.
//!
//! Pure bytes in, bytes out, on top of lopdf; imports no rocket, sqlx, aws
//! or lettre. The file is rewritten whole with a classic cross-reference
//! table, which drops earlier revisions, object streams and anything no
//! longer reachable from the catalog.
//!
//! What a file's object streams unpack to is counted before it is loaded
//! whole, since lopdf bounds each stream but not how many there are: a
//! small crafted file could otherwise unpack to gigabytes.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::panic;

use lopdf::xref::XrefType;
use lopdf::{DecompressError, Dictionary, Document, LoadOptions, Object, ObjectId, StringFormat};
use sha2::{Digest, Sha256};

/// Dictionary keys removed wherever they occur: XMP streams (catalog, pages,
/// images, fonts, ...) and application private data, which often carries the
/// author's name or user account; the attached files of the name dictionary,
/// associated files (/AF, on the catalog, pages, images or structure), the
/// portfolio view of attachments, and the embedded and related files of a
/// file specification.
const SCRUBBED_KEYS: [&[u8]; 7] = [
    b"Metadata",
    b"PieceInfo",
    b"EmbeddedFiles",
    b"AF",
    b"Collection",
    b"EF",
    b"RF",
];

/// Annotation entries that say who made a comment and when: its unique name
/// (often derived from the user's account), its modification and creation
/// dates, and its subject (a free label some editors fill with the author).
/// The comment's text (/Contents) stays.
const ANNOTATION_KEYS: [&[u8]; 4] = [b"NM", b"M", b"CreationDate", b"Subj"];

/// The usual second-line comment marking the file as binary; the original one
/// is replaced because a producer may write anything there.
const BINARY_MARK: [u8; 4] = [0xE2, 0xE3, 0xCF, 0xD3];

/// The most a PDF's object streams may unpack to, all together. They hold
/// only small objects (dictionaries, arrays), a kilobyte or so a page: this
/// is several thousand pages' worth.
pub const UNPACK_LIMIT: usize = 8 << 20;

/// Why a PDF's metadata could not be removed. The caller should not serve the
/// original file in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum PdfMetadataError {
    /// The bytes could not be read as a PDF.
    #[error("the file could not be read as a PDF")]
    Unreadable(#[source] lopdf::Error),
    /// The PDF parser panicked on the file, which is then treated as unreadable.
    #[error("the PDF parser failed on this file")]
    ParserPanicked,
    /// The PDF is encrypted (even with an empty user password): rewriting it
    /// would either need its password or silently drop its protection.
    #[error("the PDF is encrypted")]
    Encrypted,
    /// The trailer names no document catalog, so there is no document to keep.
    #[error("the PDF has no document catalog")]
    NoCatalog,
    /// Its object streams unpack to more than [`UNPACK_LIMIT`].
    #[error("the PDF unpacks to more than its limit")]
    TooLarge,
    /// Writing the cleaned document failed.
    #[error("the cleaned PDF could not be written")]
    Write(#[source] std::io::Error),
}

/// Returns a copy of `pdf` with its document metadata removed: the trailer's
/// /Info dictionary (Author, Title, Subject, Keywords, Creator, Producer and
/// any other entry) and every XMP /Metadata stream (on the catalog and on any
/// other object), with unreferenced objects pruned, so the original strings
/// appear nowhere in the output bytes. Page content is untouched.
///
/// Comments (annotations and their popups) lose their author (/T), unique
/// name, dates and subject, and their rich text (/RC) when the plain text
/// (/Contents) holds the same words; form fields keep their names. Article
/// threads lose their information dictionary (/I: title, author, dates).
///
/// Attached files go with their names, descriptions and dates: the catalog's
/// /EmbeddedFiles, /AF arrays, file-attachment annotations (and their
/// popups) and every embedded file stream; a file specification left
/// elsewhere (a link to another file) loses its embedded copy and its
/// description, and keeps the name of the file it points to. A catalog
/// that opened on the attachments panel opens on the page instead.
///
/// Also removed: every /PieceInfo, earlier revisions of an incrementally
/// updated file, and any trailer entry other than /Root. The trailer's /ID is
/// replaced by one derived from the cleaned file alone (a SHA-256 of it, cut
/// to 16 bytes), so the same input always gives the same output.
pub fn strip_metadata(pdf: &[u8]) -> Result<Vec<u8>, PdfMetadataError> {
    // The input is an untrusted upload: should the parser panic on a crafted
    // file, that must come back as an error rather than unwind into the caller.
    panic::catch_unwind(|| strip(pdf)).unwrap_or(Err(PdfMetadataError::ParserPanicked))
}

fn strip(pdf: &[u8]) -> Result<Vec<u8>, PdfMetadataError> {
    // lopdf decrypts a file (unpacking all its object streams) before any
    // count could stop it; it would be refused below anyway.
    if names_encryption(pdf) {
        return Err(PdfMetadataError::Encrypted);
    }
    if !unpacks_within_limit(pdf) {
        return Err(PdfMetadataError::TooLarge);
    }
    let options = LoadOptions {
        max_decompressed_size: Some(UNPACK_LIMIT),
        ..LoadOptions::default()
    };
    let mut doc = Document::load_mem_with_options(pdf, options).map_err(load_error)?;
    // lopdf decrypts a file whose user password is empty while loading; either way it is refused.
    if doc.was_encrypted() || doc.trailer.has(b"Encrypt") {
        return Err(PdfMetadataError::Encrypted);
    }
    let root = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| PdfMetadataError::NoCatalog)?;
    if doc.get_dictionary(root).is_err() {
        return Err(PdfMetadataError::NoCatalog);
    }

    let mut doomed = Vec::new();
    if let Ok(Object::Reference(info)) = doc.trailer.get(b"Info") {
        doomed.push(*info);
    }
    // Keep only /Root: this drops /Info, the old /ID, /Prev and the keys of
    // cross-reference streams, and any private entry a producer added.
    doc.trailer = Dictionary::new();
    doc.trailer.set("Root", root);
    let removed = attachment_annotations(&doc);
    doomed.extend(&removed);
    for (id, object) in &mut doc.objects {
        if is_metadata_stream(object) || is_embedded_file(object) {
            doomed.push(*id);
        }
        scrub(object, &removed, &mut doomed);
    }
    if let Ok(catalog) = doc.get_dictionary_mut(root) {
        if matches!(catalog.get(b"PageMode"), Ok(Object::Name(n)) if n == b"UseAttachments") {
            catalog.remove(b"PageMode");
        }
        if matches!(catalog.get(b"Names"), Ok(Object::Dictionary(names)) if names.is_empty()) {
            catalog.remove(b"Names");
        }
    }
    // Deleted even if something else still refers to them; a dangling
    // reference reads as null. The catalog stays whatever points at it.
    for id in doomed.iter().filter(|id| **id != root) {
        doc.objects.remove(id);
    }
    // Drops older revisions' Info objects, object streams and the strings an
    // Info dictionary held by reference.
    doc.prune_objects();
    // /Size must be one past the highest object number that is left.
    doc.max_id = doc.objects.keys().next_back().map_or(0, |id| id.0);

    doc.reference_table.cross_reference_type = XrefType::CrossReferenceTable;
    doc.binary_mark = BINARY_MARK.to_vec();
    let mut out = Vec::with_capacity(pdf.len() + pdf.len() / 8);
    doc.save_to(&mut out).map_err(PdfMetadataError::Write)?;
    let file_id = Sha256::digest(&out)[..16].to_vec();
    let id_string = Object::String(file_id, StringFormat::Hexadecimal);
    doc.trailer.set("ID", vec![id_string.clone(), id_string]);
    out.clear();
    doc.save_to(&mut out).map_err(PdfMetadataError::Write)?;
    Ok(out)
}

/// Whether a name spelling /Encrypt, in any `#`-escaped form, occurs in
/// the file. The trailer and a cross-reference stream's dictionary are
/// never compressed, so an encrypted file always has one in plain sight; a
/// file naming it elsewhere (rare outside encryption) is refused too.
fn names_encryption(pdf: &[u8]) -> bool {
    const NAME: &[u8] = b"Encrypt";
    let ends_name = |b: u8| b" \t\n\r\0\x0C()<>[]{}/%".contains(&b);
    let hex = |b: u8| char::from(b).to_digit(16);
    memchr::memchr_iter(b'/', pdf).any(|at| {
        let mut name = Vec::with_capacity(NAME.len() + 1);
        let mut i = at + 1;
        while let Some(&b) = pdf.get(i) {
            if ends_name(b) || name.len() > NAME.len() {
                break;
            }
            match (
                b,
                pdf.get(i + 1).and_then(|h| hex(*h)),
                pdf.get(i + 2).and_then(|l| hex(*l)),
            ) {
                (b'#', Some(high), Some(low)) => {
                    name.push(u8::try_from(high * 16 + low).unwrap_or(0));
                    i += 3;
                }
                // A `#` not followed by two hex digits ends the name.
                (b'#', _, _) => break,
                (b, _, _) => {
                    name.push(b);
                    i += 1;
                }
            }
        }
        name == NAME
    })
}

thread_local! {
    /// What the object streams of the file being counted on this thread may
    /// still unpack to; `None` once they went over. lopdf's load filter is a
    /// plain function, so the count cannot travel with it.
    static UNPACK_LEFT: Cell<Option<usize>> = const { Cell::new(None) };
}

/// A load filter that counts what each object stream unpacks to and keeps
/// no object at all, so counting holds one object at a time and never
/// unpacks a stream past what is left.
fn count_object_stream(_: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
    let Object::Stream(stream) = object else {
        return None;
    };
    if !stream.dict.has_type(b"ObjStm") {
        return None;
    }
    UNPACK_LEFT.with(|left| {
        let Some(room) = left.get() else { return };
        left.set(match stream.get_plain_content_with_limit(room) {
            Ok(content) => Some(room - content.len()),
            Err(lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. })) => None,
            // A damaged stream, which the real load passes over as well.
            Err(_) => Some(room),
        });
    });
    None
}

/// Whether the file's object streams unpack to at most [`UNPACK_LIMIT`],
/// both as its cross-reference data lists them and as a scan for objects
/// finds them (what lopdf falls back on when it cannot read the page tree).
fn unpacks_within_limit(pdf: &[u8]) -> bool {
    [false, true].into_iter().all(|force_reconstruct| {
        UNPACK_LEFT.with(|left| left.set(Some(UNPACK_LIMIT)));
        let options = LoadOptions {
            filter: Some(count_object_stream),
            max_decompressed_size: Some(UNPACK_LIMIT),
            force_reconstruct,
            ..LoadOptions::default()
        };
        // An unreadable file is the real load's to report.
        let _ = Document::load_mem_with_options(pdf, options);
        UNPACK_LEFT.with(Cell::take).is_some()
    })
}

fn load_error(error: lopdf::Error) -> PdfMetadataError {
    match error {
        lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. }) => {
            PdfMetadataError::TooLarge
        }
        lopdf::Error::InvalidPassword
        | lopdf::Error::Decryption(_)
        | lopdf::Error::UnsupportedSecurityHandler(_)
        | lopdf::Error::AlreadyEncrypted => PdfMetadataError::Encrypted,
        other => PdfMetadataError::Unreadable(other),
    }
}

fn is_metadata_stream(object: &Object) -> bool {
    matches!(object, Object::Stream(stream) if stream.dict.has_type(b"Metadata"))
}

fn is_embedded_file(object: &Object) -> bool {
    matches!(object, Object::Stream(stream) if stream.dict.has_type(b"EmbeddedFile"))
}

/// Whether `dict` is a file specification: typed so (the type is optional
/// only where it carries no embedded file) or carrying one.
fn is_file_spec(dict: &Dictionary) -> bool {
    dict.has_type(b"Filespec") || dict.has(b"EF") || dict.has(b"RF")
}

fn is_attachment_annotation(dict: &Dictionary) -> bool {
    is_annotation(dict)
        && matches!(dict.get(b"Subtype"), Ok(Object::Name(n)) if n == b"FileAttachment")
}

/// The objects that are file-attachment annotations, and the popups of any
/// (even one written directly into an /Annots array), which open nothing
/// once it is gone.
fn attachment_annotations(doc: &Document) -> BTreeSet<ObjectId> {
    let mut found = BTreeSet::new();
    for (id, object) in &doc.objects {
        if matches!(object, Object::Dictionary(dict) if is_attachment_annotation(dict)) {
            found.insert(*id);
        }
        let mut pending = vec![object];
        while let Some(object) = pending.pop() {
            let dict = match object {
                Object::Dictionary(dict) => dict,
                Object::Stream(stream) => &stream.dict,
                Object::Array(items) => {
                    pending.extend(items);
                    continue;
                }
                _ => continue,
            };
            if is_attachment_annotation(dict) {
                if let Ok(Object::Reference(popup)) = dict.get(b"Popup") {
                    found.insert(*popup);
                }
            }
            pending.extend(dict.iter().map(|(_, value)| value));
        }
    }
    found
}

/// Removes [`SCRUBBED_KEYS`] from every dictionary within `object`, recording
/// the objects that /Metadata and /EF entries referred to in `doomed`,
/// drops the `removed` annotations (and direct file-attachment ones) from
/// /Annots arrays, and cleans the annotations and threads left. Iterative,
/// so deep nesting cannot overflow the stack.
fn scrub(object: &mut Object, removed: &BTreeSet<ObjectId>, doomed: &mut Vec<ObjectId>) {
    let mut pending = vec![object];
    while let Some(object) = pending.pop() {
        let dict = match object {
            Object::Dictionary(dict) => dict,
            Object::Stream(stream) => &mut stream.dict,
            Object::Array(items) => {
                pending.extend(items.iter_mut());
                continue;
            }
            _ => continue,
        };
        if is_file_spec(dict) {
            dict.remove(b"Desc");
        }
        for key in SCRUBBED_KEYS {
            match (key, dict.remove(key)) {
                (b"Metadata" | b"EF", Some(Object::Reference(id))) => doomed.push(id),
                // The embedded streams go even if another file specification
                // shares them.
                (b"EF", Some(Object::Dictionary(files))) => doomed.extend(
                    files
                        .iter()
                        .filter_map(|(_, file)| file.as_reference().ok()),
                ),
                _ => {}
            }
        }
        if let Ok(Object::Array(annots)) = dict.get_mut(b"Annots") {
            annots.retain(|annot| match annot {
                Object::Reference(id) => !removed.contains(id),
                Object::Dictionary(annot) => !is_attachment_annotation(annot),
                _ => true,
            });
        }
        if is_annotation(dict) {
            clean_annotation(dict);
        }
        if is_thread(dict) {
            dict.remove(b"I");
        }
        pending.extend(dict.iter_mut().map(|(_, value)| value));
    }
}

/// Whether `dict` is an annotation: one with a /Subtype name and a /Rect
/// (its /Type is optional; form XObjects have a /BBox instead).
fn is_annotation(dict: &Dictionary) -> bool {
    matches!(dict.get(b"Subtype"), Ok(Object::Name(_))) && dict.has(b"Rect")
}

fn clean_annotation(dict: &mut Dictionary) {
    for key in ANNOTATION_KEYS {
        dict.remove(key);
    }
    // A widget's /T is its form field's name, which the form needs; on any
    // other annotation it is the author.
    if !matches!(dict.get(b"Subtype"), Ok(Object::Name(n)) if n == b"Widget") {
        dict.remove(b"T");
        // The rich text repeats /Contents with markup whose header some
        // editors sign; it is kept only where it is the sole text.
        if dict.has(b"Contents") {
            dict.remove(b"RC");
        }
    }
}

/// Whether `dict` is an article thread: typed so, or (the type being
/// optional) holding both a first bead (/F, a reference, where a file
/// specification's /F is a string) and an information dictionary (where a
/// transparency group's /I is a boolean).
fn is_thread(dict: &Dictionary) -> bool {
    dict.has_type(b"Thread")
        || (matches!(dict.get(b"F"), Ok(Object::Reference(_)))
            && matches!(
                dict.get(b"I"),
                Ok(Object::Dictionary(_) | Object::Reference(_))
            ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{dictionary, EncryptionState, EncryptionVersion, Permissions, SaveOptions, Stream};
    use std::io::Write;

    const NAME: &str = "Ada Lovelace";

    const HAND_WRITTEN: &[u8] = b"%PDF-1.4\n\
        %\xe2\xe3\xcf\xd3\n\
        1 0 obj\n\
        << /Type /Catalog /Pages 2 0 R /Metadata 6 0 R >>\n\
        endobj\n\
        2 0 obj\n\
        << /Type /Pages /Kids [3 0 R] /Count 1 >>\n\
        endobj\n\
        3 0 obj\n\
        << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R\n\
        /Resources << /Font << /F1 7 0 R >> >> >>\n\
        endobj\n\
        4 0 obj\n\
        << /Length 49 >>\n\
        stream\n\
        BT /F1 12 Tf 72 720 Td (Research statement) Tj ET\n\
        endstream\n\
        endobj\n\
        5 0 obj\n\
        << /Author (Ada Lovelace) /Title (CV of Ada Lovelace) /Producer (Hand) >>\n\
        endobj\n\
        6 0 obj\n\
        << /Type /Metadata /Subtype /XML /Length 327 >>\n\
        stream\n\
        <?xpacket begin=\"\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
        <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
        <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
        <rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n\
        <dc:creator>Ada Lovelace</dc:creator>\n\
        </rdf:Description></rdf:RDF></x:xmpmeta>\n\
        <?xpacket end=\"w\"?>\n\
        endstream\n\
        endobj\n\
        7 0 obj\n\
        << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\n\
        endobj\n\
        xref\n\
        0 8\n\
        0000000000 65535 f \n\
        0000000015 00000 n \n\
        0000000080 00000 n \n\
        0000000137 00000 n \n\
        0000000263 00000 n \n\
        0000000362 00000 n \n\
        0000000451 00000 n \n\
        0000000859 00000 n \n\
        trailer\n\
        << /Size 8 /Root 1 0 R /Info 5 0 R\n\
        /ID [<0123456789ABCDEF0123456789ABCDEF> <0123456789ABCDEF0123456789ABCDEF>] >>\n\
        startxref\n\
        929\n\
        %%EOF\n";

    fn utf16be(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(u16::to_be_bytes).collect()
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|window| window == needle)
    }

    /// Whether the name occurs in the raw bytes, or (as ASCII or UTF-16BE) in
    /// any string, name or decoded stream of any object lopdf reads from them,
    /// which also finds it inside hex strings and compressed streams.
    fn mentions_name(pdf: &[u8]) -> bool {
        let needles = [NAME.as_bytes().to_vec(), utf16be(NAME)];
        let found = |bytes: &[u8]| needles.iter().any(|needle| contains(bytes, needle));
        if found(pdf) {
            return true;
        }
        let doc = Document::load_mem(pdf).expect("loads");
        let mut pending: Vec<&Object> = doc.objects.values().collect();
        pending.extend(doc.trailer.iter().map(|(_, value)| value));
        while let Some(object) = pending.pop() {
            match object {
                Object::String(bytes, _) | Object::Name(bytes) if found(bytes) => return true,
                Object::Array(items) => pending.extend(items),
                Object::Dictionary(dict) => pending.extend(dict.iter().map(|(_, value)| value)),
                Object::Stream(stream) => {
                    let data = stream
                        .decompressed_content()
                        .unwrap_or_else(|_| stream.content.clone());
                    if found(&data) {
                        return true;
                    }
                    pending.extend(stream.dict.iter().map(|(_, value)| value));
                }
                _ => {}
            }
        }
        false
    }

    fn page_contents(pdf: &[u8]) -> Vec<Vec<u8>> {
        let doc = Document::load_mem(pdf).expect("loads");
        doc.page_iter()
            .map(|page| {
                doc.get_page_content_with_limit(page, 1 << 20)
                    .expect("content")
            })
            .collect()
    }

    /// Checks that every in-use xref entry points at its object's `N G obj`
    /// line: lopdf would silently repair a wrong offset in a fixture or output.
    fn assert_offsets_exact(pdf: &[u8]) {
        let doc = Document::load_mem(pdf).expect("fixture loads");
        assert_eq!(doc.xref_recovery, None);
        for (id, entry) in &doc.reference_table.entries {
            if let lopdf::xref::XrefEntry::Normal { offset, generation } = entry {
                let expected = format!("{id} {generation} obj");
                let offset = usize::try_from(*offset).expect("offset");
                assert!(pdf[offset..].starts_with(expected.as_bytes()), "{expected}");
            }
        }
    }

    /// Strips `pdf` and checks everything the module promises about the result.
    fn strip_and_check(pdf: &[u8]) -> Vec<u8> {
        assert!(mentions_name(pdf), "the fixture must name the applicant");
        let out = strip_metadata(pdf).expect("strips");
        assert!(!mentions_name(&out), "the name survived stripping");
        assert_offsets_exact(&out);
        let before = page_contents(pdf);
        assert!(!before.is_empty());
        assert_eq!(page_contents(&out), before);
        let doc = Document::load_mem(&out).expect("output loads");
        assert!(doc.trailer.get(b"Info").is_err());
        let catalog = doc.catalog().expect("catalog");
        assert!(!catalog.has(b"Metadata") && !catalog.has(b"PieceInfo"));
        out
    }

    fn xmp(doc: &mut Document, compress: bool) -> ObjectId {
        let packet = format!("<x:xmpmeta><dc:creator>{NAME}</dc:creator></x:xmpmeta>");
        let dict = dictionary! { "Type" => "Metadata", "Subtype" => "XML" };
        let mut stream = Stream::new(dict, packet.into_bytes());
        if compress {
            stream.compress().expect("compresses");
        }
        doc.add_object(stream)
    }

    /// Two pages with XMP each, catalog XMP (compressed) and /PieceInfo, and
    /// an Info dictionary with literal, hex, UTF-16BE and indirect strings.
    fn built_document() -> Document {
        let mut doc = Document::with_version("1.5");
        let pages = doc.new_object_id();
        let font =
            dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" };
        let font = doc.add_object(font);
        let mut kids = Vec::new();
        for text in ["Research statement", "Publications"] {
            let content = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET").into_bytes();
            let mut page = dictionary! { "Type" => "Page", "Parent" => pages };
            page.set("MediaBox", vec![0.into(), 0.into(), 595.into(), 842.into()]);
            page.set(
                "Contents",
                doc.add_object(Stream::new(dictionary! {}, content)),
            );
            page.set(
                "Resources",
                dictionary! { "Font" => dictionary! { "F1" => font } },
            );
            page.set("Metadata", xmp(&mut doc, false));
            kids.push(Object::Reference(doc.add_object(page)));
        }
        let tree = dictionary! { "Type" => "Pages", "Count" => 2, "Kids" => kids };
        doc.objects.insert(pages, Object::Dictionary(tree));
        let private = Object::string_literal(format!("settings of {NAME}"));
        let mut catalog = dictionary! { "Type" => "Catalog", "Pages" => pages };
        catalog.set("Metadata", xmp(&mut doc, true));
        catalog.set(
            "PieceInfo",
            dictionary! { "Ed" => dictionary! { "Private" => private } },
        );
        let catalog = doc.add_object(catalog);

        let mut title = vec![0xFE, 0xFF];
        title.extend(utf16be(&format!("CV of {NAME}")));
        let subject = format!("Writing sample by {NAME}").into_bytes();
        let keywords = Object::string_literal(format!("{NAME}, poetical science"));
        let mut info = dictionary! { "Author" => Object::string_literal(NAME) };
        info.set("Title", Object::String(title, StringFormat::Literal));
        info.set(
            "Subject",
            Object::String(subject, StringFormat::Hexadecimal),
        );
        info.set("Keywords", doc.add_object(keywords));
        info.set(
            "Creator",
            Object::string_literal(format!("Word on {NAME}'s laptop")),
        );
        info.set("Producer", Object::string_literal("Typesetter 1.0"));
        let id = Object::String(b"ada-lovelace-cv1".to_vec(), StringFormat::Hexadecimal);
        doc.trailer.set("Root", catalog);
        let info = doc.add_object(info);
        doc.trailer.set("Info", info);
        doc.trailer.set("ID", vec![id; 2]);
        doc
    }

    fn save(mut doc: Document, options: SaveOptions) -> Vec<u8> {
        let mut out = Vec::new();
        doc.save_with_options(&mut out, options).expect("saves");
        out
    }

    fn object_streams() -> SaveOptions {
        let builder = SaveOptions::builder()
            .use_object_streams(true)
            .use_xref_streams(true);
        builder.compression_level(6).build()
    }

    fn save_classic(mut doc: Document) -> Vec<u8> {
        doc.reference_table.cross_reference_type = XrefType::CrossReferenceTable;
        save(doc, SaveOptions::default())
    }

    /// Appends a revision that replaces the catalog (without its XMP) and
    /// points the trailer at a new, neutral Info; the first revision's Info
    /// and XMP are still in the file.
    fn with_incremental_update(base: &[u8]) -> Vec<u8> {
        let text = String::from_utf8_lossy(base);
        let prev = text
            .rsplit("startxref")
            .next()
            .and_then(|tail| tail.split_whitespace().next());
        let prev: usize = prev
            .and_then(|number| number.parse().ok())
            .expect("startxref");
        let mut pdf = base.to_vec();
        let catalog = pdf.len();
        pdf.extend_from_slice(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
        let info = pdf.len();
        pdf.extend_from_slice(
            b"8 0 obj\n<< /Title (Application document) /Producer (Editor) >>\nendobj\n",
        );
        let xref = pdf.len();
        write!(
            pdf,
            "xref\n0 2\n0000000000 65535 f \n{catalog:010} 00000 n \n8 1\n{info:010} 00000 n \n\
             trailer\n<< /Size 9 /Root 1 0 R /Info 8 0 R /Prev {prev} >>\n\
             startxref\n{xref}\n%%EOF\n"
        )
        .expect("writes");
        pdf
    }

    fn rect() -> Object {
        vec![72.into(), 700.into(), 92.into(), 720.into()].into()
    }

    fn date() -> Object {
        Object::string_literal("D:20261101100000Z")
    }

    /// The first page of `doc`, with comments by [`NAME`] on it: a sticky
    /// note with a popup and a reply, a free-text box with rich text (direct
    /// in /Annots), and a form field whose name must survive; and an article
    /// thread whose information names her.
    fn with_comments(mut doc: Document) -> (Document, ObjectId) {
        let page = doc.page_iter().next().expect("page");
        let note = doc.new_object_id();
        let popup = doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Popup", "Rect" => rect(), "Parent" => note,
            "T" => Object::string_literal(NAME), "M" => date(),
        });
        let note_dict = dictionary! {
            "Type" => "Annot", "Subtype" => "Text", "Rect" => rect(),
            "Contents" => Object::string_literal("Consider rewording this paragraph"),
            "T" => Object::string_literal(NAME),
            "NM" => Object::string_literal("ada-annot-7f3e"),
            "M" => date(), "CreationDate" => date(),
            "Subj" => Object::string_literal(format!("Note by {NAME}")),
            "Popup" => popup,
        };
        doc.objects.insert(note, Object::Dictionary(note_dict));
        let mut author = vec![0xFE, 0xFF];
        author.extend(utf16be(NAME));
        let reply = doc.add_object(dictionary! {
            "Subtype" => "Text", "Rect" => rect(), "IRT" => note,
            "Contents" => Object::string_literal("Agreed"),
            "T" => Object::String(author, StringFormat::Hexadecimal), "M" => date(),
        });
        let rich = format!(
            "<?xml version=\"1.0\"?><body xmlns=\"http://www.w3.org/1999/xhtml\" \
             xmlns:xfa=\"http://www.xfa.org/schema/xfa-data/1.0/\" xfa:author=\"{NAME}\">\
             <p>Typed note</p></body>"
        );
        let free_text = dictionary! {
            "Type" => "Annot", "Subtype" => "FreeText", "Rect" => rect(),
            "Contents" => Object::string_literal("Typed note"),
            "RC" => Object::string_literal(rich), "T" => Object::string_literal(NAME),
            "CreationDate" => date(),
        };
        let field = doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "FT" => "Tx", "Rect" => rect(),
            "T" => Object::string_literal("statement_field"), "V" => Object::string_literal("Yes"),
            "P" => page, "M" => date(),
        });
        let annots = vec![
            note.into(),
            popup.into(),
            reply.into(),
            Object::Dictionary(free_text),
            field.into(),
        ];
        doc.get_dictionary_mut(page)
            .expect("page")
            .set("Annots", annots);

        let bead = doc.new_object_id();
        let info = dictionary! {
            "Title" => Object::string_literal("Essay"),
            "Author" => Object::string_literal(NAME),
            "CreationDate" => date(),
        };
        let thread = doc.add_object(dictionary! { "F" => bead, "I" => info });
        let bead_dict = dictionary! {
            "Type" => "Bead", "T" => thread, "N" => bead, "V" => bead, "P" => page, "R" => rect(),
        };
        doc.objects.insert(bead, Object::Dictionary(bead_dict));
        let catalog = doc.catalog_mut().expect("catalog");
        catalog.set("Threads", vec![Object::Reference(thread)]);
        catalog.set(
            "AcroForm",
            dictionary! { "Fields" => vec![Object::Reference(field)] },
        );
        (doc, page)
    }

    fn text(object: Option<&Object>) -> Option<String> {
        object
            .and_then(|o| o.as_str().or_else(|_| o.as_name()).ok())
            .map(|s| String::from_utf8_lossy(s).into_owned())
    }

    #[test]
    fn comments_lose_their_authors_names_and_dates_and_keep_their_text() {
        let (doc, _) = with_comments(built_document());
        let out = strip_and_check(&save_classic(doc));
        assert!(!contains(&out, b"D:2026") && !contains(&out, b"7f3e"));
        let doc = Document::load_mem(&out).expect("loads");
        let page = doc.page_iter().next().expect("page");
        let annots = doc.get_page_annotations(page).expect("annotations");
        assert_eq!(annots.len(), 5, "every comment is still there");
        let subtypes: Vec<_> = annots
            .iter()
            .map(|a| text(a.get(b"Subtype").ok()))
            .collect();
        let expected = ["Text", "Popup", "Text", "FreeText", "Widget"];
        assert_eq!(subtypes, expected.map(|s| Some(s.to_owned())));
        for annot in &annots[..4] {
            for key in [&b"T"[..], b"NM", b"M", b"CreationDate", b"Subj", b"RC"] {
                assert!(!annot.has(key), "{}", String::from_utf8_lossy(key));
            }
        }
        let contents: Vec<_> = annots
            .iter()
            .map(|a| text(a.get(b"Contents").ok()))
            .collect();
        assert_eq!(
            contents[0].as_deref(),
            Some("Consider rewording this paragraph")
        );
        assert_eq!(contents[2].as_deref(), Some("Agreed"));
        assert_eq!(contents[3].as_deref(), Some("Typed note"));
        // The popup still opens its note, and the reply still answers it.
        let parent = annots[1]
            .get(b"Parent")
            .and_then(Object::as_reference)
            .expect("parent");
        assert!(doc.get_dictionary(parent).expect("note").has(b"Popup"));
        assert_eq!(
            annots[2].get(b"IRT").and_then(Object::as_reference).ok(),
            Some(parent)
        );
        // The form field keeps its name and value, only its date goes.
        assert_eq!(
            text(annots[4].get(b"T").ok()).as_deref(),
            Some("statement_field")
        );
        assert_eq!(text(annots[4].get(b"V").ok()).as_deref(), Some("Yes"));
        assert!(!annots[4].has(b"M"));
        let threads = doc
            .catalog()
            .and_then(|c| c.get(b"Threads"))
            .and_then(Object::as_array);
        let thread = threads.expect("threads")[0].as_reference().expect("thread");
        let thread = doc.get_dictionary(thread).expect("thread");
        assert!(thread.has(b"F") && !thread.has(b"I"));
        assert_eq!(strip_metadata(&out).expect("strips again"), out);
    }

    #[test]
    fn rich_text_stays_when_it_is_a_comments_only_text() {
        let mut doc = built_document();
        let page = doc.page_iter().next().expect("page");
        let note = dictionary! {
            "Subtype" => "FreeText", "Rect" => rect(),
            "RC" => Object::string_literal("<body><p>Only here</p></body>"),
        };
        doc.get_dictionary_mut(page)
            .expect("page")
            .set("Annots", vec![Object::Dictionary(note)]);
        let out = strip_metadata(&save_classic(doc)).expect("strips");
        let doc = Document::load_mem(&out).expect("loads");
        let page = doc.page_iter().next().expect("page");
        let annots = doc.get_page_annotations(page).expect("annotations");
        assert_eq!(
            text(annots[0].get(b"RC").ok()).as_deref(),
            Some("<body><p>Only here</p></body>")
        );
    }

    /// An embedded file stream (typed or not) whose parameters carry dates.
    fn embedded(doc: &mut Document, content: &str, typed: bool) -> ObjectId {
        let mut dict = dictionary! { "Params" => dictionary! {
            "CreationDate" => date(), "ModDate" => date(),
        } };
        if typed {
            dict.set("Type", "EmbeddedFile");
        }
        doc.add_object(Stream::new(dict, content.as_bytes().to_vec()))
    }

    fn file_spec(doc: &mut Document, file: &str, content: &str, typed: bool) -> ObjectId {
        let stream = embedded(doc, content, typed);
        doc.add_object(dictionary! {
            "Type" => "Filespec",
            "F" => Object::string_literal(file),
            "UF" => Object::string_literal(file),
            "Desc" => Object::string_literal(format!("{file}, kept by {NAME}")),
            "EF" => dictionary! { "F" => stream, "UF" => stream },
        })
    }

    /// Files attached every way: in the catalog's /EmbeddedFiles (behind an
    /// intermediate node), as associated files of the catalog and a page, in
    /// file-attachment annotations (one with a popup, one written directly
    /// into /Annots), and embedded in the target of a link to another file.
    fn with_attachments(mut doc: Document) -> (Document, ObjectId) {
        let page = doc.page_iter().next().expect("page");
        let notes = file_spec(&mut doc, "Ada notes.txt", "private notes", true);
        let leaf = doc.add_object(dictionary! {
            "Limits" => vec![Object::string_literal("Ada notes.txt"); 2],
            "Names" => vec![Object::string_literal("Ada notes.txt"), notes.into()],
        });
        let tree = dictionary! { "Kids" => vec![Object::Reference(leaf)] };
        let associated = file_spec(&mut doc, "data.xml", "<data/>", true);
        let in_annotation = file_spec(&mut doc, "draft.docx", "an earlier draft", false);
        let annotation = doc.new_object_id();
        let popup = doc.add_object(dictionary! {
            "Subtype" => "Popup", "Rect" => rect(), "Parent" => annotation,
        });
        let attachment = dictionary! {
            "Subtype" => "FileAttachment", "Rect" => rect(), "FS" => in_annotation,
            "Contents" => Object::string_literal("draft.docx"), "Popup" => popup,
        };
        doc.objects
            .insert(annotation, Object::Dictionary(attachment));
        let direct_spec = file_spec(&mut doc, "photo.jpg", "a photo", true);
        let direct = dictionary! {
            "Subtype" => "FileAttachment", "Rect" => rect(), "FS" => direct_spec,
        };
        let linked = file_spec(&mut doc, "thesis.pdf", "the thesis itself", false);
        let action = dictionary! { "S" => "GoToR", "F" => linked, "D" => vec![0.into()] };
        let link = dictionary! { "Subtype" => "Link", "Rect" => rect(), "A" => action };
        let note = dictionary! {
            "Subtype" => "Text", "Rect" => rect(), "Contents" => Object::string_literal("Kept"),
        };
        let annots = vec![
            annotation.into(),
            popup.into(),
            Object::Dictionary(direct),
            Object::Dictionary(link),
            Object::Dictionary(note),
        ];
        let page_dict = doc.get_dictionary_mut(page).expect("page");
        page_dict.set("Annots", annots);
        page_dict.set("AF", vec![Object::Reference(associated)]);
        let catalog = doc.catalog_mut().expect("catalog");
        catalog.set("Names", dictionary! { "EmbeddedFiles" => tree });
        catalog.set("AF", vec![Object::Reference(associated)]);
        catalog.set("Collection", dictionary! { "View" => "D" });
        catalog.set("PageMode", "UseAttachments");
        (doc, page)
    }

    #[test]
    fn attached_files_go_with_their_names_descriptions_and_dates() {
        let (doc, _) = with_attachments(built_document());
        let pdf = save_classic(doc);
        let out = strip_and_check(&pdf);
        for gone in [
            &b"private notes"[..],
            b"<data/>",
            b"earlier draft",
            b"a photo",
            b"thesis itself",
            b"D:2026",
            b"Ada notes",
            b"draft.docx",
            b"photo.jpg",
        ] {
            assert!(contains(&pdf, gone), "{}", String::from_utf8_lossy(gone));
            assert!(!contains(&out, gone), "{}", String::from_utf8_lossy(gone));
        }
        let doc = Document::load_mem(&out).expect("loads");
        let catalog = doc.catalog().expect("catalog");
        for key in [&b"Names"[..], b"AF", b"Collection", b"PageMode"] {
            assert!(!catalog.has(key), "{}", String::from_utf8_lossy(key));
        }
        let page = doc.page_iter().next().expect("page");
        assert!(!doc.get_dictionary(page).expect("page").has(b"AF"));
        let annots = doc.get_page_annotations(page).expect("annotations");
        let subtypes: Vec<_> = annots
            .iter()
            .map(|a| text(a.get(b"Subtype").ok()))
            .collect();
        assert_eq!(subtypes, [Some("Link".to_owned()), Some("Text".to_owned())]);
        // The link still names the file it opens, without carrying a copy.
        let action = annots[0]
            .get(b"A")
            .and_then(Object::as_dict)
            .expect("action");
        let spec = action
            .get(b"F")
            .and_then(Object::as_reference)
            .expect("spec");
        let spec = doc.get_dictionary(spec).expect("spec");
        assert_eq!(text(spec.get(b"F").ok()).as_deref(), Some("thesis.pdf"));
        assert!(!spec.has(b"EF"));
        assert!(!spec.has(b"Desc"), "a description is free text");
        let mut streams = doc.objects.values().filter_map(|o| o.as_stream().ok());
        assert_eq!(streams.clone().count(), 2, "the two pages' contents");
        assert!(streams.all(|s| !s.dict.has(b"Params")));
    }

    #[test]
    fn hand_written_classic_pdf_loses_info_and_xmp() {
        assert_offsets_exact(HAND_WRITTEN);
        let out = strip_and_check(HAND_WRITTEN);
        assert!(!contains(&out, b"/Metadata") && !contains(&out, b"Hand"));
        assert!(!contains(&out, b"0123456789ABCDEF") && !contains(&out, &[0x01, 0x23, 0x45, 0x67]));
    }

    #[test]
    fn lopdf_built_pdf_loses_every_kind_of_metadata_string() {
        let out = strip_and_check(&save_classic(built_document()));
        assert!(
            !contains(&out, b"Typesetter")
                && !contains(&out, b"PieceInfo")
                && !contains(&out, b"poetical")
        );
        assert_eq!(page_contents(&out).len(), 2);
    }

    #[test]
    fn info_inside_an_object_stream_is_removed() {
        let pdf = save(built_document(), object_streams());
        let doc = Document::load_mem(&pdf).expect("fixture loads");
        let info = doc
            .trailer
            .get(b"Info")
            .and_then(Object::as_reference)
            .expect("info");
        let entry = doc.reference_table.get(info.0);
        assert!(
            matches!(entry, Some(lopdf::xref::XrefEntry::Compressed { .. })),
            "{entry:?}"
        );
        assert!(
            !contains(&pdf, b"Typesetter"),
            "the Info dictionary should be compressed"
        );
        let out = strip_and_check(&pdf);
        assert!(
            contains(&out, b"\nxref\n") && !contains(&out, b"/ObjStm") && !contains(&out, b"/XRef")
        );
    }

    #[test]
    fn older_revisions_info_and_xmp_do_not_survive_an_incremental_update() {
        let pdf = with_incremental_update(HAND_WRITTEN);
        let doc = Document::load_mem(&pdf).expect("fixture loads");
        assert_eq!(doc.revision_count(), 2);
        assert_offsets_exact(&pdf);
        let info = doc
            .trailer
            .get(b"Info")
            .and_then(Object::as_reference)
            .expect("info");
        assert_eq!(info, (8, 0));
        let out = strip_and_check(&pdf);
        assert!(!contains(&out, b"Application document") && !contains(&out, b"/Prev"));
    }

    #[test]
    fn incremental_update_of_an_object_stream_pdf_is_cleaned() {
        let base = save(built_document(), object_streams());
        let prev = Document::load_mem(&base).expect("base loads");
        let mut update = lopdf::IncrementalDocument::create_from(base, prev);
        let info = update
            .new_document
            .add_object(dictionary! { "Title" => Object::string_literal("Revised") });
        update.new_document.trailer.set("Info", info);
        let mut pdf = Vec::new();
        update.save_to(&mut pdf).expect("saves");
        let out = strip_and_check(&pdf);
        assert!(!contains(&out, b"Revised"));
    }

    #[test]
    fn info_and_xmp_go_even_when_another_object_refers_to_them() {
        let mut doc = built_document();
        let info = doc
            .trailer
            .get(b"Info")
            .and_then(Object::as_reference)
            .expect("info");
        let catalog = doc
            .trailer
            .get(b"Root")
            .and_then(Object::as_reference)
            .expect("root");
        let xmp = doc
            .get_dictionary(catalog)
            .and_then(|c| c.get(b"Metadata"))
            .cloned()
            .expect("xmp");
        let catalog = doc.get_dictionary_mut(catalog).expect("catalog");
        catalog.set("AppInfo", info);
        catalog.set("AppXmp", xmp);
        strip_and_check(&save_classic(doc));
    }

    #[test]
    fn original_id_is_replaced_by_a_hash_of_the_output() {
        let out = strip_metadata(HAND_WRITTEN).expect("strips");
        let doc = Document::load_mem(&out).expect("loads");
        let id = doc
            .trailer
            .get(b"ID")
            .and_then(Object::as_array)
            .expect("id");
        let first = id[0].as_str().expect("string");
        assert_eq!(first.len(), 16);
        assert_eq!(id[1].as_str().expect("string"), first);
        assert_ne!(
            first,
            b"\x01\x23\x45\x67\x89\xAB\xCD\xEF\x01\x23\x45\x67\x89\xAB\xCD\xEF"
        );
        assert_eq!(
            strip_metadata(HAND_WRITTEN).expect("strips"),
            out,
            "not deterministic"
        );
        assert_eq!(
            strip_metadata(&out).expect("strips again"),
            out,
            "not idempotent"
        );
    }

    #[test]
    fn encrypted_pdfs_are_refused() {
        for user_password in ["", "secret"] {
            let mut doc = built_document();
            let version = EncryptionVersion::V2 {
                document: &doc,
                owner_password: "owner",
                user_password,
                key_length: 128,
                permissions: Permissions::all(),
            };
            let state = EncryptionState::try_from(version).expect("state");
            doc.encrypt(&state).expect("encrypts");
            let result = strip_metadata(&save_classic(doc));
            assert!(
                matches!(result, Err(PdfMetadataError::Encrypted)),
                "{user_password:?}: {result:?}"
            );
        }
    }

    /// A classic PDF of the given objects (numbered from 1, the first the
    /// catalog) with an exact cross-reference table.
    fn classic(objects: &[Vec<u8>]) -> Vec<u8> {
        let mut pdf = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            writeln!(pdf, "{} 0 obj", i + 1).expect("writes");
            pdf.extend_from_slice(body);
            pdf.extend_from_slice(b"\nendobj\n");
        }
        let xref = pdf.len();
        write!(pdf, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).expect("writes");
        for offset in offsets {
            writeln!(pdf, "{offset:010} 00000 n ").expect("writes");
        }
        let size = objects.len() + 1;
        write!(
            pdf,
            "trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
        )
        .expect("writes");
        pdf
    }

    /// A small file with `count` object streams, each unpacking to a
    /// mebibyte (one long string) from about a kilobyte.
    fn with_object_streams(count: usize) -> Vec<u8> {
        let mut objects = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>".to_vec(),
            b"<< /Length 23 >>\nstream\nBT (Statement) Tj ET\nendstream".to_vec(),
        ];
        for i in 0..count {
            let header = format!("{} 0 ", 900 + i);
            let content = [header.as_bytes(), b"(", &vec![b'a'; 1 << 20], b")"].concat();
            let dict = dictionary! {
                "Type" => "ObjStm",
                "N" => 1,
                "First" => i64::try_from(header.len()).expect("short"),
            };
            let mut stream = Stream::new(dict, content);
            stream.compress().expect("compresses");
            let mut body = Vec::new();
            lopdf::Writer::write_object(&mut body, &Object::Stream(stream)).expect("writes");
            objects.push(body);
        }
        classic(&objects)
    }

    #[test]
    fn object_streams_may_not_unpack_past_the_limit_however_many_there_are() {
        let within = with_object_streams(4);
        assert!(within.len() < 64 << 10, "{}", within.len());
        assert_offsets_exact(&within);
        assert!(strip_metadata(&within).is_ok());
        let over = with_object_streams(9);
        assert!(over.len() < 64 << 10, "{}", over.len());
        let result = strip_metadata(&over).map(|out| out.len());
        assert!(
            matches!(result, Err(PdfMetadataError::TooLarge)),
            "{result:?}"
        );
    }

    #[test]
    fn encryption_is_seen_however_its_name_is_spelt() {
        for named in [
            &b"<< /Encrypt 5 0 R >>"[..],
            b"<</Encr#79pt 5 0 R>>",
            b"/#45#6Ecrypt<<",
        ] {
            assert!(
                names_encryption(named),
                "{}",
                String::from_utf8_lossy(named)
            );
        }
        for other in [
            &b"<< /Encrypted true /EncryptMetadata false >>"[..],
            b"(Encrypt) /Encr#7",
            b"/Encr#79p",
        ] {
            assert!(
                !names_encryption(other),
                "{}",
                String::from_utf8_lossy(other)
            );
        }
        assert!(!names_encryption(HAND_WRITTEN));
    }

    /// Valid files of every shape the tests build, for the fuzz target to damage.
    fn seeds() -> Vec<Vec<u8>> {
        let (comments, _) = with_comments(built_document());
        let (attachments, _) = with_attachments(built_document());
        vec![
            HAND_WRITTEN.to_vec(),
            save_classic(comments),
            save_classic(attachments),
            save(built_document(), object_streams()),
            with_incremental_update(HAND_WRITTEN),
        ]
    }

    proptest::proptest! {
        /// Whatever an upload holds, cleaning it returns a typed error or a
        /// file that reads back with exact offsets, and lopdf never panics
        /// on the way.
        #[test]
        fn fuzz_pdf_cleaner_never_panics(pdf in crate::domain::fuzzing::damaged(seeds())) {
            match strip_metadata(&pdf) {
                Ok(out) => {
                    let doc = Document::load_mem(&out);
                    proptest::prop_assert!(doc.is_ok(), "{:?}", doc.err());
                    proptest::prop_assert_eq!(doc.map(|d| d.xref_recovery).ok().flatten(), None);
                }
                Err(PdfMetadataError::ParserPanicked) => {
                    proptest::prop_assert!(false, "the parser panicked")
                }
                Err(_) => {}
            }
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for input in [
            &b""[..],
            b"not a pdf at all",
            b"%PDF-1.4\n%%EOF\n",
            b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog",
        ] {
            let result = strip_metadata(input);
            assert!(
                matches!(
                    result,
                    Err(PdfMetadataError::Unreadable(_) | PdfMetadataError::NoCatalog)
                ),
                "{result:?}"
            );
        }
        for len in (0..HAND_WRITTEN.len()).step_by(7) {
            match strip_metadata(&HAND_WRITTEN[..len]) {
                Ok(out) => assert!(!mentions_name(&out), "truncated at {len}"),
                Err(error) => assert!(
                    !matches!(error, PdfMetadataError::ParserPanicked),
                    "truncated at {len}"
                ),
            }
        }
    }
}
