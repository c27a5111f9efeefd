//! The page templates' engine. rocket_dyn_templates parses every template
//! before the customising callback runs, with handlebars' default of
//! indenting each line of a partial called on a line of its own by that
//! line's indentation. That default would put spaces inside a multi-line
//! value shown in a `<textarea>` (an answer, a comment, a note), so the
//! callback turns it off and parses the page templates again from their
//! files, under the same names. Mail templates are left alone: the mailer
//! reads them with registries of its own.
//!
//! The `asset` helper gives a static file's address ([`super::assets`]).
//! Two more helpers are added, so that a page can compute the parameters of the
//! shared field partials: `concat` joins its parameters into one string
//! (`id=(concat "comment-" key)`), and `pick` gives its second parameter
//! when the first is truthy, otherwise its third
//! (`legend=(pick decision "Change" "Record")`).

use std::error::Error;
use std::path::{Path, PathBuf};

use rocket::fairing::Fairing;
use rocket::figment::value::magic::RelativePathBuf;
use rocket::figment::Figment;
use rocket_dyn_templates::handlebars::{handlebars_helper, Handlebars, JsonTruthy, JsonValue};
use rocket_dyn_templates::Template;

/// The templates folder, found as rocket_dyn_templates finds it.
fn template_dir(figment: &Figment) -> PathBuf {
    figment
        .extract_inner::<RelativePathBuf>("template_dir")
        .map(|path| path.relative())
        .unwrap_or_else(|_| "templates".into())
}

/// The template fairing, with partials never indented.
pub fn fairing(figment: &Figment, assets: std::sync::Arc<super::assets::Assets>) -> impl Fairing {
    let dir = template_dir(figment);
    Template::try_custom(move |engines| {
        engines.handlebars.register_helper(
            "asset",
            Box::new(super::assets::AssetHelper(assets.clone())),
        );
        engines
            .handlebars
            .register_helper("concat", Box::new(concat));
        engines.handlebars.register_helper("pick", Box::new(pick));
        reparse_without_indent(&mut engines.handlebars, &dir)?;
        Ok(())
    })
}

/// Sets `prevent_indent` and registers again, from `dir`, every template
/// already registered outside `email/`.
pub fn reparse_without_indent(
    hb: &mut Handlebars<'static>,
    dir: &Path,
) -> Result<(), Box<dyn Error>> {
    hb.set_prevent_indent(true);
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    for path in files {
        let Some(name) = template_name(dir, &path) else {
            continue;
        };
        if name.starts_with("email/") || !hb.has_template(&name) {
            continue;
        }
        hb.register_template_file(&name, &path)
            .map_err(|e| format!("template {name}: {e}"))?;
    }
    Ok(())
}

/// Every `.hbs` file under `dir`.
fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "hbs") {
            files.push(path);
        }
    }
    Ok(())
}

/// The name rocket_dyn_templates gives a file: its path under the folder
/// without the engine's and the data type's extensions
/// (`manage/letter` for `manage/letter.html.hbs`).
fn template_name(dir: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(dir).ok()?.with_extension("");
    let rel = if rel.extension().is_some() {
        rel.with_extension("")
    } else {
        rel
    };
    Some(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

handlebars_helper!(concat: |*args| args
    .iter()
    .map(|v| match v {
        JsonValue::String(s) => s.clone(),
        JsonValue::Null => String::new(),
        other => other.to_string(),
    })
    .collect::<String>());

handlebars_helper!(pick: |when: Json, then: Json, otherwise: Json| if when.is_truthy(false) {
    then.clone()
} else {
    otherwise.clone()
});
