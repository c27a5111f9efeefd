//! The parts of a Word package dropped whole before a blind reviewer gets
//! it, and the package's lists of relationships and content types rewritten
//! so that they name no dropped part and Word opens the file without
//! offering to repair it.
//!
//! Dropped: the preview picture (`docProps/thumbnail.*`, which keeps the
//! camera's EXIF and GPS when it is a photo), custom XML data
//! (`customXml/`: SharePoint properties with people's names, data bound to
//! content controls) and sensitivity labels (`docMetadata/LabelInfo.xml`,
//! naming the organisation's label and tenant). Pure bytes in, bytes out.

use std::collections::BTreeSet;

/// Relationship types whose targets are dropped, by how they end (the
/// transitional and strict URIs end alike).
const DROPPED_TYPES: [&str; 3] = ["/metadata/thumbnail", "/customxml", "/classificationlabels"];

/// Where dropped parts live, lower-cased: whole folders, and the stem of
/// the preview picture whatever its format.
const DROPPED_PREFIXES: [&str; 3] = ["customxml/", "docmetadata/", "docprops/thumbnail."];

/// The parts of one package that are dropped.
#[derive(Debug, Default)]
pub(super) struct Dropped {
    /// Lower-cased part names found through a dropped relationship type.
    targets: BTreeSet<String>,
}

impl Dropped {
    /// Records the targets of the dropped relationship types in the
    /// relationship part `rels_name`, wherever they are stored.
    pub(super) fn learn(&mut self, rels_name: &str, xml: &[u8]) {
        // Read through the filter, which leaves the part as it is.
        without_elements(xml, b"Relationship", |attributes| {
            if is_dropped_type(attributes) && !is_external(attributes) {
                if let Some(target) = attribute(attributes, b"Target") {
                    self.targets.insert(resolve(rels_name, target));
                }
            }
            false
        });
    }

    /// Whether the part (a zip entry name) is dropped: by where it lives,
    /// as the target of a dropped relationship, or as the relationships of
    /// a dropped part.
    pub(super) fn contains(&self, name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        let is = |part: &str| {
            DROPPED_PREFIXES.iter().any(|p| part.starts_with(p)) || self.targets.contains(part)
        };
        is(&lower) || source_of(&lower).is_some_and(|source| is(&source))
    }

    /// The relationship part `rels_name` without its relationships to
    /// dropped parts or of dropped types.
    pub(super) fn relationships(&self, rels_name: &str, xml: &[u8]) -> Vec<u8> {
        without_elements(xml, b"Relationship", |attributes| {
            is_dropped_type(attributes)
                || (!is_external(attributes)
                    && attribute(attributes, b"Target")
                        .is_some_and(|t| self.contains(&resolve(rels_name, t))))
        })
    }

    /// `[Content_Types].xml` without the overrides of dropped parts. The
    /// defaults by extension stay: one that no part uses is harmless.
    pub(super) fn content_types(&self, xml: &[u8]) -> Vec<u8> {
        without_elements(xml, b"Override", |attributes| {
            attribute(attributes, b"PartName")
                .is_some_and(|part| self.contains(part.trim_start_matches('/')))
        })
    }
}

type Attributes<'a> = Vec<(&'a [u8], &'a [u8])>;

fn attribute<'a>(attributes: &Attributes<'a>, name: &[u8]) -> Option<&'a str> {
    attributes
        .iter()
        .find(|(n, _)| *n == name)
        .and_then(|(_, value)| std::str::from_utf8(value).ok())
}

fn is_dropped_type(attributes: &Attributes<'_>) -> bool {
    attribute(attributes, b"Type").is_some_and(|kind| {
        let kind = kind.to_ascii_lowercase();
        DROPPED_TYPES.iter().any(|t| kind.ends_with(t))
    })
}

fn is_external(attributes: &Attributes<'_>) -> bool {
    attribute(attributes, b"TargetMode").is_some_and(|m| m.eq_ignore_ascii_case("External"))
}

/// The part a relationship targets, lower-cased, from the relationship
/// part that holds it: `word/_rels/document.xml.rels` resolves
/// `../customXml/item1.xml` to `customxml/item1.xml`.
fn resolve(rels_name: &str, target: &str) -> String {
    let target = target.split('#').next().unwrap_or("");
    let joined = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None => {
            let base = rels_name.rsplit_once("_rels/").map_or("", |(dir, _)| dir);
            format!("{base}{target}")
        }
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    segments.join("/").to_ascii_lowercase()
}

/// The part whose relationships `rels` (lower-cased) holds:
/// `customxml/_rels/item1.xml.rels` is `customxml/item1.xml`'s.
fn source_of(rels: &str) -> Option<String> {
    let (dir, file) = rels.rsplit_once("_rels/")?;
    let source = file.strip_suffix(".rels")?;
    (!source.contains('/')).then(|| format!("{dir}{source}"))
}

