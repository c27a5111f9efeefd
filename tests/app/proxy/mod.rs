//! Running behind reverse proxies: the client address and `Secure`
//! cookies from trusted proxies only, and the whole portal behind a real
//! nginx with TLS.

mod forwarding;
mod nginx;
