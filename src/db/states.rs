//! States stored as text (a stage, an outcome, a review's or a message's
//! state) read and written as the domain's enums, on both backends: a row
//! carries the enum, never the string, and a value the enum does not know
//! is a decode error rather than a silent mismatch.

use crate::domain::outbox::MailStatus;
use crate::domain::referee::RequestStatus;
use crate::domain::workflow::decision::{OfferAnswer, Outcome};
use crate::domain::workflow::review::ReviewState;
use crate::domain::workflow::stage::Stage;

/// Implements sqlx's `Type`, `Decode` and `Encode` for an enum stored in a
/// text column, through its `as_str` and `parse` (`Option<Self>`).
macro_rules! text_state {
    ($t:ty) => {
        impl sqlx::Type<sqlx::Sqlite> for $t {
            fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
                <&str as sqlx::Type<sqlx::Sqlite>>::type_info()
            }
            fn compatible(ty: &sqlx::sqlite::SqliteTypeInfo) -> bool {
                <&str as sqlx::Type<sqlx::Sqlite>>::compatible(ty)
            }
        }

        impl sqlx::Type<sqlx::Postgres> for $t {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::Type<sqlx::Postgres>>::type_info()
            }
            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $t
        where
            &'r str: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::database::HasValueRef<'r>>::ValueRef,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&'r str as sqlx::Decode<'r, DB>>::decode(value)?;
                <$t>::parse(text)
                    .ok_or_else(|| format!("unknown {} stored: {text:?}", stringify!($t)).into())
            }
        }

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $t
        where
            &'q str: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::database::HasArguments<'q>>::ArgumentBuffer,
            ) -> sqlx::encode::IsNull {
                <&'q str as sqlx::Encode<'q, DB>>::encode(self.as_str(), buf)
            }
        }
    };
}

text_state!(Stage);
text_state!(Outcome);
text_state!(OfferAnswer);
text_state!(ReviewState);
text_state!(MailStatus);
text_state!(RequestStatus);

#[cfg(test)]
mod tests {
    use super::*;

    /// Each enum reads back what it writes, on SQLite.
    #[tokio::test]
    async fn states_round_trip_through_a_text_column() {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        let stage: Stage = sqlx::query_scalar("SELECT $1")
            .bind(Stage::Committee)
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(stage, Stage::Committee);
        let answer: Option<OfferAnswer> = sqlx::query_scalar("SELECT NULL")
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(answer, None);
        let unknown = sqlx::query_scalar::<_, Outcome>("SELECT 'maybe'")
            .fetch_one(&mut c)
            .await;
        assert!(unknown.is_err());
    }
}
