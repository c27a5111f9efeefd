//! Saying in words why a template cannot be parsed. The parser's own
//! report names grammar rules; this scan reads the braces the way a person
//! does (which block is open, where a `{{` is left unclosed) and only when
//! it finds nothing more precise falls back on the line the parser stopped.

use super::problem::{shown, tag, Place, Problem};
use super::Part;

/// A block opened and not yet closed.
struct Open {
    name: String,
    /// As a message quotes it: `{{#if}}`.
    written: String,
    at: Place,
}

/// Line numbers of positions met in order, each byte counted once.
struct Lines<'s> {
    source: &'s [u8],
    counted: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, byte: usize) -> usize {
        let upto = byte.min(self.source.len());
        if upto > self.counted {
            let newlines = self.source[self.counted..upto]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.line += newlines;
            self.counted = upto;
        }
        self.line
    }
}

/// The name at the start of a tag after its sigil: `if` in `#if note`;
/// empty when what follows is no name at all.
fn first_word(s: &str) -> &str {
    let s = s.trim_start();
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || "-_$./@".contains(c)))
        .unwrap_or(s.len());
    &s[..end]
}

/// Why `source`, which the parser refused, cannot be read; `parser_line`
/// is where the parser stopped, if it said.
pub(super) fn diagnose(source: &str, part: Part, parser_line: Option<usize>) -> Problem {
    scan(source, part).unwrap_or(Problem::Unreadable {
        at: Place::of(part, parser_line.unwrap_or(1)),
    })
}

