//! The audit log in words: what each recorded action is called, the
//! kinds of action a reader filters by, and what an entry's subject
//! (`application:12`, `cycle:3`, …) is, so that each entry can be filed
//! under its program, cycle and application when it is recorded.

/// What an entry is about, read from its subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Application(i64),
    Cycle(i64),
    Program(i64),
    Invitation(i64),
    User(i64),
    /// Anything else (the site's settings, a message in the outbox).
    Other,
}

impl Subject {
    /// Reads a stored subject such as `application:12`.
    pub fn parse(subject: &str) -> Self {
        let Some((kind, id)) = subject.split_once(':') else {
            return Self::Other;
        };
        let Ok(id) = id.parse::<i64>() else {
            return Self::Other;
        };
        match kind {
            "application" => Self::Application(id),
            "cycle" => Self::Cycle(id),
            "program" => Self::Program(id),
            "invitation" => Self::Invitation(id),
            "user" => Self::User(id),
            _ => Self::Other,
        }
    }
}

/// The kinds of action a reader can filter by: the part of the action
/// before its dot, and what the kind is called.
pub const KINDS: [(&str, &str); 21] = [
    ("application", "Screening, stages and deadlines"),
    ("assignment", "Reviewer assignments"),
    ("conflict", "Conflicts of interest"),
    ("review", "Reviews"),
    ("decision", "Decisions and their release"),
    ("offer", "Offers answered"),
    ("letter", "Decision letters"),
    ("note", "Staff notes"),
    ("label", "Labels"),
    ("cycle", "Cycle set-up and exports"),
    ("report", "Reports downloaded"),
    ("program", "Programs"),
    ("invitation", "Invitations"),
    ("role", "Roles"),
    ("account", "Accounts made from invitations"),
    ("user", "Accounts deactivated and reactivated"),
    ("admin", "Admins made on the command line"),
    ("outbox", "Mail sent again"),
    ("site", "Site settings"),
    ("demo", "Demo data"),
    ("audit", "Audit log downloads"),
];

/// Whether `kind` is one of [`KINDS`].
pub fn is_kind(kind: &str) -> bool {
    KINDS.iter().any(|(k, _)| *k == kind)
}

