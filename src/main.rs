//! The `fellowship-portal` binary: see `fellowship_portal::cli`.

/// Every allocation of the server goes through mimalloc (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[rocket::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    fellowship_portal::cli::main(args).await
}
