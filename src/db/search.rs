//! Search in a cycle's applications list, through an index on each
//! backend (migration 0016): on SQLite the FTS5 table `application_search`
//! (rowid = application id; words matched by prefix), on PostgreSQL the
//! table `application_search` with a pg_trgm GIN index on its lower-case
//! `body` (matched anywhere with `LIKE`). Both are kept up to date by
//! triggers when an applicant's name or email or an application's
//! institution changes.
//!
//! The user's text is never part of the SQL: it is bound, and turned first
//! into a query the index reads literally (FTS5 phrases in double quotes;
//! `LIKE` wildcards escaped), so no input can make the query fail.

use super::{DbResult, Exec};

/// How the live backend searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// SQLite FTS5: each word of the text as a quoted prefix phrase.
    Fts5,
    /// PostgreSQL trigram index: the words of the text anywhere, in their
    /// order (`LIKE '%univ%ibadan%'`).
    Trigram,
}

impl Syntax {
    /// The syntax of the backend `ex` runs on.
    pub fn of(ex: &Exec<'_>) -> Self {
        match ex {
            Exec::Sqlite(_) => Self::Fts5,
            Exec::Postgres(_) => Self::Trigram,
        }
    }

    /// The bound value for `text`, or `None` when nothing in it can match
    /// (no letter or digit on SQLite): the list is then empty.
    pub fn value(self, text: &str) -> Option<String> {
        match self {
            Self::Fts5 => fts5_query(text),
            Self::Trigram => Some(contains_pattern(text)),
        }
    }

    /// The condition on `a.id` (the list's applications) with the search
    /// value bound as `param` (`$n`).
    pub fn condition(self, param: &str) -> String {
        match self {
            Self::Fts5 => format!(
                "a.id IN (SELECT rowid FROM application_search WHERE application_search MATCH {param})"
            ),
            Self::Trigram => format!(
                "a.id IN (SELECT application_id FROM application_search WHERE body LIKE {param} ESCAPE '\\')"
            ),
        }
    }
}

/// An FTS5 query finding rows where every word of `text` starts a word:
/// `Ada oka` becomes `"ada"* AND "oka"*`. Each word is a quoted phrase (a
/// double quote inside is doubled), so FTS5 operators and punctuation in
/// the text (`NEAR(`, `*`, `"`, `-`, `:`) are read as plain text; words
/// with no letter or digit are left out, and control characters dropped.
/// `None` when no word is left.
pub fn fts5_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .take(16)
        .map(|w| {
            let clean: String = w
                .chars()
                .filter(|c| !c.is_control())
                .flat_map(char::to_lowercase)
                .collect();
            format!("\"{}\"*", clean.replace('"', "\"\""))
        })
        .collect();
    (!words.is_empty()).then(|| words.join(" AND "))
}

/// A `LIKE` pattern matching lower-case text containing the words of
/// `text` in their order, with their wildcards (`%`, `_`) and the escape
/// character taken literally, and control characters dropped.
pub fn contains_pattern(text: &str) -> String {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| !c.is_control())
                .flat_map(char::to_lowercase)
                .collect::<String>()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        })
        .collect();
    format!("%{}%", words.join("%"))
}

/// The plan the database makes for the list's search query (the page of
/// ids and the count) of `text` in `cycle`: SQLite's `EXPLAIN QUERY PLAN`
/// details, or PostgreSQL's `EXPLAIN` lines. For checks that the search
/// uses its index and scans no table.
#[tracing::instrument(skip_all)]
pub async fn explain(ex: Exec<'_>, cycle: i64, text: &str) -> DbResult<Vec<String>> {
    let syntax = Syntax::of(&ex);
    let value = syntax.value(text).unwrap_or_default();
    let condition = syntax.condition("$2");
    let page = format!(
        "SELECT a.id FROM applications a WHERE a.cycle_id = $1 AND a.stage <> 'draft' AND {condition} \
         ORDER BY a.submitted_at, a.id LIMIT 50"
    );
    let count = format!(
        "SELECT COUNT(*) FROM applications a WHERE a.cycle_id = $1 AND a.stage <> 'draft' AND {condition}"
    );
    let mut lines = Vec::new();
    match ex {
        Exec::Sqlite(c) => {
            for sql in [page, count] {
                let rows: Vec<(i64, i64, i64, String)> =
                    sqlx::query_as(&format!("EXPLAIN QUERY PLAN {sql}"))
                        .bind(cycle)
                        .bind(&value)
                        .fetch_all(&mut *c)
                        .await?;
                lines.extend(rows.into_iter().map(|r| r.3));
            }
        }
        Exec::Postgres(c) => {
            for sql in [page, count] {
                let rows: Vec<String> = sqlx::query_scalar(&format!("EXPLAIN {sql}"))
                    .bind(cycle)
                    .bind(&value)
                    .fetch_all(&mut *c)
                    .await?;
                lines.extend(rows);
            }
        }
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::{contains_pattern, fts5_query};
    use proptest::prelude::*;

    #[test]
    fn each_word_is_a_quoted_prefix_and_operators_are_plain_text() {
        assert_eq!(fts5_query("Oka").as_deref(), Some("\"oka\"*"));
        assert_eq!(
            fts5_query("  Ada  OKA ").as_deref(),
            Some("\"ada\"* AND \"oka\"*")
        );
        assert_eq!(
            fts5_query("NEAR( a\"b").as_deref(),
            Some("\"near(\"* AND \"a\"\"b\"*")
        );
        for nothing in ["", "   ", "\"", "*", "%", "- ( ) ^", "\u{0}"] {
            assert_eq!(fts5_query(nothing), None, "{nothing:?}");
        }
    }

    #[test]
    fn like_wildcards_are_literal() {
        assert_eq!(contains_pattern(" 50%_a\\ "), "%50\\%\\_a\\\\%");
        assert_eq!(contains_pattern("Oka"), "%oka%");
        assert_eq!(contains_pattern(" univ  Ibadan "), "%univ%ibadan%");
    }

    proptest! {
        /// Whatever the text, the FTS5 query is a conjunction of quoted
        /// phrases: every double quote inside a phrase is doubled, so the
        /// text can never close a phrase and add syntax.
        #[test]
        fn any_text_gives_only_quoted_phrases(text in "\\PC{0,40}|[\"*():^+\\-NEAR AND OR NOT]{0,20}") {
            if let Some(q) = fts5_query(&text) {
                for phrase in q.split(" AND ") {
                    prop_assert!(phrase.starts_with('"') && phrase.ends_with("\"*"), "{}", phrase);
                    let inner = &phrase[1..phrase.len() - 2];
                    prop_assert!(!inner.replace("\"\"", "").contains('"'), "{}", phrase);
                    prop_assert!(!inner.chars().any(char::is_control));
                }
            }
        }

        /// Every `%`, `_` and `\` of the text is escaped in the pattern:
        /// the only loose `%` are those around and between its words.
        #[test]
        fn any_text_gives_a_pattern_with_no_loose_wildcard(text in "\\PC{0,40}|[%_\\\\a ]{0,20}") {
            let p = contains_pattern(&text);
            let mut loose = 0;
            let mut chars = p.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    prop_assert!(matches!(chars.next(), Some('\\' | '%' | '_')));
                } else {
                    prop_assert!(c != '_');
                    loose += usize::from(c == '%');
                }
            }
            prop_assert_eq!(loose, text.split_whitespace().count().max(1) + 1);
        }
    }
}
