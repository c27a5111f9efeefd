//! The multipart body, read without I/O: the caller keeps the unread bytes
//! in a `BytesMut` and asks for the next event; a part's content comes out
//! as `Bytes` split off that buffer, so nothing of a file is copied on its
//! way to disk. RFC 2046 section 5.1 (delimiters, preamble, epilogue, transport
//! padding) and RFC 7578 (`Content-Disposition: form-data; name; filename`).

use bytes::{Bytes, BytesMut};
use memchr::memmem::Finder;

/// The most header bytes a part may have before its content.
pub const HEADER_LIMIT: usize = 8 * 1024;

/// What the body holds next.
#[derive(Debug, PartialEq, Eq)]
pub enum Event {
    /// A part begins: its field name (empty when it has none) and, for a
    /// file, the file name the browser sent.
    Part {
        name: String,
        file_name: Option<String>,
    },
    /// Some of the current part's content, in order.
    Data(Bytes),
    /// The current part is complete.
    End,
    /// The closing delimiter: nothing else follows.
    Done,
}

/// Why a body is not a multipart form.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    #[error("the form has no parts")]
    NoParts,
    #[error("a boundary is followed by something other than a line break")]
    AfterBoundary,
    #[error("a part's headers are longer than {HEADER_LIMIT} bytes")]
    HeadersTooLong,
    #[error("a part's headers cannot be read: {0}")]
    Headers(String),
    #[error("the form ends in the middle of a part")]
    Truncated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    Preamble,
    AfterDelimiter,
    Headers,
    Content,
    Done,
}

/// Reads one multipart body, event by event.
pub struct Scanner {
    /// `\r\n--boundary`: what ends a part's content.
    finder: Finder<'static>,
    state: State,
}

impl Scanner {
    pub fn new(boundary: &str) -> Self {
        let delimiter = format!("\r\n--{boundary}").into_bytes();
        Self {
            finder: Finder::new(&delimiter).into_owned(),
            state: State::Start,
        }
    }

    fn delimiter(&self) -> &[u8] {
        self.finder.needle()
    }

    /// The next event, taking what it reads off the front of `buf`; `None`
    /// when `buf` does not hold enough to decide. `eof` says no more input
    /// will come, so an unfinished body is an error. Content is given out
    /// as soon as it cannot be the start of a delimiter, so `buf` never
    /// holds more than one read and a delimiter's length.
    pub fn next(&mut self, buf: &mut BytesMut, eof: bool) -> Result<Option<Event>, Malformed> {
        let need_more = |problem| if eof { Err(problem) } else { Ok(None) };
        loop {
            match self.state {
                State::Start => {
                    // The first delimiter may open the body without a line break.
                    let first = &self.delimiter()[2..];
                    if buf.starts_with(first) {
                        let _ = buf.split_to(first.len());
                        self.state = State::AfterDelimiter;
                    } else if first.starts_with(buf) {
                        return need_more(Malformed::NoParts);
                    } else {
                        self.state = State::Preamble;
                    }
                }
                State::Preamble => match self.finder.find(buf) {
                    Some(at) => {
                        let _ = buf.split_to(at + self.delimiter().len());
                        self.state = State::AfterDelimiter;
                    }
                    None => {
                        let keep = self.delimiter().len() - 1;
                        if buf.len() > keep {
                            let _ = buf.split_to(buf.len() - keep);
                        }
                        return need_more(Malformed::NoParts);
                    }
                },
                State::AfterDelimiter => {
                    if buf.starts_with(b"--") {
                        // The epilogue is ignored.
                        buf.clear();
                        self.state = State::Done;
                        return Ok(Some(Event::Done));
                    }
                    let padding = buf.iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
                    if padding > HEADER_LIMIT {
                        return Err(Malformed::AfterBoundary);
                    }
                    let rest = &buf[padding..];
                    if rest.starts_with(b"\r\n") {
                        let _ = buf.split_to(padding + 2);
                        self.state = State::Headers;
                        continue;
                    }
                    if (buf.len() < 2 && b"--".starts_with(buf)) || b"\r\n".starts_with(rest) {
                        return need_more(Malformed::Truncated);
                    }
                    return Err(Malformed::AfterBoundary);
                }
                State::Headers => {
                    let mut headers = [httparse::EMPTY_HEADER; 16];
                    match httparse::parse_headers(buf, &mut headers) {
                        Ok(httparse::Status::Complete((used, _))) if used > HEADER_LIMIT => {
                            return Err(Malformed::HeadersTooLong)
                        }
                        Ok(httparse::Status::Complete((used, headers))) => {
                            let (name, file_name) = disposition_of(headers);
                            let _ = buf.split_to(used);
                            self.state = State::Content;
                            return Ok(Some(Event::Part { name, file_name }));
                        }
                        Ok(httparse::Status::Partial) if buf.len() > HEADER_LIMIT => {
                            return Err(Malformed::HeadersTooLong)
                        }
                        Ok(httparse::Status::Partial) => return need_more(Malformed::Truncated),
                        Err(httparse::Error::TooManyHeaders) => {
                            return Err(Malformed::Headers("more than 16 headers".into()))
                        }
                        Err(e) => return Err(Malformed::Headers(e.to_string())),
                    }
                }
                State::Content => {
                    return match self.finder.find(buf) {
                        Some(0) => {
                            let _ = buf.split_to(self.delimiter().len());
                            self.state = State::AfterDelimiter;
                            Ok(Some(Event::End))
                        }
                        Some(at) => Ok(Some(Event::Data(buf.split_to(at).freeze()))),
                        None => {
                            // Whatever could still begin a delimiter stays.
                            let safe = buf.len().saturating_sub(self.delimiter().len() - 1);
                            if safe > 0 {
                                Ok(Some(Event::Data(buf.split_to(safe).freeze())))
                            } else {
                                need_more(Malformed::Truncated)
                            }
                        }
                    };
                }
                State::Done => {
                    buf.clear();
                    return Ok(Some(Event::Done));
                }
            }
        }
    }
}

