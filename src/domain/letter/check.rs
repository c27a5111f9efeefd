//! The check every letter template passes before it is saved and again
//! before it is filled in: the template is parsed and its whole tree is
//! walked, every branch of every condition, so what a sample letter happens
//! to take proves nothing. Allowed are only the documented fields as plain
//! `{{field}}`, `{{#if field}}` / `{{#unless field}}` (with `{{else}}`) and
//! `{{#each list}}` over a documented list. Everything that could include a
//! template (partials, partial blocks, inline partials) is refused, so a
//! letter can never recurse. A [`Checked`] template can only be made here,
//! and only a [`Checked`] template is filled in.

use handlebars::template::{HelperTemplate, Parameter, TemplateElement};
use handlebars::{
    Context, Decorator, Handlebars, RenderContext, RenderError, RenderErrorReason, Renderable,
    StringOutput, Template,
};
use serde::Serialize;

use super::problem::{shown, tag, Place, Problem};
use super::syntax;
use super::{Field, FieldKind, LetterError, Part};

/// The longest letter body, in characters: far more than any letter
/// needs, and a bound on the work of checking one.
pub const MAX_LETTER_CHARS: usize = 20_000;

/// The longest subject, in characters, as written and as sent.
pub const MAX_SUBJECT_CHARS: usize = 200;

/// How deep conditions and lists may sit inside one another.
pub const MAX_DEPTH: usize = 10;

/// The fields one part of a template can see: the letter's own, or inside
/// `{{#each}}` those of the list's items.
#[derive(Clone, Copy)]
struct Scope<'f> {
    fields: &'f [Field],
    /// The items are text, shown with `{{this}}`.
    item_is_text: bool,
}

impl<'f> Scope<'f> {
    fn find(&self, name: &str) -> Option<&'f Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    fn known(&self) -> String {
        let mut names: Vec<&str> = self.fields.iter().map(|f| f.name).collect();
        if self.item_is_text {
            names.push("this");
        }
        names.join(", ")
    }

    fn lists(&self) -> String {
        let lists: Vec<&str> = self
            .fields
            .iter()
            .filter(|f| matches!(f.kind, FieldKind::List(_)))
            .map(|f| f.name)
            .collect();
        if lists.is_empty() {
            "There are no lists to go through here.".to_owned()
        } else {
            format!("The lists you can go through are {}.", lists.join(", "))
        }
    }
}

/// What a plain name means in a scope.
enum Named<'f> {
    Text,
    List(&'f [Field]),
    Unknown,
    /// A path (`a.b`, `../a`, `@root`, `[a]`) rather than a name.
    NotAName,
}

fn is_plain(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| matches!(c, '.' | '/' | '@' | '[' | ']') || c.is_whitespace())
}

fn lookup<'f>(scope: &Scope<'f>, name: &str) -> Named<'f> {
    if !is_plain(name) {
        return Named::NotAName;
    }
    if name == "this" {
        return if scope.item_is_text {
            Named::Text
        } else {
            Named::Unknown
        };
    }
    match scope.find(name).map(|f| f.kind) {
        Some(FieldKind::Text) => Named::Text,
        Some(FieldKind::List(item)) => Named::List(item),
        None => Named::Unknown,
    }
}

/// A template that passed the check: the only kind that is filled in.
#[derive(Debug)]
pub(super) struct Checked(Template);

/// Checks one part of a letter against the fields it may use.
pub(super) fn template(part: Part, source: &str, fields: &[Field]) -> Result<Checked, LetterError> {
    let refuse = |problem| LetterError::Template { part, problem };
    if source.trim().is_empty() {
        return Err(LetterError::Empty { part });
    }
    let max = match part {
        Part::Subject => MAX_SUBJECT_CHARS,
        Part::Letter => MAX_LETTER_CHARS,
    };
    let length = source.trim().chars().count();
    if part == Part::Subject && (source.trim().contains(['\n', '\r']) || length > max) {
        return Err(LetterError::SubjectShape);
    }
    if length > max {
        return Err(LetterError::TooLong { part, max });
    }
    let template = Template::compile(source).map_err(|e| {
        let line = e.pos().map(|(line, _)| line);
        refuse(syntax::diagnose(source, part, line))
    })?;
    let scope = Scope {
        fields,
        item_is_text: false,
    };
    Walk { part }
        .template(&template, scope, 0, 1)
        .map_err(refuse)?;
    Ok(Checked(template))
}

