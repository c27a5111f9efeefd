//! What can be wrong with a letter template, each problem worded for the
//! manager who wrote it and placed by its line; nothing here repeats the
//! parser's own report.

use super::Part;

/// Where in a template a problem is: the subject is one line, so only the
/// letter's lines are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Subject,
    Line(usize),
}

impl Place {
    pub(super) fn of(part: Part, line: usize) -> Self {
        match part {
            Part::Subject => Place::Subject,
            Part::Letter => Place::Line(line),
        }
    }

    /// The place after a verb: "on line 4", "in the subject".
    pub fn on(self) -> String {
        match self {
            Place::Subject => "in the subject".to_owned(),
            Place::Line(n) => format!("on line {n}"),
        }
    }
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Subject => f.write_str("in the subject"),
            Place::Line(n) => write!(f, "line {n}"),
        }
    }
}

/// What is wrong with a template, in the manager's words. Tags are quoted
/// as the manager wrote them (`written`), cut short when very long.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("There is no field called {written} ({at}). The fields you can use are {known}.")]
    UnknownField {
        written: String,
        at: Place,
        known: String,
    },
    #[error("{written} is not a field a letter can use ({at}): write a field by its name alone. The fields you can use are {known}.")]
    NotAName {
        written: String,
        at: Place,
        known: String,
    },
    #[error("{written} is a list ({at}): show its items with {open} … {{{{/each}}}}.")]
    ListAsText {
        written: String,
        open: String,
        at: Place,
    },
    #[error("Letters cannot include other templates ({written}, {at}).")]
    Include { written: String, at: Place },
    #[error("Letters cannot define templates of their own ({written}, {at}).")]
    Define { written: String, at: Place },
    #[error("{written} is not something a letter can use ({at}). A letter can show a field, for example {{{{applicant_name}}}}, and include a part only when a field is filled in, with {{{{#if note}}}} … {{{{/if}}}} or {{{{#unless note}}}} … {{{{/unless}}}}.")]
    Unsupported { written: String, at: Place },
    #[error("{written} is not something a letter can use ({at}). To include a part only when {name} is filled in, write {{{{#if {name}}}}} … {{{{/if}}}}.")]
    FieldAsBlock {
        written: String,
        name: String,
        at: Place,
    },
    #[error("Letters cannot use ( … ) inside braces ({at}).")]
    Brackets { at: Place },
    #[error("Write {plain} with two braces and nothing else, not {written} ({at}).")]
    ThreeBraces {
        written: String,
        plain: String,
        at: Place,
    },
    #[error("{written} takes exactly one field and nothing else, for example {{{{#{block} note}}}} ({at}).")]
    NeedsOneField {
        written: String,
        block: &'static str,
        at: Place,
    },
    #[error("{{{{#each}}}} takes exactly one list and nothing else ({at}). {lists}")]
    NeedsOneList { at: Place, lists: String },
    #[error("{written} needs a list, and {name} is not one ({at}). {lists}")]
    NotAList {
        written: String,
        name: String,
        at: Place,
        lists: String,
    },
    #[error("Parts inside parts go more than {max} deep ({at}); a letter needs far fewer.")]
    TooDeep { max: usize, at: Place },
    #[error("A {open} opened {} is never closed with {close}.", .at.on())]
    NeverClosed {
        open: String,
        close: String,
        at: Place,
    },
    #[error("The {close} {} closes nothing: no block is open there.", .at.on())]
    ClosesNothing { close: String, at: Place },
    #[error("The {open} opened {} is closed with {close} {}; close it with {expected}.", .opened.on(), .at.on())]
    WrongClose {
        open: String,
        opened: Place,
        close: String,
        expected: String,
        at: Place,
    },
    #[error("The {{{{else}}}} {} is not inside an {{{{#if}}}}, {{{{#unless}}}} or {{{{#each}}}}.", .at.on())]
    StrayElse { at: Place },
    #[error("A {{{{ {} is never closed with }}}}.", .at.on())]
    UnclosedBraces { at: Place },
    #[error("A comment {{{{!-- {} is never closed with --}}}}.", .at.on())]
    UnclosedComment { at: Place },
    #[error("There is nothing between {{{{ and }}}} {}.", .at.on())]
    EmptyBraces { at: Place },
    #[error("Something {} cannot be read: check its braces. A field is written {{{{applicant_name}}}}, and a part that depends on one {{{{#if note}}}} … {{{{/if}}}}.", .at.on())]
    Unreadable { at: Place },
}

/// A name as quoted back in a message: long ones are cut.
pub(super) fn shown(name: &str) -> String {
    const MAX: usize = 40;
    if name.chars().count() > MAX {
        let cut: String = name.chars().take(MAX).collect();
        format!("{cut}…")
    } else {
        name.to_owned()
    }
}

/// `inner` between double braces, as a message quotes a tag.
pub(super) fn tag(inner: &str) -> String {
    format!("{{{{{inner}}}}}")
}