/// The field name and file name of a part's `Content-Disposition`.
fn disposition_of(headers: &[httparse::Header<'_>]) -> (String, Option<String>) {
    let Some(header) = headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-disposition"))
    else {
        return (String::new(), None);
    };
    let params = parameters(header.value);
    let find = |key: &str| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.clone())
    };
    // A part with a file name it cannot decode is still a file.
    let file_name = find("filename*")
        .and_then(|v| extended_value(&v))
        .or_else(|| find("filename"))
        .or_else(|| find("filename*").map(|_| String::new()));
    (find("name").unwrap_or_default(), file_name)
}

/// The `key=value` parameters after the disposition type, values unquoted
/// (`\"` and `\\` unescaped). Text that is not UTF-8 is replaced, as a
/// browser never sends it and the names are checked afterwards anyway.
fn parameters(value: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(value);
    let mut rest = match text.find(';') {
        Some(at) => &text[at + 1..],
        None => return Vec::new(),
    };
    let mut out = Vec::new();
    loop {
        rest = rest.trim_start_matches([' ', '\t', ';']);
        let Some(eq) = rest.find('=') else { break };
        let key = rest[..eq].trim().to_owned();
        let after = rest[eq + 1..].trim_start_matches([' ', '\t']);
        let (value, remainder) = match after.strip_prefix('"') {
            Some(quoted) => {
                let mut value = String::new();
                let mut chars = quoted.char_indices();
                let mut end = quoted.len();
                while let Some((i, c)) = chars.next() {
                    match c {
                        // Only `\"` and `\\` are escapes: a Windows path
                        // keeps its backslashes.
                        '\\' if quoted[i + 1..].starts_with(['"', '\\']) => {
                            if let Some((_, escaped)) = chars.next() {
                                value.push(escaped);
                            }
                        }
                        '"' => {
                            end = i + 1;
                            break;
                        }
                        c => value.push(c),
                    }
                }
                (value, &quoted[end..])
            }
            None => {
                let end = after.find(';').unwrap_or(after.len());
                (after[..end].trim().to_owned(), &after[end..])
            }
        };
        out.push((key, value));
        rest = remainder;
    }
    out
}