struct Walk {
    part: Part,
}

impl Walk {
    fn template(
        &self,
        t: &Template,
        scope: Scope<'_>,
        depth: usize,
        line: usize,
    ) -> Result<(), Problem> {
        for (i, e) in t.elements.iter().enumerate() {
            // Elements of an `{{else if}}` chain have no place of their
            // own: they are reported at the block they continue.
            let line = t.mapping.get(i).map_or(line, |m| m.0);
            self.element(e, scope, depth, line)?;
        }
        Ok(())
    }

    fn element(
        &self,
        e: &TemplateElement,
        scope: Scope<'_>,
        depth: usize,
        line: usize,
    ) -> Result<(), Problem> {
        let at = Place::of(self.part, line);
        match e {
            TemplateElement::RawString(_) | TemplateElement::Comment(_) => Ok(()),
            TemplateElement::Expression(h) => expression(h, scope, at),
            TemplateElement::HtmlExpression(h) => {
                let name = h.name.as_name().map(shown).unwrap_or_default();
                Err(Problem::ThreeBraces {
                    written: format!("{{{{{{{name}}}}}}}"),
                    plain: tag(&name),
                    at,
                })
            }
            TemplateElement::HelperBlock(h) => self.block(h, scope, depth + 1, line),
            TemplateElement::PartialExpression(d) => Err(Problem::Include {
                written: tag(&format!("> {}", decorator_name(&d.name))),
                at,
            }),
            TemplateElement::PartialBlock(d) => Err(Problem::Include {
                written: tag(&format!("#> {}", decorator_name(&d.name))),
                at,
            }),
            TemplateElement::DecoratorBlock(d) | TemplateElement::DecoratorExpression(d) => {
                let name = decorator_name(&d.name);
                let block = matches!(e, TemplateElement::DecoratorBlock(_));
                let written = tag(&format!("{}*{name}", if block { "#" } else { "" }));
                if name == "inline" {
                    Err(Problem::Define { written, at })
                } else {
                    Err(Problem::Unsupported { written, at })
                }
            }
        }
    }

    fn block(
        &self,
        h: &HelperTemplate,
        scope: Scope<'_>,
        depth: usize,
        line: usize,
    ) -> Result<(), Problem> {
        let at = Place::of(self.part, line);
        if depth > MAX_DEPTH {
            return Err(Problem::TooDeep { max: MAX_DEPTH, at });
        }
        let Some(name) = h.name.as_name() else {
            return Err(Problem::Unsupported {
                written: tag("#…"),
                at,
            });
        };
        let inner = match name {
            "if" | "unless" => {
                let block = if name == "if" { "if" } else { "unless" };
                let needs_one = || Problem::NeedsOneField {
                    written: tag(&format!("#{block}")),
                    block,
                    at,
                };
                let field = only_param(h, at)?.ok_or_else(needs_one)?;
                match lookup(&scope, field) {
                    Named::Text | Named::List(_) => scope,
                    Named::Unknown => return Err(unknown(field, scope, at)),
                    Named::NotAName => return Err(not_a_name(field, scope, at)),
                }
            }
            "each" => {
                let needs_one = || Problem::NeedsOneList {
                    at,
                    lists: scope.lists(),
                };
                let list = only_param(h, at)?.ok_or_else(needs_one)?;
                match lookup(&scope, list) {
                    Named::List(item) => Scope {
                        fields: item,
                        item_is_text: item.is_empty(),
                    },
                    Named::Text => {
                        return Err(Problem::NotAList {
                            written: tag(&format!("#each {}", shown(list))),
                            name: shown(list),
                            at,
                            lists: scope.lists(),
                        })
                    }
                    Named::Unknown => return Err(unknown(list, scope, at)),
                    Named::NotAName => return Err(not_a_name(list, scope, at)),
                }
            }
            other if scope.find(other).is_some() => {
                return Err(Problem::FieldAsBlock {
                    written: tag(&format!("#{other}")),
                    name: other.to_owned(),
                    at,
                })
            }
            other => {
                return Err(Problem::Unsupported {
                    written: tag(&format!("#{}", shown(other))),
                    at,
                })
            }
        };
        if let Some(t) = &h.template {
            self.template(t, inner, depth, line)?;
        }
        // `{{else}}` is read in the block's own scope: the list had no items.
        if let Some(t) = &h.inverse {
            self.template(t, scope, depth, line)?;
        }
        Ok(())
    }
}

