//! A cycle's settings as its managers change them: the review settings
//! (reviewers per application, cap, when reviewers see each other's
//! reviews, the disagreement threshold, blind review, days to answer an
//! offer) and a later deadline for one applicant's draft. The rubric is
//! `app::rubric`'s.

use crate::domain::cycle::CycleId;
use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};

use crate::auth::guards::{ClientIp, Manager};
use crate::context::Ctx;
use crate::db::{applications, cycles, users};
use crate::domain::access::manager_may_act_on;
use crate::domain::email::EmailAddress;
use crate::domain::workflow::review::ReviewSettings;
use crate::domain::workflow::stage::Stage;

use super::{access, By, Error, FormErrors, Result};

/// The longest time an applicant may be given to answer an offer.
pub const MAX_OFFER_DAYS: i64 = 90;

/// The days an applicant has to answer an offer in cycle `id`.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn offer_days(ctx: &Ctx, id: CycleId) -> Result<i64> {
    let mut conn = ctx.conn().await?;
    Ok(cycles::offer_days(conn.exec(), id).await?)
}

/// The review settings form, as typed.
pub struct SettingsForm<'a> {
    pub reviewers_per_application: &'a str,
    pub reviewer_cap: &'a str,
    pub other_reviews: &'a str,
    pub disagreement_threshold: &'a str,
    pub blind_review: bool,
    pub offer_days: &'a str,
}

/// Saves cycle `id`'s review settings. Refuses, field by field, what the
/// domain's settings do not accept and days to answer an offer outside 1
/// to [`MAX_OFFER_DAYS`].
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn save_settings(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: CycleId,
    form: &SettingsForm<'_>,
) -> Result<()> {
    access::cycle_for_manager(ctx, who, id).await?;
    access::review_setup(ctx, id).await?;
    let read = ReviewSettings::read(
        form.reviewers_per_application,
        form.reviewer_cap,
        form.other_reviews,
        form.disagreement_threshold,
    );
    let days = form
        .offer_days
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=MAX_OFFER_DAYS).contains(d));
    let (settings, days) = match (read, days) {
        (Ok(s), Some(days)) => (s, days),
        (read, _) => {
            let mut errors = FormErrors::default();
            for (field, e) in read.err().unwrap_or_default() {
                errors.add(field, e);
            }
            if days.is_none() {
                errors.add(
                    "offer_days",
                    format!("Days to answer an offer must be a whole number from 1 to {MAX_OFFER_DAYS}."),
                );
            }
            return Err(Error::Invalid(errors));
        }
    };
    let now = ctx.now();
    let mut tx = ctx.begin().await?;
    cycles::set_review_settings(tx.exec(), id, &settings, form.blind_review).await?;
    cycles::set_offer_days(tx.exec(), id, days).await?;
    let detail = format!(
        "K={} cap={:?} others={} threshold={} blind={} offer_days={days}",
        settings.reviewers_per_application,
        settings.reviewer_cap,
        settings.other_reviews.as_str(),
        settings.disagreement_threshold,
        form.blind_review
    );
    By::user(who.0.user().id, ip.as_deref())
        .audit(
            tx.exec(),
            "cycle.review_settings",
            &format!("cycle:{id}"),
            &detail,
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The extension form, as typed.
pub struct ExtensionForm<'a> {
    /// The applicant's email address.
    pub email: &'a str,
    /// YYYY-MM-DD in the cycle's zone.
    pub date: &'a str,
    /// HH:MM, or empty for 23:59.
    pub time: &'a str,
    pub reason: &'a str,
}

/// An extension granted.
#[derive(Debug)]
pub struct Extended {
    pub applicant_name: String,
    pub email: EmailAddress,
    /// The new deadline, shown in the cycle's zone.
    pub until: String,
}

/// Gives one applicant's draft in cycle `id` a later deadline, in the
/// cycle's time zone, for a recorded reason. Refuses an address, date or
/// time that does not read, a time a clock change skips, a missing reason,
/// a deadline not later than both now and the cycle's, an address without
/// an account or an application in the cycle, and a submitted application.
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn extend_deadline(
    ctx: &Ctx,
    who: &Manager,
    ip: &ClientIp,
    id: CycleId,
    form: &ExtensionForm<'_>,
) -> Result<Extended> {
    let c = access::cycle_for_manager(ctx, who, id).await?;
    let Ok(email) = EmailAddress::parse(form.email) else {
        return Err(Error::refused("Enter the applicant’s email address."));
    };
    let Ok(date) = NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d") else {
        return Err(Error::refused(
            "Enter the new deadline’s date, for example 2027-03-15.",
        ));
    };
    let time = if form.time.trim().is_empty() {
        NaiveTime::from_hms_opt(23, 59, 0)
    } else {
        NaiveTime::parse_from_str(form.time.trim(), "%H:%M").ok()
    };
    let Some(time) = time else {
        return Err(Error::refused(
            "Enter the time as hours and minutes, for example 17:00.",
        ));
    };
    let Some(deadline) = c
        .cycle
        .time_zone
        .from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
    else {
        return Err(Error::refused(
            "That time does not exist in the cycle’s time zone (a clock change). Choose another.",
        ));
    };
    let reason = form.reason.trim();
    if reason.is_empty() {
        return Err(Error::refused(
            "Say why the extension is granted; it is recorded.",
        ));
    }
    let now = ctx.now();
    if deadline <= now || deadline <= c.cycle.closes_at {
        return Err(Error::refused(
            "The new deadline must be later than both now and the cycle’s own deadline.",
        ));
    }
    let mut tx = ctx.begin().await?;
    let Some((user, _)) = users::find_by_email(tx.exec(), email.as_str()).await? else {
        return Err(Error::refused(
            "No applicant has an account with that email address.",
        ));
    };
    let Some(app) = applications::find_for(tx.exec(), id, user.id).await? else {
        return Err(Error::refused(
            "That applicant has not started an application in this cycle.",
        ));
    };
    let manager = who.0.user().id;
    if !manager_may_act_on(app.applicant_id, manager) {
        return Err(Error::NotFound);
    }
    if app.stage != Stage::Draft {
        return Err(Error::refused(
            "That application is already submitted (or withdrawn), so it needs no extension.",
        ));
    }
    applications::extend(tx.exec(), app.id, deadline, reason, manager, now).await?;
    let until = c.cycle.show(deadline);
    let detail = format!("until {until} for {email}: {reason}");
    By::user(manager, ip.as_deref())
        .audit(
            tx.exec(),
            "application.extend",
            &format!("application:{}", app.id),
            &detail,
            now,
        )
        .await?;
    tx.commit().await?;
    Ok(Extended {
        applicant_name: user.name,
        email,
        until,
    })
}
