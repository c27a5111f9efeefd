//! Mail templates: `templates/email/<message>/subject.txt.hbs`,
//! `text.txt.hbs` and `html.html.hbs`.
//!
//! Two handlebars registries: the subject and text parts are plain text and
//! must not be HTML-escaped; the HTML part is always escaped. Both are
//! strict, so a template naming an unknown field fails instead of sending a
//! letter with a hole in it.

use std::path::Path;

use handlebars::Handlebars;
use serde::Serialize;

/// The three parts of a rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Why a message could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("reading mail templates from {dir}: {source}")]
    Load {
        dir: String,
        source: Box<handlebars::TemplateError>,
    },
    #[error("reading mail templates from {dir}: {source}")]
    Io { dir: String, source: std::io::Error },
    #[error("mail template folder {0} has no message folders")]
    Empty(String),
    #[error("rendering mail {kind}: {source}")]
    Render {
        kind: String,
        source: Box<handlebars::RenderError>,
    },
}

/// The loaded mail templates.
pub struct MailTemplates {
    text: Handlebars<'static>,
    html: Handlebars<'static>,
}

impl MailTemplates {
    /// Loads every message folder under `dir`.
    pub fn load(dir: &Path) -> Result<Self, TemplateError> {
        let mut text = Handlebars::new();
        text.register_escape_fn(handlebars::no_escape);
        text.set_strict_mode(true);
        let mut html = Handlebars::new();
        html.set_strict_mode(true);
        let load_err = |source| TemplateError::Load {
            dir: dir.display().to_string(),
            source: Box::new(source),
        };
        let entries = std::fs::read_dir(dir).map_err(|source| TemplateError::Io {
            dir: dir.display().to_string(),
            source,
        })?;
        let mut count = 0;
        for entry in entries.flatten() {
            let folder = entry.path();
            if !folder.is_dir() {
                continue;
            }
            let kind = entry.file_name().to_string_lossy().into_owned();
            text.register_template_file(&format!("{kind}/subject"), folder.join("subject.txt.hbs"))
                .map_err(load_err)?;
            text.register_template_file(&format!("{kind}/text"), folder.join("text.txt.hbs"))
                .map_err(load_err)?;
            html.register_template_file(&format!("{kind}/html"), folder.join("html.html.hbs"))
                .map_err(load_err)?;
            count += 1;
        }
        if count == 0 {
            return Err(TemplateError::Empty(dir.display().to_string()));
        }
        Ok(Self { text, html })
    }

    /// Renders message `kind` with `context`.
    pub fn render(&self, kind: &str, context: &impl Serialize) -> Result<Rendered, TemplateError> {
        let err = |source| TemplateError::Render {
            kind: kind.to_owned(),
            source: Box::new(source),
        };
        let subject = self
            .text
            .render(&format!("{kind}/subject"), context)
            .map_err(err)?;
        Ok(Rendered {
            // A subject is one line, whatever the template's trailing newline.
            subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
            text: self
                .text
                .render(&format!("{kind}/text"), context)
                .map_err(err)?,
            html: self
                .html
                .render(&format!("{kind}/html"), context)
                .map_err(err)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn templates() -> MailTemplates {
        MailTemplates::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/email")).unwrap()
    }

    #[test]
    fn text_is_not_escaped_and_html_is() {
        let ctx =
            serde_json::json!({"name": "Ana <O'Brien>", "link": "http://x/a?b=1&c=2", "hours": 24});
        let r = templates().render("confirm_email", &ctx).unwrap();
        assert!(r.text.contains("Ana <O'Brien>"), "{}", r.text);
        assert!(r.text.contains("http://x/a?b=1&c=2"));
        assert!(r.html.contains("Ana &lt;O&#x27;Brien&gt;"), "{}", r.html);
        assert!(!r.html.contains("<O'Brien>"));
        assert!(!r.subject.contains('\n'));
    }

    #[test]
    fn a_missing_field_fails_instead_of_sending_a_hole() {
        let ctx = serde_json::json!({"name": "Ana"});
        assert!(matches!(
            templates().render("confirm_email", &ctx),
            Err(TemplateError::Render { .. })
        ));
        assert!(templates().render("no_such_message", &ctx).is_err());
    }
}
