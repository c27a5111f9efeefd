//! Documents: the type decided by content (never by the name), file names
//! made safe to show, and who may open what.

use super::form::DocumentType;

super::id::id_type!(
    /// Database id of a stored document (an upload or a referee's letter).
    DocumentId
);

/// Bytes of a file's start examined to decide its type.
pub const SNIFF_BYTES: usize = 8192;

/// The type of a file from its first bytes (up to [`SNIFF_BYTES`]).
pub fn sniff(head: &[u8]) -> Option<DocumentType> {
    if head.starts_with(b"%PDF-") {
        Some(DocumentType::Pdf)
    } else if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(DocumentType::Png)
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(DocumentType::Jpeg)
    } else if head.starts_with(b"PK\x03\x04")
        && (contains(head, b"[Content_Types].xml") || contains(head, b"word/"))
    {
        Some(DocumentType::Docx)
    } else {
        None
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The type a file name claims by its extension, if it names one we know.
pub fn claimed_type(file_name: &str) -> Option<DocumentType> {
    let ext = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "pdf" => Some(DocumentType::Pdf),
        "docx" => Some(DocumentType::Docx),
        "png" => Some(DocumentType::Png),
        "jpg" | "jpeg" => Some(DocumentType::Jpeg),
        _ => None,
    }
}

/// Why an upload is refused, in words for the person uploading.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("The file you chose is empty. Choose the file again.")]
    Empty,
    #[error("The file is {size}; this question accepts files up to {limit_mb} MiB.", size = human_size(*.size))]
    TooLarge { size: u64, limit_mb: u64 },
    #[error("We could not recognise this file. Upload {accepted}.")]
    Unrecognised { accepted: String },
    #[error("The file is a {actual}; this question accepts {accepted}.")]
    NotAccepted {
        actual: &'static str,
        accepted: String,
    },
    #[error("The file is named .{claimed} but its content is a {actual}. Save it in the right format and upload it again.", claimed = .claimed.extension(), actual = .actual.label())]
    NameMismatch {
        claimed: DocumentType,
        actual: DocumentType,
    },
}

/// "PDF or Word (.docx)".
pub fn describe_accepted(accepted: &[DocumentType]) -> String {
    let labels: Vec<&str> = accepted.iter().map(|t| t.label()).collect();
    match labels.as_slice() {
        [] => "no files".into(),
        [one] => format!("a {one} file"),
        [init @ .., last] => format!("{} or {last} files", init.join(", ")),
    }
}

/// Checks an upload: not empty, within the size limit, a recognised type
/// the question accepts, and the name (if it has a known extension) agrees
/// with the content.
pub fn check_upload(
    head: &[u8],
    size: u64,
    file_name: &str,
    accepted: &[DocumentType],
    limit_mb: u64,
) -> Result<DocumentType, UploadError> {
    if size == 0 {
        return Err(UploadError::Empty);
    }
    if size > limit_mb.saturating_mul(1024 * 1024) {
        return Err(UploadError::TooLarge { size, limit_mb });
    }
    let actual = sniff(head).ok_or_else(|| UploadError::Unrecognised {
        accepted: describe_accepted(accepted),
    })?;
    if let Some(claimed) = claimed_type(file_name) {
        if claimed != actual {
            return Err(UploadError::NameMismatch { claimed, actual });
        }
    }
    if !accepted.contains(&actual) {
        return Err(UploadError::NotAccepted {
            actual: actual.label(),
            accepted: describe_accepted(accepted),
        });
    }
    Ok(actual)
}

