//! Lists shown a page at a time: which page of how many, and the links to
//! the pages beside it (rendered by `templates/partials/pager`).

use serde::Serialize;

/// Where a list is, flattened into its page's context: page `page` of
/// `pages`, `total` rows in all, with the addresses of the pages before
/// and after (none at either end).
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    /// There are more rows than `total` (a list that stops counting):
    /// `pages` is then "more than".
    pub more: bool,
    pub previous: Option<String>,
    pub next: Option<String>,
}

/// The page asked for (the first when absent or below 1) and how many rows
/// come before it, for lists of `size` rows a page.
pub fn position(page: Option<i64>, size: i64) -> (i64, i64) {
    let page = page.unwrap_or(1).max(1);
    (page, (page - 1).saturating_mul(size))
}

impl Pager {
    /// Page `page` of a list of `total` rows, `size` a page; `href` gives a
    /// page's address.
    pub fn new(page: i64, total: i64, size: i64, href: impl Fn(i64) -> String) -> Self {
        let pages = (total.max(0).saturating_add(size - 1) / size).max(1);
        Self {
            page,
            pages,
            total,
            more: false,
            previous: (page > 1).then(|| href(page.min(pages + 1) - 1)),
            next: (page < pages).then(|| href(page + 1)),
        }
    }

    /// Page `page` of a list of at least `total` rows, more when `more`
    /// (its count stopped there): a next page then always follows.
    pub fn at_least(
        page: i64,
        total: i64,
        more: bool,
        size: i64,
        href: impl Fn(i64) -> String,
    ) -> Self {
        let mut pager = Self::new(page, total, size, &href);
        if more {
            pager.more = true;
            pager.next = Some(href(page + 1));
        }
        pager
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_their_neighbours() {
        let href = |p: i64| format!("?page={p}");
        let first = Pager::new(1, 120, 50, href);
        assert_eq!(
            (first.pages, first.previous, first.next.as_deref()),
            (3, None, Some("?page=2"))
        );
        let last = Pager::new(3, 120, 50, href);
        assert_eq!(
            (last.previous.as_deref(), last.next),
            (Some("?page=2"), None)
        );
        let empty = Pager::new(1, 0, 50, href);
        assert_eq!((empty.pages, empty.previous, empty.next), (1, None, None));
        assert_eq!(Pager::new(1, 50, 50, href).pages, 1);
        assert_eq!(Pager::new(1, 51, 50, href).pages, 2);
        // Beyond the last page, "previous" leads back to the last one.
        let beyond = Pager::new(9, 120, 50, href);
        assert_eq!(beyond.previous.as_deref(), Some("?page=3"));
    }

    #[test]
    fn positions_are_clamped_and_never_overflow() {
        assert_eq!(position(None, 50), (1, 0));
        assert_eq!(position(Some(-4), 50), (1, 0));
        assert_eq!(position(Some(3), 50), (3, 100));
        assert_eq!(position(Some(i64::MAX), 50), (i64::MAX, i64::MAX));
    }

    #[test]
    fn a_list_that_stopped_counting_says_more_and_always_has_a_next_page() {
        let href = |p: i64| format!("?page={p}");
        let more = Pager::at_least(10, 500, true, 50, href);
        assert_eq!(
            (
                more.pages,
                more.more,
                more.next.as_deref(),
                more.previous.as_deref()
            ),
            (10, true, Some("?page=11"), Some("?page=9"))
        );
        let all = Pager::at_least(10, 500, false, 50, href);
        assert_eq!((all.more, all.next), (false, None));
    }
}