/// The one field a block is about, if it names exactly one and nothing
/// else (no options, no `as |x|`).
fn only_param(h: &HelperTemplate, at: Place) -> Result<Option<&str>, Problem> {
    if !h.hash.is_empty() || h.block_param.is_some() || h.params.len() != 1 {
        return Ok(None);
    }
    match &h.params[0] {
        p @ Parameter::Path(_) => Ok(p.as_name()),
        Parameter::Subexpression(_) => Err(Problem::Brackets { at }),
        Parameter::Name(_) | Parameter::Literal(_) => Ok(None),
    }
}

fn decorator_name(p: &Parameter) -> String {
    p.as_name().map_or_else(|| "…".to_owned(), shown)
}

fn unknown(name: &str, scope: Scope<'_>, at: Place) -> Problem {
    Problem::UnknownField {
        written: tag(&shown(name)),
        at,
        known: scope.known(),
    }
}

fn not_a_name(name: &str, scope: Scope<'_>, at: Place) -> Problem {
    Problem::NotAName {
        written: tag(&shown(name)),
        at,
        known: scope.known(),
    }
}

fn expression(h: &HelperTemplate, scope: Scope<'_>, at: Place) -> Result<(), Problem> {
    let name = match &h.name {
        Parameter::Subexpression(_) => return Err(Problem::Brackets { at }),
        Parameter::Literal(_) => {
            return Err(Problem::Unsupported {
                written: tag("…"),
                at,
            })
        }
        p => p.as_name().unwrap_or_default(),
    };
    if !h.params.is_empty() || !h.hash.is_empty() || h.block_param.is_some() {
        if h.params
            .iter()
            .chain(h.hash.values())
            .any(|p| matches!(p, Parameter::Subexpression(_)))
        {
            return Err(Problem::Brackets { at });
        }
        return Err(Problem::Unsupported {
            written: tag(&format!("{} …", shown(name))),
            at,
        });
    }
    match lookup(&scope, name) {
        Named::Text => Ok(()),
        Named::List(_) => Err(Problem::ListAsText {
            written: tag(&shown(name)),
            open: tag(&format!("#each {}", shown(name))),
            at,
        }),
        Named::Unknown => Err(unknown(name, scope, at)),
        Named::NotAName => Err(not_a_name(name, scope, at)),
    }
}

/// Refuses to define inline partials while filling in: the check already
/// refuses them, and a template can then not call itself through one.
fn no_inline(
    _: &Decorator<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
) -> Result<(), RenderError> {
    Err(RenderErrorReason::Other("letters cannot define templates".to_owned()).into())
}