/// What an action did, as a phrase that follows the person's name and
/// comes before what it was done to: "released decisions for" (then "the
/// 2027 cohort"). An action the portal does not know is shown as stored.
pub fn phrase(action: &str) -> &str {
    match action {
        "account.create" => "made their account from an invitation",
        "admin.create" => "gave admin rights to",
        "application.extend" => "gave more time to",
        "application.move" => "moved",
        "application.screen" => "screened",
        "assignment.add" => "assigned a reviewer to",
        "assignment.reassign" => "reassigned a review of",
        "assignment.remove" => "took a reviewer off",
        "conflict.declare" => "declared a conflict of interest with",
        "conflict.record" => "recorded a reviewer's conflict of interest with",
        "cycle.copy" => "made a cycle by copying another:",
        "cycle.create" => "created the cycle",
        "cycle.dates" => "changed the name or dates of",
        "cycle.export" => "downloaded the applications of",
        "cycle.form" => "changed the application form of",
        "cycle.outcome_add" => "added an outcome to",
        "cycle.outcome_remove" => "removed an outcome from",
        "cycle.outcomes" => "renamed the outcomes of",
        "cycle.publish" => "published",
        "cycle.review_settings" => "changed the review settings of",
        "cycle.rubric" => "changed the rubric of",
        "cycle.unpublish" => "unpublished",
        "decision.promote" => "offered a place from the waitlist to",
        "decision.record" => "recorded a decision on",
        "decision.release" => "released decisions for",
        "demo.seed" => "put demo data into",
        "invitation.accept" => "accepted",
        "invitation.resend" => "sent again",
        "invitation.revoke" => "revoked",
        "invitation.send" => "sent",
        "label.add" => "labelled",
        "label.create" => "made a label in",
        "label.remove" => "removed a label from",
        "label.set" => "labelled",
        "letter.save" => "changed a decision letter of",
        "message.send" => "sent a message to the applicants of",
        "note.add" => "wrote a note on",
        "offer.answer" => "answered the offer on",
        "outbox.resend" => "sent again a message that had failed:",
        "program.archive" => "archived",
        "program.create" => "created the program",
        "program.edit" => "changed",
        "program.unarchive" => "brought back from the archive",
        "reminders.set" => "changed the automatic reminders of",
        "report.decisions" => "downloaded the decisions of",
        "report.reviews" => "downloaded the reviews of",
        "review.reopen" => "reopened a review of",
        "review.remind" => "reminded reviewers of",
        "review.save" => "saved a draft review of",
        "review.submit" => "submitted a review of",
        "role.grant" => "gave a role to",
        "role.revoke" => "took a role from",
        "site.settings" => "changed the site's settings",
        "user.deactivate" => "deactivated",
        "user.email" => "changed the email address of",
        "user.email_ask" => "asked to change the email address of",
        "user.reactivate" => "reactivated",
        "audit.export" => "downloaded the audit log",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_read_by_kind_and_number() {
        assert_eq!(Subject::parse("application:12"), Subject::Application(12));
        assert_eq!(Subject::parse("cycle:3"), Subject::Cycle(3));
        assert_eq!(Subject::parse("program:1"), Subject::Program(1));
        assert_eq!(Subject::parse("invitation:9"), Subject::Invitation(9));
        assert_eq!(Subject::parse("user:4"), Subject::User(4));
        for other in ["site", "outbox:2", "cycle:x", "cycle:", ":5", ""] {
            assert_eq!(Subject::parse(other), Subject::Other, "{other:?}");
        }
    }

    #[test]
    fn every_action_the_portal_records_has_words() {
        // Every action recorded in the code (src/app and the seeder) has a
        // phrase of its own, not the stored name.
        let src = concat!(
            include_str!("../app/admin.rs"),
            include_str!("../app/applying/offer.rs"),
            include_str!("../app/assignment/mod.rs"),
            include_str!("../app/audit.rs"),
            include_str!("../app/cycles/copy.rs"),
            include_str!("../app/cycles/create.rs"),
            include_str!("../app/cycles/edit.rs"),
            include_str!("../app/cycles/publish.rs"),
            include_str!("../app/decisions.rs"),
            include_str!("../app/email_change.rs"),
            include_str!("../app/export.rs"),
            include_str!("../app/forms.rs"),
            include_str!("../app/invitations.rs"),
            include_str!("../app/labels.rs"),
            include_str!("../app/letters.rs"),
            include_str!("../app/notes.rs"),
            include_str!("../app/offers.rs"),
            include_str!("../app/outcomes.rs"),
            include_str!("../app/programs.rs"),
            include_str!("../app/release.rs"),
            include_str!("../app/review.rs"),
            include_str!("../app/rubric.rs"),
            include_str!("../app/screening.rs"),
            include_str!("../app/settings.rs"),
            include_str!("../app/site.rs"),
            include_str!("../app/stage.rs"),
            include_str!("../seed.rs"),
        );
        // Strings of the same shape that are not actions.
        let not_actions = ["demo.example", "demo.sqlite"];
        let mut seen = 0;
        for (i, _) in src.match_indices('"') {
            let rest = &src[i + 1..];
            let Some(end) = rest.find('"') else { break };
            let word = &rest[..end];
            let Some((kind, what)) = word.split_once('.') else {
                continue;
            };
            let plain =
                |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            if plain(kind) && plain(what) && is_kind(kind) && !not_actions.contains(&word) {
                seen += 1;
                assert_ne!(phrase(word), word, "{word} has no words");
            }
        }
        assert!(seen >= 20, "found {seen} actions");
    }
}
