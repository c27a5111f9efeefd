//! The site's rows: the admin's site settings page and form (sent without
//! a logo, so the settings are saved as typed), the logo's address (none
//! saved: 404 for everyone) and the favicon's redirect.

use super::{get, owned, post, Body, Row};
use crate::permissions::roles::Audience;

/// The site's routes.
pub fn rows() -> Vec<Row> {
    use Audience::*;
    use Body::Multipart;
    vec![
        get("/favicon.ico", Public, 301, |_, _| "/favicon.ico".into()),
        get("/site/logo/<name>", Public, 404, |_, _| {
            "/site/logo/0000000000000000.png".into()
        }),
        get("/admin/site", Admin, 200, |_, _| "/admin/site".into()),
        post(
            "/admin/site",
            Admin,
            303,
            |_, _| "/admin/site".into(),
            Multipart(
                |_| {
                    owned(&[
                        ("organisation_name", "Health Equity Alliance"),
                        ("contact_email", "team@alliance.example"),
                        (
                            "footer_text",
                            "Fellowships and internships in health equity.",
                        ),
                    ])
                },
                None,
            ),
        ),
    ]
}
