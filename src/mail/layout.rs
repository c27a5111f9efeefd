//! What every message shares: the HTML document around each template's
//! body (a `<head>` with charset, viewport and title), and the footer of
//! both parts saying who writes, how to reach them, that the message is
//! automatic, and for reminders how to stop them. Pure functions of text;
//! imports nothing of the portal but its configuration.

use crate::config::PortalConfig;

/// Who the portal's mail comes from, as its footer says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub organisation: String,
    pub signature: String,
    /// Where people write with questions.
    pub contact: String,
}

impl Sender {
    /// The sender the configuration describes: the contact address is
    /// `contact_email`, else the Reply-To address, else the From address.
    pub fn from_config(config: &PortalConfig) -> Self {
        let set = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let organisation = config.organisation_name.trim().to_owned();
        let contact = set(&config.contact_email)
            .or_else(|| set(&config.mail_reply_to))
            .unwrap_or_else(|| config.mail_from.trim().to_owned());
        // A From written as `Name <address>` gives the address alone.
        let contact = match contact.parse::<lettre::message::Mailbox>() {
            Ok(m) => m.email.to_string(),
            Err(_) => contact,
        };
        Self {
            signature: set(&config.mail_signature)
                .unwrap_or_else(|| format!("The {organisation} team")),
            organisation,
            contact,
        }
    }
}

impl Sender {
    /// This sender under the name and contact address an admin saved: a
    /// signature of the default form ("The <organisation> team") follows
    /// the new name; one an operator wrote stays.
    pub fn with_site(&self, site: &crate::domain::site::SiteSettings) -> Self {
        let signature = if self.signature == format!("The {} team", self.organisation) {
            format!("The {} team", site.organisation_name)
        } else {
            self.signature.clone()
        };
        Self {
            organisation: site.organisation_name.clone(),
            signature,
            contact: site.contact_email.to_string(),
        }
    }
}

/// Escapes text for HTML (element content and quoted attributes).
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}

/// Whether a message ends with the configured signature: the portal's
/// own messages do; a decision letter carries the signature its program
/// team wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signed {
    Yes,
    ByItsAuthor,
}

/// A plain-text part with the common footer.
pub fn text(body: &str, sender: &Sender, signed: Signed, unsubscribe: Option<&str>) -> String {
    let mut out = body.trim_end().to_owned();
    if signed == Signed::Yes {
        out.push_str("\n\n");
        out.push_str(&sender.signature);
    }
    out.push_str("\n\n-- \n");
    out.push_str(&format!(
        "{}\nQuestions: {}\nThis message was sent automatically by the application portal of {}.\n",
        sender.organisation, sender.contact, sender.organisation
    ));
    if let Some(url) = unsubscribe {
        out.push_str(&format!(
            "To stop reminders like this one: {url}\n(Letters about your own applications, account mail and first requests still reach you.)\n"
        ));
    }
    out
}

/// A whole HTML document around a template's body, with the common footer.
pub fn html(
    title: &str,
    body: &str,
    sender: &Sender,
    signed: Signed,
    unsubscribe: Option<&str>,
) -> String {
    let contact = escape(&sender.contact);
    let organisation = escape(&sender.organisation);
    let stop = unsubscribe.map_or_else(String::new, |url| {
        format!(
            "<br>\n<a href=\"{}\">Stop reminders like this one</a> (letters about your own applications, account mail and first requests still reach you).",
            escape(url)
        )
    });
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n</head>\n\
         <body style=\"font-family: Arial, sans-serif; color: #1b1b1b; line-height: 1.5; margin: 0; padding: 16px; overflow-wrap: break-word\">\n\
         {body}\n{signature}\
         <hr style=\"border: 0; border-top: 1px solid #ccc\">\n\
         <p style=\"font-size: 0.875em; color: #4a4a4a\">{organisation}<br>\n\
         Questions: <a href=\"mailto:{contact}\">{contact}</a><br>\n\
         This message was sent automatically by the application portal of {organisation}.{stop}</p>\n\
         </body>\n</html>\n",
        title = escape(title),
        body = body.trim(),
        signature = match signed {
            Signed::Yes => format!(
                "<p>{}</p>\n",
                escape(&sender.signature).replace('\n', "<br>\n")
            ),
            Signed::ByItsAuthor => String::new(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender() -> Sender {
        Sender {
            organisation: "Alliance <for> Health".into(),
            signature: "The team".into(),
            contact: "team@alliance.example".into(),
        }
    }

    #[test]
    fn html_has_a_head_and_the_footer() {
        let h = html("Subject & more", "<p>Hi</p>", &sender(), Signed::Yes, None);
        assert!(h.contains("<head>\n<meta charset=\"utf-8\">"), "{h}");
        assert!(h.contains("name=\"viewport\" content=\"width=device-width"));
        assert!(h.contains("<title>Subject &amp; more</title>"));
        assert!(h.contains("Alliance &lt;for&gt; Health"));
        assert!(h.contains("<a href=\"mailto:team@alliance.example\">"));
        assert!(!h.contains("Stop reminders"));
        let h = html(
            "s",
            "<p>Hi</p>",
            &sender(),
            Signed::ByItsAuthor,
            Some("https://p.example/mail/reminders/t"),
        );
        assert!(!h.contains("The team"), "a letter keeps its own signature");
        assert!(h.contains("<a href=\"https://p.example/mail/reminders/t\">Stop reminders"));
    }

    #[test]
    fn text_has_the_signature_and_footer() {
        let t = text(
            "Hello\n\n",
            &sender(),
            Signed::Yes,
            Some("https://p.example/x"),
        );
        assert!(
            t.starts_with("Hello\n\nThe team\n\n-- \nAlliance <for> Health\n"),
            "{t}"
        );
        assert!(t.contains("Questions: team@alliance.example"));
        assert!(t.contains("sent automatically"));
        assert!(t.contains("To stop reminders like this one: https://p.example/x"));
        let t = text("Hello", &sender(), Signed::ByItsAuthor, None);
        assert!(t.starts_with("Hello\n\n-- \nAlliance"), "{t}");
        assert!(!t.contains("stop reminders"));
    }

    #[test]
    fn the_contact_falls_back_to_reply_to_then_from() {
        let mut c: PortalConfig =
            PortalConfig::from_figment(&rocket::figment::Figment::new()).unwrap();
        c.mail_from = "Portal <portal@alliance.example>".into();
        assert_eq!(Sender::from_config(&c).contact, "portal@alliance.example");
        assert_eq!(
            Sender::from_config(&c).signature,
            "The Fellowship Portal team"
        );
        c.mail_reply_to = Some("team@alliance.example".into());
        assert_eq!(Sender::from_config(&c).contact, "team@alliance.example");
        c.contact_email = Some(" help@alliance.example ".into());
        assert_eq!(Sender::from_config(&c).contact, "help@alliance.example");
    }
}
