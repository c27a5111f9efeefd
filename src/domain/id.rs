//! Database ids as distinct types, so that an application id cannot be
//! passed where a user id is expected. Each is a plain number here; the
//! database and the web layer teach their libraries to read and write it
//! (`db::ids`, `web::ids`), since this module imports neither.

/// Declares a `Copy` newtype over `i64` for the id of one kind of row:
/// ordered, hashable, serialised as the bare number, displayed as the
/// number, and parsed from its decimal text.
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            serde::Serialize,
            serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            /// Reads the decimal number (a number outside `i64` is an error).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }
    };
}

pub(crate) use id_type;

#[cfg(test)]
mod tests {
    use crate::domain::application::ApplicationId;
    use crate::domain::user::UserId;

    #[test]
    fn ids_print_parse_and_serialise_as_the_bare_number() {
        assert_eq!(UserId(7).to_string(), "7");
        assert_eq!("42".parse::<ApplicationId>(), Ok(ApplicationId(42)));
        assert!("99999999999999999999".parse::<UserId>().is_err());
        assert!("x".parse::<UserId>().is_err());
        assert_eq!(serde_json::to_string(&UserId(3)).unwrap(), "3");
        assert_eq!(
            serde_json::from_str::<ApplicationId>("5").unwrap(),
            ApplicationId(5)
        );
    }
}
