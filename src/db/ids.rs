//! Ids read and written as the domain's newtypes, on both backends: a row
//! carries a `UserId`, `ApplicationId`, `CycleId`, `ProgramId` or
//! `DocumentId`, stored as the integer (BIGINT) column it always was.

use crate::domain::application::ApplicationId;
use crate::domain::cycle::CycleId;
use crate::domain::document::DocumentId;
use crate::domain::invitation::InvitationId;
use crate::domain::program::ProgramId;
use crate::domain::user::UserId;

/// Implements sqlx's `Type`, `Decode` and `Encode` for a newtype over
/// `i64` stored in an integer column.
macro_rules! int_id {
    ($t:ident) => {
        impl sqlx::Type<sqlx::Sqlite> for $t {
            fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
                <i64 as sqlx::Type<sqlx::Sqlite>>::type_info()
            }
            fn compatible(ty: &sqlx::sqlite::SqliteTypeInfo) -> bool {
                <i64 as sqlx::Type<sqlx::Sqlite>>::compatible(ty)
            }
        }

        impl sqlx::Type<sqlx::Postgres> for $t {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <i64 as sqlx::Type<sqlx::Postgres>>::type_info()
            }
            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <i64 as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        impl sqlx::postgres::PgHasArrayType for $t {
            fn array_type_info() -> sqlx::postgres::PgTypeInfo {
                <i64 as sqlx::postgres::PgHasArrayType>::array_type_info()
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $t
        where
            i64: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::database::HasValueRef<'r>>::ValueRef,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                <i64 as sqlx::Decode<'r, DB>>::decode(value).map($t)
            }
        }

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $t
        where
            i64: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::database::HasArguments<'q>>::ArgumentBuffer,
            ) -> sqlx::encode::IsNull {
                <i64 as sqlx::Encode<'q, DB>>::encode(self.0, buf)
            }

            fn size_hint(&self) -> usize {
                <i64 as sqlx::Encode<'q, DB>>::size_hint(&self.0)
            }
        }
    };
}

int_id!(UserId);
int_id!(ApplicationId);
int_id!(CycleId);
int_id!(ProgramId);
int_id!(DocumentId);
int_id!(InvitationId);

#[cfg(test)]
mod tests {
    use super::*;

    /// Each id reads back what it writes, on SQLite.
    #[tokio::test]
    async fn ids_round_trip_through_an_integer_column() {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        let user: UserId = sqlx::query_scalar("SELECT $1")
            .bind(UserId(7))
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(user, UserId(7));
        let app: ApplicationId = sqlx::query_scalar("SELECT $1")
            .bind(ApplicationId(9))
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(app, ApplicationId(9));
    }
}
