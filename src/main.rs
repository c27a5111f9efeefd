//! The `fellowship-portal` binary: see `fellowship_portal::cli`.

#[rocket::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    fellowship_portal::cli::main(args).await
}
