//! The applicant profile: facts reused by every new application.

use serde::{Deserialize, Serialize};

/// What pre-fills new applications.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub preferred_name: String,
    pub pronouns: String,
    pub institution: String,
    pub discipline: String,
    pub degree: String,
    pub expected_graduation: String,
    pub phone: String,
}

impl Profile {
    /// What pre-fills a question that names profile field `name`: the
    /// account's `name` and `email`, or a field of the profile.
    pub fn prefill<'a>(
        &'a self,
        name: &str,
        account_name: &'a str,
        account_email: &'a str,
    ) -> Option<&'a str> {
        match name {
            "name" => Some(account_name),
            "email" => Some(account_email),
            other => self.field(other),
        }
        .filter(|v| !v.is_empty())
    }

    /// The profile field a form question names, if it is one.
    pub fn field(&self, name: &str) -> Option<&str> {
        let v = match name {
            "preferred_name" => &self.preferred_name,
            "pronouns" => &self.pronouns,
            "institution" => &self.institution,
            "discipline" => &self.discipline,
            "degree" => &self.degree,
            "expected_graduation" => &self.expected_graduation,
            "phone" => &self.phone,
            _ => return None,
        };
        Some(v.as_str())
    }
}
