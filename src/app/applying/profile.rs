//! The profile that pre-fills new applications, and the optional
//! demographic answers (kept apart from any application).

use std::collections::BTreeMap;

use crate::auth::guards::Applicant;
use crate::context::Ctx;
use crate::db::profiles;
use crate::domain::answers;
use crate::domain::form::Answers;
use crate::domain::profile::Profile;

use super::super::{Error, FormErrors, Result};

/// Saves the profile that pre-fills new applications.
#[tracing::instrument(skip_all)]
pub async fn save_profile(ctx: &Ctx, who: &Applicant, profile: &Profile) -> Result<()> {
    let mut conn = ctx.conn().await?;
    profiles::put(conn.exec(), who.0.user().id, profile, ctx.now()).await?;
    Ok(())
}

/// The demographic answers `who` gave, if any.
#[tracing::instrument(skip_all)]
pub async fn demographics(ctx: &Ctx, who: &Applicant) -> Result<Answers> {
    let mut conn = ctx.conn().await?;
    let stored = profiles::demographics(conn.exec(), who.0.user().id).await?;
    Ok(stored
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default())
}

/// Merges the demographic answers `sent` into those already given.
/// `Invalid` (nothing saved) when an answer is not one the form offers.
#[tracing::instrument(skip_all)]
pub async fn save_demographics(
    ctx: &Ctx,
    who: &Applicant,
    sent: &BTreeMap<String, Vec<String>>,
) -> Result<()> {
    let definition = crate::domain::demographics::form();
    let mut answers = demographics(ctx, who).await?;
    match answers::accept_save(&definition, sent) {
        Ok(accepted) => {
            for (k, v) in accepted {
                match v {
                    Some(v) => answers.insert(k, v),
                    None => answers.remove(&k),
                };
            }
        }
        Err(problems) => {
            let mut errors = FormErrors::default();
            for p in problems {
                errors.add(&p.key, p.message);
            }
            return Err(Error::Invalid(errors));
        }
    }
    let json = serde_json::to_string(&answers).map_err(anyhow::Error::from)?;
    let mut conn = ctx.conn().await?;
    profiles::put_demographics(conn.exec(), who.0.user().id, &json, ctx.now()).await?;
    Ok(())
}