impl Checked {
    /// Fills the template in with `facts`, as plain text.
    ///
    /// The registry holds no templates, so even a partial that slipped
    /// past the check would find nothing to include; strict mode refuses a
    /// field the facts lack instead of leaving it blank.
    pub(super) fn fill(&self, facts: &impl Serialize) -> Result<String, RenderError> {
        let mut h = Handlebars::new();
        h.set_strict_mode(true);
        h.register_escape_fn(handlebars::no_escape);
        h.register_decorator("inline", Box::new(no_inline));
        let ctx = Context::wraps(facts)?;
        let mut out = StringOutput::new();
        let mut rc = RenderContext::new(None);
        self.0.render(&h, &ctx, &mut rc, &mut out)?;
        out.into_string()
            .map_err(|e| RenderErrorReason::Other(e.to_string()).into())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{text, FIELDS};
    use super::*;

    const COURSE: &[Field] = &[text("title", "the course"), text("credits", "its credits")];
    /// The letter's fields and two lists, as a cycle could declare them.
    const WITH_LISTS: &[Field] = &[
        text("applicant_name", "the applicant's name"),
        text("note", "the note"),
        Field {
            name: "courses",
            meaning: "the courses taken",
            kind: FieldKind::List(COURSE),
        },
        Field {
            name: "tags",
            meaning: "words",
            kind: FieldKind::List(&[]),
        },
    ];

    fn refused_with(body: &str, fields: &[Field]) -> String {
        match template(Part::Letter, body, fields) {
            Ok(_) => panic!("{body:?} was accepted"),
            Err(e) => e.to_string(),
        }
    }

    fn refused(body: &str) -> String {
        refused_with(body, FIELDS)
    }

    const KNOWN: &str =
        "The fields you can use are applicant_name, program, cycle, outcome, offer_deadline, note, status_link.";

    #[test]
    fn fields_conditions_comments_and_else_pass() {
        for body in [
            "Dear {{applicant_name}},",
            "{{ note }} {{~program~}}",
            "{{#if note}}{{note}}{{else}}No note.{{/if}}",
            "{{#unless offer_deadline}}No offer.{{else}}By {{offer_deadline}}{{/unless}}",
            "{{#if note}}a{{else if cycle}}b{{else}}c{{/if}}",
            "{{! a comment }}{{!-- {{> letter}} is only text here --}}",
            "\\{{> letter}} is shown as written",
        ] {
            assert!(template(Part::Letter, body, FIELDS).is_ok(), "{body}");
        }
    }

    #[test]
    fn an_unknown_field_is_named_with_its_line_and_the_fields_to_use() {
        assert_eq!(
            refused("Dear {{applicant_name}},\n\n{{aplicant_name}}"),
            format!("There is no field called {{{{aplicant_name}}}} (line 3). {KNOWN}")
        );
        assert_eq!(
            template(Part::Subject, "About {{progam}}", FIELDS)
                .unwrap_err()
                .to_string(),
            format!("There is no field called {{{{progam}}}} (in the subject). {KNOWN}")
        );
        assert_eq!(
            refused("{{this}}"),
            format!("There is no field called {{{{this}}}} (line 1). {KNOWN}")
        );
    }

    #[test]
    fn every_branch_is_checked_not_only_the_one_a_sample_takes() {
        assert_eq!(
            refused("{{#if note}}{{note}}{{else}}\n{{> letter}}{{/if}}"),
            "Letters cannot include other templates ({{> letter}}, line 2)."
        );
        assert_eq!(
            refused("{{#unless note}}\n\n{{nope}}{{/unless}}"),
            format!("There is no field called {{{{nope}}}} (line 3). {KNOWN}")
        );
        assert_eq!(
            refused("{{#if note}}a{{else if cycle}}b{{else}}{{lookup note 0}}{{/if}}"),
            refused("{{lookup note 0}}"),
        );
    }

    #[test]
    fn nothing_that_includes_or_defines_a_template_passes() {
        assert_eq!(
            refused("Dear {{applicant_name}},\n{{> letter}}"),
            "Letters cannot include other templates ({{> letter}}, line 2)."
        );
        assert_eq!(
            refused("{{#> letter}}fallback{{/letter}}"),
            "Letters cannot include other templates ({{#> letter}}, line 1)."
        );
        assert_eq!(
            refused("{{#*inline \"me\"}}{{> me}}{{/inline}}\n{{> me}}"),
            "Letters cannot define templates of their own ({{#*inline}}, line 1)."
        );
        assert_eq!(
            refused("{{#> x}}a{{#> x}}{{> @partial-block}}{{/x}}{{/x}}"),
            "Letters cannot include other templates ({{#> x}}, line 1)."
        );
        assert!(
            refused("{{*log}}").starts_with("{{*log}} is not something a letter can use (line 1).")
        );
    }

    #[test]
    fn helpers_paths_brackets_and_three_braces_are_refused() {
        let hint = "A letter can show a field, for example {{applicant_name}}, and include a part only when a field is filled in, with {{#if note}} … {{/if}} or {{#unless note}} … {{/unless}}.";
        assert_eq!(
            refused("{{lookup this \"note\"}}"),
            format!("{{{{lookup …}}}} is not something a letter can use (line 1). {hint}")
        );
        assert_eq!(
            refused("{{#with note}}x{{/with}}"),
            format!("{{{{#with}}}} is not something a letter can use (line 1). {hint}")
        );
        assert!(refused("{{log note}}").starts_with("{{log …}} is not something"));
        assert!(refused("{{{{raw}}}}{{note}}{{{{/raw}}}}").starts_with("{{#raw}} is not something"));
        for path in [
            "../note",
            "this.note",
            "@root.note",
            "note.length",
            "[note]",
            "@index",
        ] {
            assert_eq!(
                refused(&format!("{{{{{path}}}}}")),
                format!("{{{{{path}}}}} is not a field a letter can use (line 1): write a field by its name alone. {KNOWN}")
            );
        }
        assert!(refused("{{#if @root.note}}x{{/if}}").starts_with("{{@root.note}} is not a field"));
        assert_eq!(
            refused("{{#if (lookup note 0)}}x{{/if}}"),
            "Letters cannot use ( … ) inside braces (line 1)."
        );
        assert_eq!(
            refused("{{(note)}}"),
            "Letters cannot use ( … ) inside braces (line 1)."
        );
        assert_eq!(
            refused("{{{note}}}"),
            "Write {{note}} with two braces and nothing else, not {{{note}}} (line 1)."
        );
        assert!(refused("{{&note}}").starts_with("Write {{note}} with two braces"));
        assert_eq!(
            refused("{{#note}}x{{/note}}"),
            "{{#note}} is not something a letter can use (line 1). To include a part only when note is filled in, write {{#if note}} … {{/if}}."
        );
    }

    #[test]
    fn a_condition_takes_exactly_one_field() {
        for body in [
            "{{#if}}x{{/if}}",
            "{{#if note cycle}}x{{/if}}",
            "{{#if note includeZero=true}}x{{/if}}",
            "{{#if \"note\"}}x{{/if}}",
        ] {
            assert_eq!(
                refused(body),
                "{{#if}} takes exactly one field and nothing else, for example {{#if note}} (line 1).",
                "{body}"
            );
        }
        assert!(
            refused("{{#unless 1}}x{{/unless}}").starts_with("{{#unless}} takes exactly one field")
        );
        assert!(refused("{{#if nope}}x{{/if}}")
            .starts_with("There is no field called {{nope}} (line 1)."));
    }

    #[test]
    fn each_goes_through_a_declared_list_with_the_items_fields() {
        for body in [
            "{{#each courses}}{{title}} ({{credits}}){{else}}None, {{applicant_name}}.{{/each}}",
            "{{#each tags}}{{this}}, {{/each}}",
            "{{#if courses}}{{#each courses}}{{#if credits}}{{title}}{{/if}}{{/each}}{{/if}}",
        ] {
            assert!(template(Part::Letter, body, WITH_LISTS).is_ok(), "{body}");
        }
        assert_eq!(
            refused_with("{{#each courses}}\n{{applicant_name}}{{/each}}", WITH_LISTS),
            "There is no field called {{applicant_name}} (line 2). The fields you can use are title, credits."
        );
        assert_eq!(
            refused_with("{{#each courses}}{{this}}{{/each}}", WITH_LISTS),
            "There is no field called {{this}} (line 1). The fields you can use are title, credits."
        );
        assert_eq!(
            refused_with("{{#each note}}x{{/each}}", WITH_LISTS),
            "{{#each note}} needs a list, and note is not one (line 1). The lists you can go through are courses, tags."
        );
        assert_eq!(
            refused_with("{{courses}}", WITH_LISTS),
            "{{courses}} is a list (line 1): show its items with {{#each courses}} … {{/each}}."
        );
        assert_eq!(
            refused_with("{{#each courses as |c|}}x{{/each}}", WITH_LISTS),
            "{{#each}} takes exactly one list and nothing else (line 1). The lists you can go through are courses, tags."
        );
        assert_eq!(
            refused("{{#each note}}x{{/each}}"),
            "{{#each note}} needs a list, and note is not one (line 1). There are no lists to go through here."
        );
    }

    #[test]
    fn conditions_nest_only_so_deep() {
        let ok = format!(
            "{}x{}",
            "{{#if note}}".repeat(MAX_DEPTH),
            "{{/if}}".repeat(MAX_DEPTH)
        );
        assert!(template(Part::Letter, &ok, FIELDS).is_ok());
        let deep = format!(
            "{}x{}",
            "{{#if note}}\n".repeat(MAX_DEPTH + 1),
            "{{/if}}".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(
            refused(&deep),
            format!("Parts inside parts go more than {MAX_DEPTH} deep (line {}); a letter needs far fewer.", MAX_DEPTH + 1)
        );
        // Far deeper than the parser can go: refused in words, not a crash.
        let n = MAX_LETTER_CHARS / "{{#if a}}".len();
        let deepest = "{{#if a}}".repeat(n);
        assert!(template(Part::Letter, &deepest, FIELDS).is_err());
    }

    #[test]
    fn filling_in_includes_nothing_even_unchecked() {
        let facts = super::super::LetterFacts::sample("P", "C", "Accepted");
        for source in [
            "{{> letter}}",
            "{{> subject}}",
            "{{#*inline \"me\"}}{{> me}}{{/inline}}{{> me}}",
        ] {
            let unchecked = Checked(Template::compile(source).unwrap());
            assert!(unchecked.fill(&facts).is_err(), "{source}");
        }
    }

    mod fuzz {
        //! The checker on templates it was never shown: token soup, and
        //! trees from the allowed grammar with refused constructs dropped
        //! in anywhere.

        use super::super::super::{check, render, LetterFacts, FIELDS};
        use super::*;
        use proptest::prelude::*;

        /// Pieces of handlebars, valid and broken, to build soup from.
        #[rustfmt::skip]
        const TOKENS: &[&str] = &[
            "{{", "}}", "{{{", "}}}", "{{#", "{{/", "{{>", "{{#>", "{{#*", "{{*", "{{!", "{{!--",
            "--}}", "{{else}}", "{{^}}", "{{~", "~}}", "#", "/", ">", "*", "^", "~", "!", "else",
            "if", "unless", "each", "with", "lookup", "log", "inline", "raw", "this", "../", ".",
            "@root", "@index", "@partial-block", "(", ")", "[", "]", "\"x\"", "'x'", "=", "as |x|",
            "0", "-1", "true", "null", " ", "\n", "\r\n", "\\", "Dear ", "text", "{{{{", "}}}}",
            "\u{202E}", "é", "{{#if note}}", "{{/if}}", "{{#unless note}}", "{{/unless}}",
            "{{#each note}}", "{{/each}}", "{{else if note}}", "{{{{raw}}}}", "{{{{/raw}}}}",
            "{{> letter}}", "{{#> letter}}", "{{/letter}}", "{{#*inline \"x\"}}", "{{/inline}}",
        ];

        fn soup() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                6 => prop::sample::select(TOKENS).prop_map(str::to_owned),
                3 => prop::sample::select(FIELDS).prop_map(|f| f.name.to_owned()),
                1 => any::<char>().prop_map(String::from),
            ];
            prop::collection::vec(piece, 0..60).prop_map(|p| p.concat())
        }

        /// A template from the allowed grammar, or with something refused in it.
        #[derive(Debug, Clone)]
        enum Node {
            Text(String),
            Field(&'static str),
            Block {
                keyword: &'static str,
                field: &'static str,
                then: Vec<Node>,
                otherwise: Option<Vec<Node>>,
            },
            Refused(&'static str),
        }

        const REFUSED: &[&str] = &[
            "{{> letter}}",
            "{{> subject}}",
            "{{#> letter}}x{{/letter}}",
            "{{#*inline \"x\"}}{{> x}}{{/inline}}",
            "{{*inline \"x\"}}",
            "{{lookup note 0}}",
            "{{#with note}}x{{/with}}",
            "{{log note}}",
            "{{../note}}",
            "{{@root.note}}",
            "{{this.note}}",
            "{{note.length}}",
            "{{{note}}}",
            "{{&note}}",
            "{{(note)}}",
            "{{#if (lookup note 0)}}x{{/if}}",
            "{{nope}}",
            "{{this}}",
            "{{#each note}}x{{/each}}",
            "{{#note}}x{{/note}}",
            "{{#if note includeZero=true}}x{{/if}}",
            "{{{{raw}}}}x{{{{/raw}}}}",
        ];

        fn node() -> impl Strategy<Value = Node> {
            let field = prop::sample::select(FIELDS).prop_map(|f| f.name);
            let leaf = prop_oneof![
                4 => "[a-zA-Z ,.\n]{0,12}".prop_map(Node::Text),
                4 => field.clone().prop_map(Node::Field),
                1 => prop::sample::select(REFUSED).prop_map(Node::Refused),
            ];
            leaf.prop_recursive(4, 48, 4, move |inner| {
                (
                    prop::sample::select(&["if", "unless"][..]),
                    field.clone(),
                    prop::collection::vec(inner.clone(), 0..4),
                    prop::option::of(prop::collection::vec(inner, 0..4)),
                )
                    .prop_map(|(keyword, field, then, otherwise)| Node::Block {
                        keyword,
                        field,
                        then,
                        otherwise,
                    })
            })
        }

        fn write(nodes: &[Node], out: &mut String) -> bool {
            let mut refused = false;
            for n in nodes {
                match n {
                    Node::Text(t) => out.push_str(t),
                    Node::Field(f) => out.push_str(&format!("{{{{{f}}}}}")),
                    Node::Refused(r) => {
                        out.push_str(r);
                        refused = true;
                    }
                    Node::Block {
                        keyword,
                        field,
                        then,
                        otherwise,
                    } => {
                        out.push_str(&format!("{{{{#{keyword} {field}}}}}"));
                        refused |= write(then, out);
                        if let Some(o) = otherwise {
                            out.push_str("{{else}}");
                            refused |= write(o, out);
                        }
                        out.push_str(&format!("{{{{/{keyword}}}}}"));
                    }
                }
            }
            refused
        }

        fn facts() -> impl Strategy<Value = LetterFacts> {
            let v = || any::<String>();
            (v(), v(), v(), v(), v(), v(), v()).prop_map(|(a, p, c, d, o, n, s)| LetterFacts {
                applicant_name: a,
                program: p,
                cycle: c,
                outcome: d,
                offer_deadline: o,
                note: n,
                status_link: s,
            })
        }

        /// A refusal reads as the portal's words, never the parser's, and
        /// names a line the template has.
        fn assert_worded(message: &str, source: &str) {
            assert!(!message.is_empty());
            if let Err(e) = Template::compile(source) {
                let raw = e.reason().to_string();
                assert!(!message.contains(&raw), "{message}");
            }
            let lines = source.split('\n').count();
            for (at, _) in message.match_indices("line ") {
                let n: String = message[at + 5..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                if let Ok(n) = n.parse::<usize>() {
                    assert!((1..=lines).contains(&n), "line {n} of {lines}: {message}");
                }
            }
        }

        proptest! {
            #[test]
            fn fuzz_letter_checker_never_panics_on_token_soup(
                subject in soup(),
                body in soup(),
                facts in facts(),
            ) {
                match check(&subject, &body) {
                    Ok(()) => {
                        // A template that passes always renders, whatever the facts.
                        let r = render(&subject, &body, &facts).unwrap();
                        prop_assert!(r.subject.chars().count() <= MAX_SUBJECT_CHARS);
                        prop_assert!(!r.subject.contains(['\n', '\r']));
                    }
                    Err(e) => {
                        let source = if e.part() == Part::Subject { &subject } else { &body };
                        assert_worded(&e.to_string(), source);
                        prop_assert_eq!(render(&subject, &body, &facts).unwrap_err(), e);
                    }
                }
            }

            #[test]
            fn fuzz_letter_checker_refuses_exactly_the_trees_with_something_refused(
                nodes in prop::collection::vec(node(), 0..6),
                facts in facts(),
            ) {
                let mut body = String::from("Dear ");
                let refused = write(&nodes, &mut body);
                let checked = check("About {{program}}", &body);
                if refused {
                    let e = checked.unwrap_err();
                    assert_worded(&e.to_string(), &body);
                } else {
                    prop_assert!(checked.is_ok(), "{body:?}: {checked:?}");
                    prop_assert!(render("About {{program}}", &body, &facts).is_ok());
                }
            }
        }
    }
}