/// Copies `xml`, leaving out every element whose local name is `local`
/// (start tag to end tag, or the empty-element tag) for which `drop` says
/// so from its attributes. Everything else is copied byte for byte;
/// comments, CDATA and processing instructions are passed over whole.
fn without_elements(
    xml: &[u8],
    local: &[u8],
    mut drop: impl FnMut(&Attributes<'_>) -> bool,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(xml.len());
    let mut copied = 0;
    let mut at = 0;
    while let Some(found) = memchr::memchr(b'<', &xml[at..]) {
        let open = at + found;
        let rest = &xml[open..];
        let skip = [
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
        if let Some(end) = skip {
            at = end;
            continue;
        }
        let Some(tag_end) = end_of_tag(xml, open) else {
            break;
        };
        let tag = &xml[open + 1..tag_end - 1];
        let name_len = tag
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/')
            .unwrap_or(tag.len());
        let name = &tag[..name_len];
        let local_name = name.rsplit(|b| *b == b':').next().unwrap_or(name);
        at = tag_end;
        if name.is_empty() || local_name != local || !drop(&attributes(&tag[name_len..])) {
            continue;
        }
        let end = if tag.ends_with(b"/") {
            tag_end
        } else {
            let close = [b"</".as_slice(), name, b">"].concat();
            memchr::memmem::find(&xml[tag_end..], &close)
                .map_or(tag_end, |e| tag_end + e + close.len())
        };
        out.extend_from_slice(&xml[copied..open]);
        copied = end;
        at = end;
    }
    out.extend_from_slice(&xml[copied..]);
    out
}

/// Where the tag opening at `open` ends (just past its `>`, which may not
/// stand inside a quoted value), if it does.
fn end_of_tag(xml: &[u8], open: usize) -> Option<usize> {
    let mut quote = None;
    for (i, b) in xml.iter().enumerate().skip(open + 1) {
        match (quote, *b) {
            (None, b'"' | b'\'') => quote = Some(*b),
            (Some(q), b) if b == q => quote = None,
            (None, b'>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// The attributes of a start tag after its name: `name="value"` pairs,
/// either quote, spaces around `=` allowed; anything malformed ends them.
fn attributes(mut tag: &[u8]) -> Attributes<'_> {
    let mut found = Vec::new();
    loop {
        tag = tag.trim_ascii_start();
        let Some(eq) = memchr::memchr(b'=', tag) else {
            return found;
        };
        let name = tag[..eq].trim_ascii();
        let rest = tag[eq + 1..].trim_ascii_start();
        let Some((&quote, value)) = rest.split_first() else {
            return found;
        };
        if quote != b'"' && quote != b'\'' {
            return found;
        }
        let Some(len) = memchr::memchr(quote, value) else {
            return found;
        };
        found.push((name, &value[..len]));
        tag = &value[len + 1..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_resolve_from_the_part_that_holds_them() {
        assert_eq!(
            resolve("word/_rels/document.xml.rels", "../customXml/item1.xml"),
            "customxml/item1.xml"
        );
        assert_eq!(
            resolve("_rels/.rels", "docProps/thumbnail.jpeg"),
            "docprops/thumbnail.jpeg"
        );
        assert_eq!(
            resolve("word/_rels/document.xml.rels", "/docMetadata/LabelInfo.xml"),
            "docmetadata/labelinfo.xml"
        );
        assert_eq!(
            resolve("word/_rels/document.xml.rels", "media/a.png#x"),
            "word/media/a.png"
        );
        assert_eq!(
            source_of("customxml/_rels/item1.xml.rels").as_deref(),
            Some("customxml/item1.xml")
        );
        assert_eq!(source_of("_rels/.rels").as_deref(), Some(""));
        assert_eq!(source_of("word/document.xml"), None);
    }

    #[test]
    fn only_the_chosen_elements_are_left_out() {
        let xml = br#"<?xml version="1.0"?><Types><!-- <Override PartName="/a"/> --><Override PartName="/a" ContentType='x>y'/><o:Override PartName = "/b"></o:Override><Override PartName="/c"/></Types>"#;
        let kept = without_elements(xml, b"Override", |a| {
            matches!(attribute(a, b"PartName"), Some("/a" | "/b"))
        });
        assert_eq!(
            String::from_utf8(kept).unwrap(),
            r#"<?xml version="1.0"?><Types><!-- <Override PartName="/a"/> --><Override PartName="/c"/></Types>"#
        );
        // Broken XML is copied as it is.
        let broken = b"<Types><Override PartName=\"/a";
        assert_eq!(without_elements(broken, b"Override", |_| true), broken);
    }

    #[test]
    fn a_part_of_a_dropped_type_goes_wherever_it_is_stored() {
        let mut dropped = Dropped::default();
        let rels = br#"<Relationships><Relationship Id="r1" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail" Target="preview/picture.wmf"/><Relationship Id="r2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
        dropped.learn("_rels/.rels", rels);
        assert!(dropped.contains("Preview/Picture.WMF"));
        assert!(dropped.contains("docProps/thumbnail.emf"));
        assert!(dropped.contains("customXml/_rels/item1.xml.rels"));
        assert!(!dropped.contains("word/document.xml"));
        assert!(!dropped.contains("word/_rels/document.xml.rels"));
        assert_eq!(
            String::from_utf8(dropped.relationships("_rels/.rels", rels)).unwrap(),
            r#"<Relationships><Relationship Id="r2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#
        );
    }
}