/// A size in words, in the binary units limits are counted in: "812 KiB",
/// "12.3 MiB".
pub fn human_size(bytes: u64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KiB", bytes.div_ceil(1024))
    } else {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// Invisible characters that change how a name reads without showing:
/// bidirectional embeddings, overrides, isolates and marks (which make
/// `cv\u{202E}fdp.exe` show as `cvexe.pdf`), zero-width spaces and joiners,
/// word joiners and byte-order marks, soft hyphens.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Whether `name` ends in an extension of the type whose usual extension is
/// `ext` (`photo.JPEG` for `jpg`).
fn ends_in(name: &str, ext: &str) -> bool {
    let Some((_, has)) = name.rsplit_once('.') else {
        return false;
    };
    has.eq_ignore_ascii_case(ext)
        || claimed_type(name).is_some_and(|t| t.extension().eq_ignore_ascii_case(ext))
}

/// A file name safe to store and show: the last path component, invisible
/// characters removed, control characters and anything outside letters,
/// digits, space, `.-_()` replaced, no leading dots, ending in `.ext` (the
/// type found in the content: `cv.exe` holding a PDF becomes `cv.exe.pdf`)
/// unless `ext` is empty, at most 120 characters (keeping the extension).
pub fn sanitise_file_name(raw: &str, ext: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let mut cleaned: String = last
        .chars()
        .filter(|c| !is_invisible(*c))
        .map(|c| {
            if c.is_alphanumeric() || " .-_()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    while cleaned.contains("__") {
        cleaned = cleaned.replace("__", "_");
    }
    let cleaned = cleaned
        .trim_matches(|c: char| c == '.' || c == ' ' || c == '_')
        .to_owned();
    let cleaned = if cleaned.is_empty() && ext.is_empty() {
        "document".to_owned()
    } else if cleaned.is_empty() {
        format!("document.{ext}")
    } else if ext.is_empty() || ends_in(&cleaned, ext) {
        cleaned
    } else {
        format!("{cleaned}.{ext}")
    };
    const MAX: usize = 120;
    if cleaned.chars().count() <= MAX {
        return cleaned;
    }
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((s, e)) if e.chars().count() <= 10 => (s.to_owned(), format!(".{e}")),
        _ => (cleaned.clone(), String::new()),
    };
    let keep = MAX - ext.chars().count();
    let stem: String = stem.chars().take(keep).collect();
    // Where the cut falls, as at the name's ends: no trailing dot, space or
    // underscore (so cleaning the result again leaves it as it is).
    let stem = stem.trim_end_matches(['.', ' ', '_']);
    format!("{stem}{ext}")
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

#[cfg(test)]
mod tests {
    use super::*;
    use DocumentType::*;

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

    const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj";
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn types_come_from_content() {
        assert_eq!(sniff(PDF), Some(Pdf));
        assert_eq!(sniff(PNG), Some(Png));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF"), Some(Jpeg));
        assert_eq!(
            sniff(b"PK\x03\x04\x14\0\x06\0\x08\0[Content_Types].xml"),
            Some(Docx)
        );
        assert_eq!(sniff(b"PK\x03\x04\x14\0 a plain zip of photos"), None);
        assert_eq!(sniff(b"MZ\x90\0 an executable"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn uploads_are_checked_with_messages() {
        let ok = check_upload(PDF, 1000, "cv.pdf", &[Pdf, Docx], 5);
        assert_eq!(ok, Ok(Pdf));
        assert_eq!(
            check_upload(PDF, 0, "cv.pdf", &[Pdf], 5),
            Err(UploadError::Empty)
        );
        let big = check_upload(PDF, 6 * 1024 * 1024, "cv.pdf", &[Pdf], 5).unwrap_err();
        assert_eq!(
            big.to_string(),
            "The file is 6.0 MiB; this question accepts files up to 5 MiB."
        );
        let fake = check_upload(PNG, 100, "cv.pdf", &[Pdf, Png], 5).unwrap_err();
        assert_eq!(fake.to_string(), "The file is named .pdf but its content is a PNG image. Save it in the right format and upload it again.");
        let wrong = check_upload(PNG, 100, "photo.png", &[Pdf, Docx], 5).unwrap_err();
        assert_eq!(
            wrong.to_string(),
            "The file is a PNG image; this question accepts PDF or Word (.docx) files."
        );
        let unknown = check_upload(b"hello", 5, "notes.txt", &[Pdf], 5).unwrap_err();
        assert_eq!(
            unknown.to_string(),
            "We could not recognise this file. Upload a PDF file."
        );
        assert_eq!(check_upload(PDF, 10, "no extension", &[Pdf], 5), Ok(Pdf));
    }

    #[test]
    fn stored_names_end_in_the_type_found_and_hide_nothing() {
        for (raw, ext, stored) in [
            ("cv\u{202E}fdp.exe", "pdf", "cvfdp.exe.pdf"),
            ("cv.exe", "pdf", "cv.exe.pdf"),
            ("CV.PDF", "pdf", "CV.PDF"),
            ("photo.jpeg", "jpg", "photo.jpeg"),
            ("photo.JPG", "jpg", "photo.JPG"),
            ("photo.png", "jpg", "photo.png.jpg"),
            ("notes", "docx", "notes.docx"),
            (
                "Letter from Prof. Okafor",
                "pdf",
                "Letter from Prof. Okafor.pdf",
            ),
            ("a\u{200B}b\u{2066}c\u{2069}\u{FEFF}.pdf", "pdf", "abc.pdf"),
            ("\u{202E}\u{200F}", "pdf", "document.pdf"),
            ("tab\there.pdf", "pdf", "tab_here.pdf"),
            ("cv.exe", "", "cv.exe"),
            // Nothing left and no type known: no dangling dot.
            ("..", "", "document"),
        ] {
            assert_eq!(sanitise_file_name(raw, ext), stored, "{raw:?}");
        }
        let cut = sanitise_file_name(&format!("{}_b.with a long extension", "a".repeat(119)), "");
        assert_eq!(
            cut,
            "a".repeat(119),
            "no underscore left where the cut falls"
        );
        let long = sanitise_file_name(&format!("{}.exe", "a".repeat(300)), "pdf");
        assert_eq!(long, format!("{}.pdf", "a".repeat(116)));
    }

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(sanitise_file_name("../../etc/passwd", "pdf"), "passwd.pdf");
        assert_eq!(
            sanitise_file_name("C:\\Users\\ana\\CV final.pdf", "pdf"),
            "CV final.pdf"
        );
        assert_eq!(
            sanitise_file_name("evil\u{0}name.pdf", "pdf"),
            "evil_name.pdf"
        );
        assert_eq!(sanitise_file_name("<script>.pdf", "pdf"), "script_.pdf");
        assert_eq!(sanitise_file_name("...", "pdf"), "document.pdf");
        assert_eq!(sanitise_file_name("", "docx"), "document.docx");
        let long = format!("{}.pdf", "a".repeat(300));
        let safe = sanitise_file_name(&long, "pdf");
        assert_eq!(safe.chars().count(), 120);
        assert!(safe.ends_with(".pdf"));
        assert_eq!(
            sanitise_file_name("Résumé – María.pdf", "pdf"),
            "Résumé _ María.pdf"
        );
    }

    const JPEG_HEAD: &[u8] = b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01";
    const DOCX_HEAD: &[u8] = b"PK\x03\x04\x14\0\x06\0\x08\0\0\0!\0[Content_Types].xml";

    fn any_types() -> impl proptest::strategy::Strategy<Value = Vec<DocumentType>> {
        proptest::sample::subsequence(vec![Pdf, Docx, Png, Jpeg], 0..=4)
    }

    /// Names as browsers send them and as attackers write them: paths,
    /// dots, spaces, controls, bidirectional and zero-width characters,
    /// letters of other scripts, and any text at all.
    fn any_name() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::prop_oneof![
            "[a-zA-Z0-9 ./\\\\_()<>:\"'%-]{0,40}(\\.(pdf|PDF|docx|png|jpg|jpeg|exe))?",
            "[\\x00-\\x1f\u{00AD}\u{061C}\u{200B}-\u{200F}\u{202A}-\u{202E}\u{2066}-\u{2069}\u{FEFF}a. é–ß\u{0301}]{0,300}",
            proptest::prelude::any::<String>(),
        ]
    }

    proptest::proptest! {
        /// Whatever an upload's first bytes, size, name and question, the
        /// check answers with a type it found and accepts, or says why not.
        #[test]
        fn fuzz_sniffing_never_panics(
            head in crate::domain::fuzzing::damaged(vec![PDF.to_vec(), PNG.to_vec(), JPEG_HEAD.to_vec(), DOCX_HEAD.to_vec()]),
            size in proptest::prelude::any::<u64>(),
            name in any_name(),
            accepted in any_types(),
            limit_mb in proptest::prelude::any::<u64>(),
        ) {
            let found = sniff(&head);
            match check_upload(&head, size, &name, &accepted, limit_mb) {
                Ok(kind) => {
                    proptest::prop_assert_eq!(Some(kind), found);
                    proptest::prop_assert!(accepted.contains(&kind));
                    proptest::prop_assert!(size > 0 && size <= limit_mb.saturating_mul(1 << 20));
                    proptest::prop_assert!(claimed_type(&name).is_none_or(|c| c == kind));
                }
                Err(e) => {
                    proptest::prop_assert_eq!(e == UploadError::Empty, size == 0);
                    proptest::prop_assert!(!e.to_string().is_empty());
                }
            }
        }

        /// Whatever name an upload comes with, the stored one is short,
        /// visible, a single component ending in the type found, and stays
        /// itself when cleaned again; its download header is plain ASCII
        /// that gives the name back exactly.
        #[test]
        fn fuzz_name_cleaning_never_panics(
            raw in any_name(),
            ext in proptest::sample::select(vec!["pdf", "docx", "png", "jpg", ""]),
        ) {
            let name = sanitise_file_name(&raw, ext);
            proptest::prop_assert!(!name.is_empty() && name.chars().count() <= 120, "{name:?}");
            proptest::prop_assert!(!name.starts_with('.'), "{name:?}");
            proptest::prop_assert!(
                !name.chars().any(|c| c == '/' || c == '\\' || c.is_control() || is_invisible(c)),
                "{name:?}"
            );
            let lower = name.to_lowercase();
            proptest::prop_assert!(
                ext.is_empty() || lower.ends_with(&format!(".{ext}")) || (ext == "jpg" && lower.ends_with(".jpeg")),
                "{raw:?} -> {name:?}"
            );
            proptest::prop_assert_eq!(sanitise_file_name(&name, ext), name.clone());

            for shown in [name.as_str(), raw.as_str()] {
                let header = content_disposition(shown);
                proptest::prop_assert!(header.bytes().all(|b| b == b' ' || b.is_ascii_graphic()), "{header:?}");
                let (quoted, encoded) = header
                    .strip_prefix("attachment; filename=\"")
                    .and_then(|rest| rest.split_once("\"; filename*=UTF-8''"))
                    .ok_or_else(|| proptest::test_runner::TestCaseError::fail(header.clone()))?;
                proptest::prop_assert!(!quoted.contains(['"', '\\']), "{header:?}");
                proptest::prop_assert_eq!(percent_decoded(encoded), shown.as_bytes());
            }
        }
    }

    fn percent_decoded(text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        let mut bytes = text.bytes();
        while let Some(b) = bytes.next() {
            if b == b'%' {
                let hex: String = bytes.by_ref().take(2).map(char::from).collect();
                out.push(u8::from_str_radix(&hex, 16).unwrap_or(b'?'));
            } else {
                out.push(b);
            }
        }
        out
    }
}