/// An RFC 8187 value (`UTF-8''na%C3%AFve.pdf`), decoded; `None` for another
/// charset or a broken escape.
fn extended_value(value: &str) -> Option<String> {
    let mut pieces = value.splitn(3, '\'');
    let charset = pieces.next()?;
    let _language = pieces.next()?;
    let encoded = pieces.next()?;
    if !charset.eq_ignore_ascii_case("utf-8") {
        return None;
    }
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut rest = encoded.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'%' {
            let hex = tail
                .get(..2)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))?;
            bytes.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(b);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A part as the tests build and expect it.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Part {
        name: String,
        file_name: Option<String>,
        content: Vec<u8>,
    }

    /// Feeds `body` in pieces of the given sizes (cycled) and collects the parts.
    fn scan(boundary: &str, body: &[u8], pieces: &[usize]) -> Result<Vec<Part>, Malformed> {
        let mut scanner = Scanner::new(boundary);
        let mut buf = BytesMut::new();
        let mut fed = 0;
        let mut sizes = pieces.iter().copied().cycle();
        let mut parts: Vec<Part> = Vec::new();
        let mut open = false;
        loop {
            let eof = fed == body.len();
            match scanner.next(&mut buf, eof)? {
                None => {
                    assert!(!eof, "more input asked for after the end");
                    let n = sizes.next().unwrap_or(body.len()).max(1);
                    let end = (fed + n).min(body.len());
                    buf.extend_from_slice(&body[fed..end]);
                    fed = end;
                }
                Some(Event::Part { name, file_name }) => {
                    assert!(!open, "a part began inside another");
                    open = true;
                    parts.push(Part {
                        name,
                        file_name,
                        content: Vec::new(),
                    });
                }
                Some(Event::Data(bytes)) => {
                    assert!(open && !bytes.is_empty());
                    parts.last_mut().unwrap().content.extend_from_slice(&bytes);
                }
                Some(Event::End) => {
                    assert!(open);
                    open = false;
                }
                Some(Event::Done) => {
                    assert!(!open, "closed inside a part");
                    return Ok(parts);
                }
            }
        }
    }

    /// A body as browsers write it.
    fn body_of(boundary: &str, parts: &[Part]) -> Vec<u8> {
        let mut out = Vec::new();
        for p in parts {
            out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let escaped = p.name.replace('"', "%22");
            match &p.file_name {
                Some(f) => out.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{escaped}\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n", f.replace('"', "%22")).as_bytes(),
                ),
                None => out.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{escaped}\"\r\n\r\n").as_bytes(),
                ),
            }
            out.extend_from_slice(&p.content);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        out
    }

    /// Whether a part's content or file name holds the delimiter: a client
    /// would have chosen another boundary, and the body is not well formed.
    fn delimiter_inside(boundary: &str, parts: &[Part]) -> bool {
        let delimiter = format!("\r\n--{boundary}");
        let d = delimiter.as_bytes();
        parts.iter().any(|p| {
            let tail = [p.content.as_slice(), d].concat();
            let early = tail
                .windows(d.len())
                .position(|w| w == d)
                .is_some_and(|at| at < p.content.len());
            early
                || p.file_name
                    .as_deref()
                    .is_some_and(|f| f.contains(&delimiter))
        })
    }

    fn part(name: &str, file_name: Option<&str>, content: &[u8]) -> Part {
        Part {
            name: name.into(),
            file_name: file_name.map(Into::into),
            content: content.into(),
        }
    }

    const B: &str = "----formdata-12345";

    #[test]
    fn a_form_with_text_and_a_file_is_read_whole_and_byte_by_byte() {
        let parts = vec![
            part("csrf_token", None, b"abc"),
            part(
                "f[cv]",
                Some("cv.pdf"),
                b"%PDF-1.4\r\n\r\n--not the end\r\n",
            ),
            part("next", None, b"save"),
        ];
        let body = body_of(B, &parts);
        assert_eq!(scan(B, &body, &[body.len()]).unwrap(), parts);
        assert_eq!(scan(B, &body, &[1]).unwrap(), parts);
    }

    #[test]
    fn content_that_almost_closes_the_part_is_kept() {
        // A delimiter cut short, one without its line break, and one's start at the end.
        let tricky = format!("a\r\n--{}x\n--{B} and \r\n-", &B[..B.len() - 1]);
        let parts = vec![part("f[x]", Some("x.txt"), tricky.as_bytes())];
        let body = body_of(B, &parts);
        for piece in 1..40 {
            assert_eq!(
                scan(B, &body, &[piece]).unwrap(),
                parts,
                "pieces of {piece}"
            );
        }
    }

    #[test]
    fn preamble_epilogue_and_padding_are_ignored() {
        let body = format!(
            "This is the preamble.\r\n--{B}  \t\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\none\r\n--{B}--\r\nThe epilogue."
        );
        assert_eq!(
            scan(B, body.as_bytes(), &[3]).unwrap(),
            vec![part("a", None, b"one")]
        );
    }

    #[test]
    fn an_empty_part_and_a_part_without_a_name() {
        let body = format!(
            "--{B}\r\nContent-Disposition: form-data; name=\"f[cv]\"; filename=\"\"\r\n\r\n\r\n--{B}\r\n\r\nloose\r\n--{B}--"
        );
        assert_eq!(
            scan(B, body.as_bytes(), &[5]).unwrap(),
            vec![part("f[cv]", Some(""), b""), part("", None, b"loose")]
        );
    }

    #[test]
    fn broken_bodies_are_refused_with_a_reason() {
        let header = "Content-Disposition: form-data; name=\"a\"";
        assert_eq!(scan(B, b"", &[1]), Err(Malformed::NoParts));
        assert_eq!(
            scan(B, b"no delimiter at all", &[4]),
            Err(Malformed::NoParts)
        );
        let unclosed = format!("--{B}\r\n{header}\r\n\r\ncut short");
        assert_eq!(
            scan(B, unclosed.as_bytes(), &[7]),
            Err(Malformed::Truncated)
        );
        let headless = format!("--{B}\r\n{header}");
        assert_eq!(
            scan(B, headless.as_bytes(), &[7]),
            Err(Malformed::Truncated)
        );
        let glued = format!("--{B}garbage\r\n{header}\r\n\r\nx\r\n--{B}--");
        assert_eq!(
            scan(B, glued.as_bytes(), &[64]),
            Err(Malformed::AfterBoundary)
        );
        let long = format!(
            "--{B}\r\nX-Long: {}\r\n\r\nx\r\n--{B}--",
            "y".repeat(HEADER_LIMIT)
        );
        assert_eq!(
            scan(B, long.as_bytes(), &[1024]),
            Err(Malformed::HeadersTooLong)
        );
        let bad = format!("--{B}\r\nno colon here\r\n\r\nx\r\n--{B}--");
        assert!(matches!(
            scan(B, bad.as_bytes(), &[64]),
            Err(Malformed::Headers(_))
        ));
    }

    #[test]
    fn disposition_parameters_quoted_escaped_and_extended() {
        let value = br#"form-data; NAME="f[cv]"; filename="my \"best\"; cv.pdf""#;
        let headers = [httparse::Header {
            name: "content-disposition",
            value,
        }];
        assert_eq!(
            disposition_of(&headers),
            ("f[cv]".into(), Some("my \"best\"; cv.pdf".into()))
        );
        let value =
            b"form-data; name=plain ; filename=\"old.pdf\"; filename*=UTF-8''na%C3%AFve%20cv.pdf";
        let headers = [httparse::Header {
            name: "Content-Disposition",
            value,
        }];
        assert_eq!(
            disposition_of(&headers),
            ("plain".into(), Some("naïve cv.pdf".into()))
        );
        assert_eq!(extended_value("latin-1''caf%E9"), None);
        assert_eq!(extended_value("UTF-8''a%+Ab"), None);
        // Undecodable, and no plain name: still a file.
        let value = b"form-data; name=\"f[cv]\"; filename*=latin-1''caf%E9.pdf";
        let headers = [httparse::Header {
            name: "Content-Disposition",
            value,
        }];
        assert_eq!(
            disposition_of(&headers),
            ("f[cv]".into(), Some(String::new()))
        );
        // A full Windows path (as old browsers sent) keeps its backslashes.
        let value = br#"form-data; name="f"; filename="C:\fakepath\my \"cv\".pdf""#;
        let headers = [httparse::Header {
            name: "Content-Disposition",
            value,
        }];
        assert_eq!(
            disposition_of(&headers),
            ("f".into(), Some(r#"C:\fakepath\my "cv".pdf"#.into()))
        );
        assert_eq!(extended_value("UTF-8''broken%2"), None);
        assert_eq!(disposition_of(&[]), (String::new(), None));
    }

    fn content() -> impl Strategy<Value = Vec<u8>> {
        // Bytes biased towards the characters of a delimiter.
        let b = prop_oneof![
            Just(b'\r'),
            Just(b'\n'),
            Just(b'-'),
            Just(b'x'),
            any::<u8>()
        ];
        prop::collection::vec(b, 0..300)
    }

    proptest! {
        #[test]
        fn any_form_split_anywhere_reads_back_the_same(
            parts in prop::collection::vec(
                ("[a-z\\[\\]\"]{0,12}", prop::option::of("[a-zA-Z0-9 ._\"-]{0,20}"), content()),
                1..5,
            ),
            pieces in prop::collection::vec(1usize..64, 1..8),
            boundary in "[A-Za-z0-9'()+_,./:=?-]{1,40}",
        ) {
            let parts: Vec<Part> = parts
                .into_iter()
                .map(|(n, f, c)| Part { name: n.replace('"', "%22"), file_name: f.map(|f| f.replace('"', "%22")), content: c })
                .collect();
            let body = body_of(&boundary, &parts);
            // Content that happens to hold the delimiter would end its part:
            // browsers choose boundaries that do not occur.
            let delimiter = format!("\r\n--{boundary}");
            prop_assume!(parts.iter().all(|p| {
                let framed = [p.content.as_slice(), delimiter.as_bytes()].concat();
                memchr::memmem::find(&framed, delimiter.as_bytes()) == Some(p.content.len())
            }));
            prop_assert_eq!(scan(&boundary, &body, &pieces).unwrap(), parts);
        }
    }

    /// Drives the scanner over `body` fed in pieces and checks what must
    /// hold whatever the bytes: it finishes or refuses within a bounded
    /// number of steps, never keeps more than a read, a delimiter and a
    /// header's worth, gives out no byte it was not given, and its events
    /// come in order. Returns how many parts it read.
    fn drive(boundary: &str, body: &[u8], pieces: &[usize]) -> Result<usize, Malformed> {
        let mut scanner = Scanner::new(boundary);
        let delimiter = boundary.len() + 4;
        let max_piece = pieces.iter().copied().max().unwrap_or(1).max(1);
        let mut sizes = pieces.iter().copied().cycle();
        let mut buf = BytesMut::new();
        let (mut fed, mut given, mut parts, mut open) = (0, 0, 0, false);
        for _ in 0..4 * body.len() + 16 {
            let eof = fed == body.len();
            let event = scanner.next(&mut buf, eof);
            assert!(
                buf.len() <= HEADER_LIMIT + delimiter + max_piece,
                "{} bytes kept",
                buf.len()
            );
            match event? {
                None => {
                    assert!(!eof, "more input asked for after the end");
                    let n = sizes.next().unwrap_or(1).max(1);
                    let end = (fed + n).min(body.len());
                    buf.extend_from_slice(&body[fed..end]);
                    fed = end;
                }
                Some(Event::Part { name, file_name }) => {
                    assert!(!open, "a part began inside another");
                    assert!(name.len() <= 3 * HEADER_LIMIT);
                    assert!(file_name.map_or(0, |f| f.len()) <= 3 * HEADER_LIMIT);
                    open = true;
                    parts += 1;
                }
                Some(Event::Data(bytes)) => {
                    assert!(open && !bytes.is_empty());
                    given += bytes.len();
                    assert!(given <= fed, "more content than input");
                }
                Some(Event::End) => {
                    assert!(open);
                    open = false;
                }
                Some(Event::Done) => {
                    assert!(!open, "closed inside a part");
                    return Ok(parts);
                }
            }
        }
        panic!("the scanner neither finished nor refused {body:?}");
    }

    /// A change a broken client or the network could make to a body.
    #[derive(Debug, Clone)]
    enum Damage {
        Flip(prop::sample::Index, u8),
        Cut(prop::sample::Index, usize),
        Insert(prop::sample::Index, Vec<u8>),
        Repeat(prop::sample::Index, u8, usize),
        Truncate(prop::sample::Index),
    }

    fn damage() -> impl Strategy<Value = Damage> {
        let i = any::<prop::sample::Index>();
        prop_oneof![
            (i.clone(), any::<u8>()).prop_map(|(i, b)| Damage::Flip(i, b)),
            (i.clone(), 1usize..40).prop_map(|(i, n)| Damage::Cut(i, n)),
            (
                i.clone(),
                prop::collection::vec(
                    prop_oneof![
                        Just(b'\r'),
                        Just(b'\n'),
                        Just(b'-'),
                        Just(b'"'),
                        Just(b';'),
                        Just(b' '),
                        any::<u8>()
                    ],
                    1..12
                )
            )
                .prop_map(|(i, b)| Damage::Insert(i, b)),
            // Runs short, or just long enough to pass the header limit.
            (
                i.clone(),
                prop_oneof![Just(b' '), Just(b'y'), Just(b'-')],
                prop_oneof![1usize..64, (HEADER_LIMIT - 8)..(HEADER_LIMIT + 8)],
            )
                .prop_map(|(i, b, n)| Damage::Repeat(i, b, n)),
            i.prop_map(Damage::Truncate),
        ]
    }

    fn spoil(body: &mut Vec<u8>, d: &Damage) {
        let at = |i: &prop::sample::Index, len: usize| i.index(len + 1);
        match d {
            Damage::Flip(i, b) if !body.is_empty() => {
                let k = i.index(body.len());
                body[k] = *b;
            }
            Damage::Flip(..) => {}
            Damage::Cut(i, n) => {
                let k = at(i, body.len());
                let end = (k + n).min(body.len());
                body.drain(k..end);
            }
            Damage::Insert(i, bytes) => {
                let k = at(i, body.len());
                body.splice(k..k, bytes.iter().copied());
            }
            Damage::Repeat(i, b, n) => {
                let k = at(i, body.len());
                body.splice(k..k, std::iter::repeat_n(*b, *n));
            }
            Damage::Truncate(i) => body.truncate(at(i, body.len())),
        }
    }

    proptest! {
        #[test]
        fn fuzz_multipart_scanner_never_panics_on_arbitrary_bytes(
            body in prop::collection::vec(any::<u8>(), 0..2000),
            boundary in prop_oneof![any::<String>(), "[A-Za-z0-9'()+_,./:=? -]{0,70}"],
            pieces in prop::collection::vec(1usize..300, 1..6),
        ) {
            let _ = drive(&boundary, &body, &pieces);
            // The same bytes after a delimiter that opens them.
            let opened = [format!("--{boundary}\r\n").as_bytes(), &body].concat();
            let _ = drive(&boundary, &opened, &pieces);
        }

        #[test]
        fn fuzz_multipart_scanner_never_panics_on_damaged_forms(
            parts in prop::collection::vec(
                ("[a-z\\[\\]\"]{0,12}", prop::option::of(any::<String>()), content()),
                1..4,
            ),
            boundary in prop_oneof![any::<String>(), "[A-Za-z0-9'()+_,./:=?-]{1,70}"],
            damage in prop::collection::vec(damage(), 1..4),
            pieces in prop::collection::vec(1usize..2000, 1..6),
        ) {
            let parts: Vec<Part> = parts
                .into_iter()
                .map(|(n, f, c)| Part { name: n, file_name: f, content: c })
                .collect();
            let mut body = body_of(&boundary, &parts);
            prop_assert!(
                drive(&boundary, &body, &pieces).is_ok()
                    || boundary.is_empty()
                    || boundary.contains(['\r', '\n'])
                    || delimiter_inside(&boundary, &parts)
            );
            for d in &damage {
                spoil(&mut body, d);
                let _ = drive(&boundary, &body, &pieces);
            }
        }
    }
}
