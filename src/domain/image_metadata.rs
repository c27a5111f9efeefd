//! Removing what a photo says about who took it before a blind reviewer
//! sees it: EXIF (camera owner, GPS position, dates), XMP, IPTC and
//! comments in JPEG files; text, EXIF and time chunks in PNG files. The
//! picture itself is copied byte for byte, and a JPEG keeps its
//! orientation (in a new EXIF block holding only that), its colour profile
//! and its Adobe colour transform, so it looks the same.

/// Why an image could not be cleaned.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("the JPEG image is damaged: {0}")]
    Jpeg(&'static str),
    #[error("the PNG image is damaged: {0}")]
    Png(&'static str),
}

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const APP0: u8 = 0xE0;
const APP1: u8 = 0xE1;
const APP2: u8 = 0xE2;
const APP14: u8 = 0xEE;
const APP15: u8 = 0xEF;
const COM: u8 = 0xFE;

/// A copy of a JPEG file without its metadata segments.
pub fn strip_jpeg(bytes: &[u8]) -> Result<Vec<u8>, ImageError> {
    if !bytes.starts_with(&[0xFF, SOI]) {
        return Err(ImageError::Jpeg("it does not begin like a JPEG"));
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&[0xFF, SOI]);
    let mut pos = 2;
    let mut orientation_kept = false;
    while pos < bytes.len() {
        // Fill bytes (0xFF repeated) may come before a marker.
        while bytes.get(pos) == Some(&0xFF) && bytes.get(pos + 1) == Some(&0xFF) {
            pos += 1;
        }
        if bytes.get(pos) != Some(&0xFF) {
            return Err(ImageError::Jpeg("a segment does not begin with a marker"));
        }
        let Some(&marker) = bytes.get(pos + 1) else {
            break;
        };
        if marker == EOI {
            // Anything after the end (a second image, a vendor trailer) goes.
            out.extend_from_slice(&[0xFF, EOI]);
            return Ok(out);
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            out.extend_from_slice(&bytes[pos..pos + 2]);
            pos += 2;
            continue;
        }
        let length = match bytes.get(pos + 2..pos + 4) {
            Some(&[hi, lo]) => usize::from(u16::from_be_bytes([hi, lo])),
            _ => return Err(ImageError::Jpeg("a segment is cut short")),
        };
        if length < 2 || pos + 2 + length > bytes.len() {
            return Err(ImageError::Jpeg("a segment is longer than the file"));
        }
        let end = pos + 2 + length;
        let payload = &bytes[pos + 4..end];
        match marker {
            APP1 if !orientation_kept => {
                if let Some(orientation) = exif_orientation(payload).filter(|o| *o != 1) {
                    out.extend_from_slice(&orientation_only(orientation));
                    orientation_kept = true;
                }
            }
            APP0 if payload.starts_with(b"JFIF\0") && payload.len() >= 14 => {
                // The header alone: version, units and density, without a
                // thumbnail (which may show the photo before it was cropped).
                out.extend_from_slice(&[0xFF, APP0, 0, 16]);
                out.extend_from_slice(&payload[..12]);
                out.extend_from_slice(&[0, 0]);
            }
            APP2 if payload.starts_with(b"ICC_PROFILE\0") => {
                out.extend_from_slice(&bytes[pos..end])
            }
            APP14 if payload.starts_with(b"Adobe") => out.extend_from_slice(&bytes[pos..end]),
            APP0..=APP15 | COM => {}
            _ => out.extend_from_slice(&bytes[pos..end]),
        }
        pos = end;
        if marker == SOS {
            // Entropy-coded data runs to the next marker other than a
            // stuffed 0xFF00 or a restart marker (fill bytes may come first).
            let start = pos;
            while let Some(at) = memchr::memchr(0xFF, &bytes[pos..]) {
                pos += at;
                match bytes.get(pos + 1) {
                    Some(0x00 | 0xD0..=0xD7) => pos += 2,
                    Some(0xFF) => pos += 1,
                    _ => break,
                }
            }
            if memchr::memchr(0xFF, &bytes[pos..]).is_none() {
                pos = bytes.len();
            }
            let mut data = &bytes[start..pos];
            if pos + 1 >= bytes.len() {
                // Cut short inside the picture: 0xFF bytes at the very end
                // began a marker that never came, and are left out.
                pos = bytes.len();
                data = &bytes[start..];
                while let Some(rest) = data.strip_suffix(&[0xFF]) {
                    data = rest;
                }
            }
            out.extend_from_slice(data);
        }
    }
    // No end marker (a cut-short file): what was read is kept, cleaned.
    Ok(out)
}

/// The orientation (1–8) in an `Exif\0\0` APP1 payload, if it has one.
fn exif_orientation(payload: &[u8]) -> Option<u16> {
    let tiff = payload.strip_prefix(b"Exif\0\0")?;
    let big = match tiff.get(..4)? {
        b"MM\0\x2A" => true,
        b"II\x2A\0" => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b: [u8; 2] = tiff.get(at..at + 2)?.try_into().ok()?;
        Some(if big {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = tiff.get(at..at + 4)?.try_into().ok()?;
        Some(if big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let ifd = usize::try_from(u32_at(4)?).ok()?;
    let entries = u16_at(ifd)?;
    (0..usize::from(entries)).find_map(|i| {
        let entry = ifd + 2 + i * 12;
        // Tag 0x0112, type SHORT, one value, stored in the entry itself.
        (u16_at(entry)? == 0x0112 && u16_at(entry + 2)? == 3)
            .then(|| u16_at(entry + 8))
            .flatten()
            .filter(|o| (1..=8).contains(o))
    })
}

/// An APP1 segment whose EXIF holds the orientation and nothing else.
fn orientation_only(orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::with_capacity(26);
    tiff.extend_from_slice(b"MM\0\x2A\0\0\0\x08"); // big-endian, IFD0 at 8
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // one value
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]); // padding of the value field
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    let length = u16::try_from(2 + 6 + tiff.len()).expect("a few bytes");
    let mut out = vec![0xFF, APP1];
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(&tiff);
    out
}

const PNG_SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// Ancillary PNG chunks that change how the picture looks; every other
/// ancillary chunk (text, EXIF, time, private ones) is dropped. Critical
/// chunks are always kept.
const PNG_RENDERING: [&[u8; 4]; 16] = [
    b"bKGD", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB", b"pHYs", b"sPLT", b"tRNS", b"hIST",
    b"cICP", b"mDCv", b"cLLi", b"acTL", b"fcTL", b"fdAT",
];

/// A copy of a PNG file without its text, EXIF and time chunks.
pub fn strip_png(bytes: &[u8]) -> Result<Vec<u8>, ImageError> {
    let Some(mut rest) = bytes.strip_prefix(PNG_SIGNATURE) else {
        return Err(ImageError::Png("it does not begin like a PNG"));
    };
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(PNG_SIGNATURE);
    while !rest.is_empty() {
        let (length, kind) = match rest.get(..8) {
            Some(head) => (
                usize::try_from(u32::from_be_bytes([head[0], head[1], head[2], head[3]]))
                    .map_err(|_| ImageError::Png("a chunk is too long"))?,
                &head[4..8],
            ),
            None => return Err(ImageError::Png("a chunk is cut short")),
        };
        let whole = length
            .checked_add(12)
            .filter(|w| *w <= rest.len())
            .ok_or(ImageError::Png("a chunk is longer than the file"))?;
        let critical = kind[0].is_ascii_uppercase();
        if critical || PNG_RENDERING.iter().any(|k| k.as_slice() == kind) {
            out.extend_from_slice(&rest[..whole]);
        }
        if kind == b"IEND" {
            return Ok(out);
        }
        rest = &rest[whole..];
    }
    Err(ImageError::Png("it has no end chunk"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![0xFF, marker];
        out.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        out.extend_from_slice(payload);
        out
    }

    /// EXIF, little-endian, with an artist and an orientation.
    fn exif(orientation: u16) -> Vec<u8> {
        let mut t = b"Exif\0\0II\x2A\0\x08\0\0\0".to_vec();
        t.extend_from_slice(&2u16.to_le_bytes());
        // Artist (0x013B), ASCII, 12 bytes at offset 38.
        t.extend_from_slice(&0x013Bu16.to_le_bytes());
        t.extend_from_slice(&2u16.to_le_bytes());
        t.extend_from_slice(&12u32.to_le_bytes());
        t.extend_from_slice(&38u32.to_le_bytes());
        t.extend_from_slice(&0x0112u16.to_le_bytes());
        t.extend_from_slice(&3u16.to_le_bytes());
        t.extend_from_slice(&1u32.to_le_bytes());
        t.extend_from_slice(&orientation.to_le_bytes());
        t.extend_from_slice(&[0, 0]);
        t.extend_from_slice(&0u32.to_le_bytes());
        t.extend_from_slice(b"Ada Lovelace");
        t
    }

    /// The parts of a JPEG that make the picture.
    fn picture() -> Vec<u8> {
        let mut p = segment(0xDB, &[0; 65]); // quantisation table
        p.extend(segment(0xC0, &[8, 0, 16, 0, 16, 1, 1, 0x11, 0])); // frame
        p.extend(segment(0xC4, &[0; 20])); // Huffman table
        p.extend(segment(SOS, &[1, 1, 0, 0, 63, 0]));
        // Entropy-coded data with a stuffed 0xFF, a restart marker, and
        // one after fill bytes.
        p.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56]);
        p.extend_from_slice(&[0xFF, 0xFF, 0xD4, 0x78]);
        p
    }

    fn jpeg(orientation: u16) -> Vec<u8> {
        let mut j = vec![0xFF, SOI];
        // JFIF with a 1x1 thumbnail.
        j.extend(segment(APP0, b"JFIF\0\x01\x01\0\0\x01\0\x01\x01\x01Ada"));
        j.extend(segment(APP1, &exif(orientation)));
        j.extend(segment(
            APP1,
            b"http://ns.adobe.com/xap/1.0/\0<dc:creator>Ada Lovelace</dc:creator>",
        ));
        j.extend(segment(APP2, b"ICC_PROFILE\0\x01\x01colour"));
        j.extend(segment(0xED, b"Photoshop 3.0\0Ada Lovelace"));
        j.extend(segment(COM, b"taken by Ada Lovelace"));
        j.extend(picture());
        j.extend_from_slice(&[0xFF, EOI]);
        j.extend_from_slice(b"trailer: Ada Lovelace");
        j
    }

    fn holds(haystack: &[u8], needle: &[u8]) -> bool {
        memchr::memmem::find(haystack, needle).is_some()
    }

    #[test]
    fn a_jpeg_loses_its_metadata_and_keeps_its_picture_and_orientation() {
        let cleaned = strip_jpeg(&jpeg(6)).unwrap();
        assert!(!holds(&cleaned, b"Ada"), "{cleaned:?}");
        assert!(holds(&cleaned, &picture()), "the picture is copied whole");
        assert!(holds(&cleaned, b"ICC_PROFILE\0\x01\x01colour"));
        assert!(holds(&cleaned, b"JFIF\0"));
        assert!(cleaned.ends_with(&[0xFF, EOI]));
        let app1 = memchr::memmem::find(&cleaned, b"Exif\0\0").unwrap();
        assert_eq!(exif_orientation(&cleaned[app1..]), Some(6));
        // Cleaning again changes nothing.
        assert_eq!(strip_jpeg(&cleaned).unwrap(), cleaned);
    }

    #[test]
    fn an_upright_jpeg_gets_no_exif_at_all() {
        let cleaned = strip_jpeg(&jpeg(1)).unwrap();
        assert!(!holds(&cleaned, b"Exif"));
        let mut expected = vec![0xFF, SOI];
        expected.extend(segment(APP0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
        expected.extend(segment(APP2, b"ICC_PROFILE\0\x01\x01colour"));
        expected.extend(picture());
        expected.extend_from_slice(&[0xFF, EOI]);
        assert_eq!(cleaned, expected);
    }

    #[test]
    fn orientation_is_read_in_either_byte_order() {
        assert_eq!(exif_orientation(&exif(8)), Some(8));
        let big = orientation_only(3);
        assert_eq!(exif_orientation(&big[4..]), Some(3));
        assert_eq!(exif_orientation(&exif(9)), None, "not an orientation");
        assert_eq!(exif_orientation(b"Exif\0\0II\x2A\0\xff\0\0\0"), None);
    }

    #[test]
    fn damaged_jpegs_are_refused_and_cut_short_ones_kept_clean() {
        assert!(strip_jpeg(b"GIF89a").is_err());
        let mut long = vec![0xFF, SOI, 0xFF, COM, 0x40, 0];
        long.extend_from_slice(b"short");
        assert_eq!(
            strip_jpeg(&long),
            Err(ImageError::Jpeg("a segment is longer than the file"))
        );
        assert!(strip_jpeg(&[0xFF, SOI, 0x12]).is_err());
        let mut cut = jpeg(1);
        let at = memchr::memmem::find(&cut, &[0xFF, EOI]).unwrap();
        cut.truncate(at - 1);
        let cleaned = strip_jpeg(&cut).unwrap();
        assert!(!holds(&cleaned, b"Ada"));
        assert!(cleaned.ends_with(&[0x56, 0xFF, 0xFF, 0xD4]));
    }

    #[test]
    fn a_picture_cut_short_in_its_fill_bytes_ends_without_them() {
        let whole = jpeg(1);
        let cleaned = strip_jpeg(&whole).unwrap();
        let at = memchr::memmem::find(&whole, &[0x56, 0xFF, 0xFF, 0xD4]).unwrap();
        for cut in [at + 2, at + 3] {
            let out = strip_jpeg(&whole[..cut]).unwrap();
            let kept = memchr::memmem::find(&cleaned, &[0x56, 0xFF, 0xFF, 0xD4]).unwrap();
            assert_eq!(out, cleaned[..=kept], "cut at {cut}");
            assert_eq!(jpeg_fault(&out), None);
        }
    }

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&[1, 2, 3, 4]); // the CRC is copied, not checked
        out
    }

    fn png() -> Vec<u8> {
        let mut png = PNG_SIGNATURE.to_vec();
        for part in [
            chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]),
            chunk(b"tEXt", b"Author\0Ada Lovelace"),
            chunk(b"iTXt", b"Author\0\0\0\0\0Ada Lovelace"),
            chunk(b"zTXt", b"Comment\0\0x"),
            chunk(b"eXIf", &exif(1)[6..]),
            chunk(b"tIME", &[7, 234, 11, 28, 12, 0, 0]),
            chunk(b"prVt", b"Ada Lovelace"),
            chunk(b"sRGB", &[0]),
            chunk(b"IDAT", b"compressed pixels"),
            chunk(b"IEND", &[]),
        ] {
            png.extend(part);
        }
        png.extend_from_slice(b"trailer: Ada Lovelace");
        png
    }

    #[test]
    fn a_png_loses_text_exif_and_time_and_keeps_its_picture() {
        let ihdr = chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
        let srgb = chunk(b"sRGB", &[0]);
        let idat = chunk(b"IDAT", b"compressed pixels");
        let iend = chunk(b"IEND", &[]);
        let png = png();
        let cleaned = strip_png(&png).unwrap();
        let expected = [PNG_SIGNATURE.to_vec(), ihdr, srgb, idat, iend].concat();
        assert_eq!(cleaned, expected);
        assert!(strip_png(b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR").is_err());
        assert!(strip_png(b"not a png").is_err());
        assert_eq!(
            strip_png(&[PNG_SIGNATURE.as_slice(), &chunk(b"IHDR", &[0; 13])].concat()),
            Err(ImageError::Png("it has no end chunk"))
        );
    }

    /// What is wrong with a cleaned JPEG, read independently of the
    /// cleaner: it must begin with SOI, every segment must fit, nothing may
    /// follow EOI, and the only metadata left is the JFIF header, an
    /// orientation, a colour profile and the Adobe transform.
    fn jpeg_fault(out: &[u8]) -> Option<String> {
        if !out.starts_with(&[0xFF, SOI]) {
            return Some("no SOI".into());
        }
        let mut pos = 2;
        while pos < out.len() {
            while out.get(pos..pos + 2) == Some(&[0xFF, 0xFF]) {
                pos += 1;
            }
            let (Some(0xFF), Some(&marker)) = (out.get(pos), out.get(pos + 1)) else {
                return Some(format!("no marker at {pos}"));
            };
            if marker == EOI {
                return (pos + 2 != out.len()).then(|| "bytes after EOI".into());
            }
            if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
                pos += 2;
                continue;
            }
            let Some(&[hi, lo]) = out.get(pos + 2..pos + 4) else {
                return Some(format!("segment {marker:X} cut short"));
            };
            let end = pos + 2 + usize::from(u16::from_be_bytes([hi, lo]));
            if end < pos + 4 || end > out.len() {
                return Some(format!("segment {marker:X} overruns"));
            }
            let payload = &out[pos + 4..end];
            let allowed = match marker {
                APP0 => payload.starts_with(b"JFIF\0") && payload.len() == 14,
                APP1 => {
                    exif_orientation(payload).is_some_and(|o| orientation_only(o)[4..] == *payload)
                }
                APP2 => payload.starts_with(b"ICC_PROFILE\0"),
                APP14 => payload.starts_with(b"Adobe"),
                0xE3..=APP15 | COM => false,
                _ => true,
            };
            if !allowed {
                return Some(format!("metadata segment {marker:X} kept"));
            }
            pos = end;
            if marker == SOS {
                while pos < out.len() {
                    match (out[pos], out.get(pos + 1)) {
                        (0xFF, Some(0x00 | 0xD0..=0xD7 | 0xFF)) => pos += 1,
                        (0xFF, _) => break,
                        _ => pos += 1,
                    }
                }
            }
        }
        None
    }

    /// What is wrong with a cleaned PNG: the signature, whole chunks, the
    /// last one IEND, and no ancillary chunk but those that change how the
    /// picture looks.
    fn png_fault(out: &[u8]) -> Option<String> {
        let Some(mut rest) = out.strip_prefix(PNG_SIGNATURE) else {
            return Some("no signature".into());
        };
        loop {
            let Some(head) = rest.get(..8) else {
                return Some("a chunk is cut short".into());
            };
            let length = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
            let kind = &head[4..8];
            let Some(whole) = length.checked_add(12).filter(|w| *w <= rest.len()) else {
                return Some("a chunk overruns".into());
            };
            if kind[0].is_ascii_lowercase() && !PNG_RENDERING.iter().any(|k| k.as_slice() == kind) {
                return Some(format!("{} kept", String::from_utf8_lossy(kind)));
            }
            rest = &rest[whole..];
            if kind == b"IEND" {
                return (!rest.is_empty()).then(|| "bytes after IEND".into());
            }
        }
    }

    proptest::proptest! {
        /// Whatever an upload holds, cleaning it as a JPEG returns a typed
        /// error or a JPEG that is still well formed and holds no metadata.
        #[test]
        fn fuzz_jpeg_cleaner_never_panics(
            file in crate::domain::fuzzing::damaged(vec![jpeg(6), jpeg(1), picture()])
        ) {
            if let Ok(out) = strip_jpeg(&file) {
                proptest::prop_assert_eq!(jpeg_fault(&out), None, "{:?} -> {:?}", file, out);
                proptest::prop_assert!(out.len() <= file.len(), "grew");
            }
        }

        /// Whatever an upload holds, cleaning it as a PNG returns a typed
        /// error or a PNG whose chunks are whole and end with IEND.
        #[test]
        fn fuzz_png_cleaner_never_panics(file in crate::domain::fuzzing::damaged(vec![png()])) {
            if let Ok(out) = strip_png(&file) {
                proptest::prop_assert_eq!(png_fault(&out), None, "{:?} -> {:?}", file, out);
                proptest::prop_assert!(out.len() <= file.len(), "grew");
                proptest::prop_assert_eq!(
                    crate::domain::document::sniff(&out),
                    Some(crate::domain::form::DocumentType::Png)
                );
            }
        }
    }
}
