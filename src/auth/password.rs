//! argon2id password hashes, computed off the async workers.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

/// A hash of a throwaway password, verified when an email is unknown so that
/// a wrong email costs the same time as a wrong password.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Hashes a password with argon2id and a random salt (PHC string).
pub async fn hash(password: &str) -> anyhow::Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
}

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// Whether `password` matches `stored` (a PHC string). With `None` (an
/// unknown account) it spends the time of one verification and answers no.
pub async fn verify(password: &str, stored: Option<&str>) -> anyhow::Result<bool> {
    let (stored, real) = match stored {
        Some(s) => (s.to_owned(), true),
        None => (dummy_hash().await?, false),
    };
    let password = password.to_owned();
    let matches = tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
        anyhow::Ok(
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
        )
    })
    .await??;
    Ok(matches && real)
}

async fn dummy_hash() -> anyhow::Result<String> {
    if let Some(h) = DUMMY_HASH.get() {
        return Ok(h.clone());
    }
    let h = hash("a throwaway password for timing").await?;
    Ok(DUMMY_HASH.get_or_init(|| h).clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_differ_by_salt() {
        let a = hash("plum-kettle-orbit-sage").await.unwrap();
        let b = hash("plum-kettle-orbit-sage").await.unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify("plum-kettle-orbit-sage", Some(&a)).await.unwrap());
        assert!(!verify("plum-kettle-orbit-sagE", Some(&a)).await.unwrap());
        assert!(!verify("a throwaway password for timing", None)
            .await
            .unwrap());
    }
}