fn scan(source: &str, part: Part) -> Option<Problem> {
    let mut open: Vec<Open> = Vec::new();
    let mut lines = Lines {
        source: source.as_bytes(),
        counted: 0,
        line: 1,
    };
    let mut i = 0;
    while let Some(found) = source[i..].find("{{") {
        let start = i + found;
        let at = Place::of(part, lines.at(start));
        // An odd number of backslashes before `{{` makes it plain text.
        let backslashes = source[..start]
            .bytes()
            .rev()
            .take_while(|b| *b == b'\\')
            .count();
        if backslashes % 2 == 1 {
            i = start + 2;
            continue;
        }
        let rest = &source[start..];
        if let Some(comment) = rest.strip_prefix("{{!--") {
            let Some(end) = comment.find("--}}") else {
                return Some(Problem::UnclosedComment { at });
            };
            i = start + 5 + end + 4;
            continue;
        }
        if rest.starts_with("{{{{") {
            // Raw blocks are no part of a letter; the parser's line will do.
            return None;
        }
        let Some(end) = rest[2..].find("}}") else {
            return Some(Problem::UnclosedBraces { at });
        };
        let inner = &rest[2..2 + end];
        i = start + 2 + end + 2;
        if inner.starts_with('{') && source[i..].starts_with('}') {
            i += 1;
        }
        if inner.starts_with('!') {
            continue;
        }
        // Another `{{` before the `}}`: the first was left open.
        if inner.contains("{{") {
            return Some(Problem::UnclosedBraces { at });
        }
        let t = inner.trim();
        let t = t.strip_prefix('~').unwrap_or(t).trim_start();
        let t = t.strip_suffix('~').unwrap_or(t).trim_end();
        let Some(sigil) = t.chars().next() else {
            return Some(Problem::EmptyBraces { at });
        };
        match sigil {
            '#' => {
                let after = t[1..].trim_start();
                let (mark, after) = match after.chars().next() {
                    Some(c @ ('>' | '*')) => (c.to_string(), &after[1..]),
                    _ => (String::new(), after),
                };
                let name = first_word(after);
                if name.is_empty() {
                    return None;
                }
                let space = if mark == ">" { " " } else { "" };
                open.push(Open {
                    name: name.to_owned(),
                    written: tag(&format!("#{mark}{space}{}", shown(name))),
                    at,
                });
            }
            '/' => {
                let name = t[1..].trim();
                let close = tag(&format!("/{}", shown(name)));
                match open.pop() {
                    None => return Some(Problem::ClosesNothing { close, at }),
                    Some(o) if o.name != name => {
                        return Some(Problem::WrongClose {
                            expected: tag(&format!("/{}", shown(&o.name))),
                            open: o.written,
                            opened: o.at,
                            close,
                            at,
                        })
                    }
                    Some(_) => {}
                }
            }
            '^' if open.is_empty() => return Some(Problem::StrayElse { at }),
            _ if open.is_empty() && first_word(t) == "else" => {
                return Some(Problem::StrayElse { at })
            }
            _ => {}
        }
    }
    open.pop().map(|o| Problem::NeverClosed {
        close: tag(&format!("/{}", shown(&o.name))),
        open: o.written,
        at: o.at,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{check, Part};

    fn refused(body: &str) -> String {
        check("Subject", body).unwrap_err().to_string()
    }

    #[test]
    fn blocks_left_open_or_closed_wrongly_are_named_with_their_lines() {
        assert_eq!(
            refused("Dear {{applicant_name}},\n\nThanks.\n{{#if note}}\n{{note}}\n"),
            "A {{#if}} opened on line 4 is never closed with {{/if}}."
        );
        assert_eq!(
            refused("{{#if note}}\n{{#unless cycle}}x{{/unless}}"),
            "A {{#if}} opened on line 1 is never closed with {{/if}}."
        );
        assert_eq!(
            refused("{{#if note}}a{{else}}{{> letter}}"),
            "A {{#if}} opened on line 1 is never closed with {{/if}}."
        );
        assert_eq!(
            refused("Hello\n{{/if}}"),
            "The {{/if}} on line 2 closes nothing: no block is open there."
        );
        assert_eq!(
            refused("{{#if note}}\n\n{{/unless}}"),
            "The {{#if}} opened on line 1 is closed with {{/unless}} on line 3; close it with {{/if}}."
        );
        assert_eq!(
            refused("{{~ #if note ~}}x{{~/each~}}"),
            "The {{#if}} opened on line 1 is closed with {{/each}} on line 1; close it with {{/if}}."
        );
        assert_eq!(
            refused("One\n{{else}}"),
            "The {{else}} on line 2 is not inside an {{#if}}, {{#unless}} or {{#each}}."
        );
    }

    #[test]
    fn braces_and_comments_left_open_are_named_with_their_lines() {
        assert_eq!(
            refused("Dear {{applicant_name}},\n{{note"),
            "A {{ on line 2 is never closed with }}."
        );
        assert_eq!(
            refused("a\n\n{{!-- a note to self"),
            "A comment {{!-- on line 3 is never closed with --}}."
        );
        // Found by fuzzing: the next tag's text was quoted as a block name.
        assert_eq!(
            refused("{{#*{{!-->@root note}}"),
            "A {{ on line 1 is never closed with }}."
        );
        assert_eq!(
            refused("a {{ }} b"),
            "There is nothing between {{ and }} on line 1."
        );
        let e = check("{{#if note}}x", "Body").unwrap_err();
        assert_eq!(e.part(), Part::Subject);
        assert_eq!(
            e.to_string(),
            "A {{#if}} opened in the subject is never closed with {{/if}}."
        );
    }

    #[test]
    fn what_the_scan_cannot_place_falls_back_on_the_parsers_line() {
        assert_eq!(
            refused("Fine\n{{note x=}}"),
            "Something on line 2 cannot be read: check its braces. A field is written {{applicant_name}}, and a part that depends on one {{#if note}} … {{/if}}."
        );
        for body in [
            "{{note x=}}",
            "{{#if}}{{/if}}{{/if}}",
            "{{{{raw}}}}",
            "{{> }}",
            "{{#> }}{{/}}",
            "{{#*inline}}",
        ] {
            let message = refused(body);
            assert!(
                !message.contains("-->")
                    && !message.contains("expected")
                    && !message.contains("Template error"),
                "{body}: {message}"
            );
        }
    }
}
