//! argon2id password hashes, computed on a few threads of their own.
//!
//! Each hash needs 19 MiB of working memory (argon2's recommended
//! strength). Computed on the async runtime's blocking pool, every request
//! that hashes at once took its own 19 MiB from a different allocator
//! arena, and a burst of registrations drove the server past 700 MiB.
//! Here at most one hash per core (and two in all) runs at a time, each hashing thread
//! keeps its working memory for the next hash, and the rest wait in a
//! queue: memory stays bounded by the number of cores, whatever the load,
//! with the same strength.

use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};

use argon2::password_hash::{rand_core::OsRng, Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// A hash of a throwaway password, verified when an email is unknown so that
/// a wrong email costs the same time as a wrong password.
static DUMMY_HASH: OnceLock<String> = OnceLock::new();

/// Work for a hashing thread: it gets the thread's working memory.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// The hashing threads, started at the first hash.
static QUEUE: OnceLock<mpsc::Sender<Job>> = OnceLock::new();

/// The most hashes that run at once, whatever the number of cores: two
/// keep a burst of logins quick (about 40 a second) and the server's
/// memory under 100 MiB (2 × 19 MiB beside everything else).
pub const MAX_AT_ONCE: usize = 2;

/// How many hashes may run at once: one per core, at most [`MAX_AT_ONCE`].
pub fn concurrency() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_AT_ONCE)
}

fn queue() -> &'static mpsc::Sender<Job> {
    QUEUE.get_or_init(|| {
        let (send, receive) = mpsc::channel::<Job>();
        let receive = Arc::new(Mutex::new(receive));
        for i in 0..concurrency() {
            let receive = Arc::clone(&receive);
            let spawned = std::thread::Builder::new()
                .name(format!("password-hash-{i}"))
                .spawn(move || {
                    let mut memory: Vec<Block> = Vec::new();
                    loop {
                        // The lock is held only while waiting for the next job.
                        let job = match receive.lock() {
                            Ok(r) => r.recv(),
                            Err(poisoned) => poisoned.into_inner().recv(),
                        };
                        match job {
                            Ok(job) => job(&mut memory),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!("cannot start a password-hashing thread: {e}");
            }
        }
        send
    })
}

/// Runs `work` on a hashing thread, after those queued before it.
async fn on_hashing_thread<T: Send + 'static>(
    work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
) -> anyhow::Result<T> {
    let (reply, answer) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move |memory| {
        let _ = reply.send(work(memory));
    });
    queue()
        .send(job)
        .map_err(|_| anyhow::anyhow!("the password-hashing threads have stopped"))?;
    answer
        .await
        .map_err(|_| anyhow::anyhow!("a password-hashing thread stopped mid-hash"))
}

/// The argon2 output of `password` with `salt`, computed in `memory`
/// (grown to what `params` needs and kept for the next hash).
fn compute(
    argon: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: &[u8],
    memory: &mut Vec<Block>,
) -> anyhow::Result<Output> {
    let blocks = params.block_count();
    if memory.len() != blocks {
        memory.clear();
        memory.shrink_to_fit();
        memory.resize(blocks, Block::default());
    }
    let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    Output::init_with(len, |out| {
        argon
            .hash_password_into_with_memory(password, salt, out, &mut memory[..])
            .map_err(|_| argon2::password_hash::Error::Password)
    })
    .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// Hashes a password with argon2id (default strength) and a random salt
/// (PHC string).
pub async fn hash(password: &str) -> anyhow::Result<String> {
    let password = password.to_owned();
    on_hashing_thread(move |memory| {
        let salt = SaltString::generate(&mut OsRng);
        let params = Params::default();
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let mut raw = [0u8; 64];
        let salt_bytes = salt
            .decode_b64(&mut raw)
            .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
        let output = compute(&argon, &params, password.as_bytes(), salt_bytes, memory)?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: (&params)
                .try_into()
                .map_err(|e| anyhow::anyhow!("parameters: {e}"))?,
            salt: Some(salt.as_salt()),
            hash: Some(output),
        };
        Ok(phc.to_string())
    })
    .await?
}

/// Whether `password` matches `stored` (a PHC string). With `None` (an
/// unknown account) it spends the time of one verification and answers no.
pub async fn verify(password: &str, stored: Option<&str>) -> anyhow::Result<bool> {
    let (stored, real) = match stored {
        Some(s) => (s.to_owned(), true),
        None => (dummy_hash().await?, false),
    };
    let password = password.to_owned();
    let matches = on_hashing_thread(move |memory| {
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            anyhow::bail!("stored hash has no salt or output");
        };
        let algorithm = Algorithm::try_from(parsed.algorithm)
            .map_err(|e| anyhow::anyhow!("stored hash algorithm: {e}"))?;
        let version = parsed
            .version
            .map(Version::try_from)
            .transpose()
            .map_err(|e| anyhow::anyhow!("stored hash version: {e}"))?
            .unwrap_or_default();
        let params = Params::try_from(&parsed)
            .map_err(|e| anyhow::anyhow!("stored hash parameters: {e}"))?;
        let argon = Argon2::new(algorithm, version, params.clone());
        let mut raw = [0u8; 64];
        let salt_bytes = salt
            .decode_b64(&mut raw)
            .map_err(|e| anyhow::anyhow!("stored salt: {e}"))?;
        let output = compute(&argon, &params, password.as_bytes(), salt_bytes, memory)?;
        // `Output`'s equality is constant-time.
        anyhow::Ok(output == expected)
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
    use argon2::{PasswordHasher, PasswordVerifier};

    #[tokio::test]
    async fn hashes_verify_and_differ_by_salt() {
        let a = hash("plum-kettle-orbit-sage").await.unwrap();
        let b = hash("plum-kettle-orbit-sage").await.unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert!(verify("plum-kettle-orbit-sage", Some(&a)).await.unwrap());
        assert!(!verify("plum-kettle-orbit-sagE", Some(&a)).await.unwrap());
        assert!(!verify("a throwaway password for timing", None)
            .await
            .unwrap());
        assert!(verify("x", Some("not a hash")).await.is_err());
    }

    /// Hashes made here are what argon2's own hasher makes, and the other
    /// way round, so stored hashes keep working.
    #[tokio::test]
    async fn hashes_agree_with_argon2s_own() {
        let ours = hash("plum-kettle-orbit-sage").await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(b"plum-kettle-orbit-sage", &parsed)
            .is_ok());
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default()
            .hash_password(b"plum-kettle-orbit-sage", &salt)
            .unwrap()
            .to_string();
        assert!(verify("plum-kettle-orbit-sage", Some(&theirs))
            .await
            .unwrap());
        // Other parameters (an older, lighter hash) still verify.
        let light = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8192, 3, 1, None).unwrap(),
        )
        .hash_password(b"plum-kettle-orbit-sage", &salt)
        .unwrap()
        .to_string();
        assert!(verify("plum-kettle-orbit-sage", Some(&light))
            .await
            .unwrap());
        assert!(!verify("plum-kettle-orbit-sag", Some(&light)).await.unwrap());
    }

    /// However many hash at once, no more than one per core run together.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_more_hashes_run_at_once_than_there_are_cores() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static RUNNING: AtomicUsize = AtomicUsize::new(0);
        static MOST: AtomicUsize = AtomicUsize::new(0);
        let tasks: Vec<_> = (0..12)
            .map(|_| {
                tokio::spawn(on_hashing_thread(|_| {
                    let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
                    MOST.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    RUNNING.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let most = MOST.load(Ordering::SeqCst);
        assert!((1..=MAX_AT_ONCE).contains(&most), "{most} at once");
    }
}
