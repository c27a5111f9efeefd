//! Ids in URLs and forms as the domain's newtypes, so a route's `<id>` is
//! typed. They parse as `i64` does: text that is not a number, or a number
//! outside the 64-bit range, makes the route forward (a 404), as before.

use rocket::form::{self, FromFormField, ValueField};
use rocket::request::FromParam;

use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::domain::document::DocumentId;
use crate::domain::invitation::InvitationId;
use crate::domain::program::ProgramId;
use crate::domain::user::UserId;

/// Implements rocket's `FromParam` and `FromFormField` for a newtype over
/// `i64`, through `i64`'s own.
macro_rules! web_id {
    ($t:ident) => {
        impl<'a> FromParam<'a> for $t {
            type Error = <i64 as FromParam<'a>>::Error;

            fn from_param(param: &'a str) -> Result<Self, Self::Error> {
                <i64 as FromParam<'a>>::from_param(param).map($t)
            }
        }

        #[rocket::async_trait]
        impl<'v> FromFormField<'v> for $t {
            fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
                <i64 as FromFormField<'v>>::from_value(field).map($t)
            }
        }
    };
}

web_id!(UserId);
web_id!(ApplicationId);
web_id!(CycleId);
web_id!(ProgramId);
web_id!(DocumentId);
web_id!(InvitationId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_param_parses_as_the_number_or_not_at_all() {
        assert_eq!(UserId::from_param("12"), Ok(UserId(12)));
        assert_eq!(ApplicationId::from_param("3"), Ok(ApplicationId(3)));
        assert!(ApplicationId::from_param("99999999999999999999").is_err());
        assert!(UserId::from_param("abc").is_err());
    }
}
