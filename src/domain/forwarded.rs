//! Who the client is when requests arrive through reverse proxies.
//!
//! A proxy appends the address it was reached from to `X-Forwarded-For`,
//! so the header is a list, oldest hop first, and everything left of what
//! a trusted proxy wrote may have been typed by the client. The list is
//! believed only when the connection comes from a trusted proxy, and then
//! read from the right: each trusted proxy vouches for the entry to its
//! left, and the first entry that is not a trusted proxy is the client.
//!
//! Pure: takes addresses and header values as parameters; imports no
//! rocket.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// One address or network (`10.0.0.0/8`, `::1`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    base: IpAddr,
    prefix: u8,
}

/// Why an entry of the trusted-proxy list cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{entry:?} is not an IP address or network such as 10.0.0.0/8 or ::1 ({why})")]
pub struct NetworkError {
    entry: String,
    why: &'static str,
}

impl FromStr for Network {
    type Err = NetworkError;

    fn from_str(s: &str) -> Result<Self, NetworkError> {
        let entry = s.trim();
        let err = |why| NetworkError {
            entry: entry.to_owned(),
            why,
        };
        let (address, prefix) = match entry.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (entry, None),
        };
        let base: IpAddr = address
            .parse()
            .map_err(|_| err("the address cannot be read"))?;
        let base = base.to_canonical();
        let bits = if base.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= bits).ok_or_else(|| {
                err(if bits == 32 {
                    "an IPv4 prefix is a number from 0 to 32"
                } else {
                    "an IPv6 prefix is a number from 0 to 128"
                })
            })?,
        };
        Ok(Self { base, prefix })
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.base, self.prefix)
    }
}

impl Network {
    /// Whether `ip` lies in this network (an IPv4 address written as
    /// IPv6, `::ffff:a.b.c.d`, counts as the IPv4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.base, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                same_prefix(&net.octets(), &ip.octets(), self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                same_prefix(&net.octets(), &ip.octets(), self.prefix)
            }
            _ => false,
        }
    }
}

/// Whether the first `prefix` bits of `a` and `b` agree.
fn same_prefix(a: &[u8], b: &[u8], prefix: u8) -> bool {
    let whole = usize::from(prefix / 8);
    let rest = prefix % 8;
    if a[..whole] != b[..whole] {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    (a[whole] & mask) == (b[whole] & mask)
}

/// The proxies whose forwarded headers are believed (empty: none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Network>);

impl TrustedProxies {
    /// Reads a list separated by commas or white space
    /// (`127.0.0.1/32, ::1`); an empty text trusts nobody.
    pub fn parse(text: &str) -> Result<Self, NetworkError> {
        Self::from_entries(text.split([',', ' ', '\t', '\n']))
    }

    /// Reads each entry as an address or network; empty entries are skipped.
    pub fn from_entries<'a>(
        entries: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, NetworkError> {
        entries
            .into_iter()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::parse)
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// Whether no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `ip` is a trusted proxy.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The networks, as configured.
    pub fn networks(&self) -> &[Network] {
        &self.0
    }
}

/// One entry of `X-Forwarded-For`: a bare address, or with a port
/// (`192.0.2.1:4711`, `[2001:db8::1]:4711`), or a bracketed IPv6 address.
/// `None` for anything else (`unknown`, an obfuscated name, garbage).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim().trim_matches('"');
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Some(rest) = entry.strip_prefix('[') {
        let (ip, after) = rest.split_once(']')?;
        let port_ok = after.is_empty()
            || after
                .strip_prefix(':')
                .is_some_and(|p| p.parse::<u16>().is_ok());
        return port_ok
            .then(|| ip.parse::<std::net::Ipv6Addr>().ok())
            .flatten()
            .map(|v6| IpAddr::V6(v6).to_canonical());
    }
    let (ip, port) = entry.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    ip.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

/// The client's address: `peer` (the address the connection came from)
/// unless `peer` is a trusted proxy, in which case the right-most entry of
/// the `X-Forwarded-For` values (`forwarded_for`, each header line as
/// sent, in order) that is not itself a trusted proxy. Entries left of it
/// are whatever the client chose to send and are never read. When the list
/// runs out, or a trusted proxy passed on something that is not an
/// address, the last trusted hop seen is the best that is known.
pub fn client_address<'a>(
    peer: IpAddr,
    forwarded_for: impl IntoIterator<Item = &'a str>,
    trusted: &TrustedProxies,
) -> IpAddr {
    let peer = peer.to_canonical();
    if !trusted.trusts(peer) {
        return peer;
    }
    let entries: Vec<&str> = forwarded_for
        .into_iter()
        .flat_map(|line| line.split(','))
        .collect();
    let mut nearest = peer;
    for entry in entries.iter().rev() {
        if entry.trim().is_empty() {
            continue;
        }
        match parse_entry(entry) {
            Some(ip) if trusted.trusts(ip) => nearest = ip,
            Some(ip) => return ip,
            None => return nearest,
        }
    }
    nearest
}

/// Whether the original request was made over HTTPS, as the trusted proxy
/// the connection comes from says in `X-Forwarded-Proto`: `None` when the
/// peer is not trusted or said nothing. Of several values (proxies that
/// append), the right-most one, written by the proxy the portal talks to.
pub fn forwarded_https<'a>(
    peer: IpAddr,
    forwarded_proto: impl IntoIterator<Item = &'a str>,
    trusted: &TrustedProxies,
) -> Option<bool> {
    if !trusted.trusts(peer) {
        return None;
    }
    let last = forwarded_proto
        .into_iter()
        .flat_map(|line| line.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .last()?;
    Some(last.eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn trusted(s: &str) -> TrustedProxies {
        TrustedProxies::parse(s).unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let proxies = trusted("10.0.0.0/8");
        assert_eq!(
            client_address(ip("203.0.113.9"), ["1.2.3.4"], &proxies),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_address(ip("203.0.113.9"), ["1.2.3.4"], &TrustedProxies::default()),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn entries_spoofed_left_of_what_the_proxy_appended_are_not_believed() {
        let proxies = trusted("127.0.0.1/32");
        // The client sent "X-Forwarded-For: 1.2.3.4, 5.6.7.8"; nginx appended its peer.
        assert_eq!(
            client_address(
                ip("127.0.0.1"),
                ["1.2.3.4, 5.6.7.8, 198.51.100.7"],
                &proxies
            ),
            ip("198.51.100.7")
        );
        // The same, with the spoofed value on a header line of its own.
        assert_eq!(
            client_address(ip("127.0.0.1"), ["1.2.3.4", "198.51.100.7"], &proxies),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn many_trusted_hops_are_walked_back_to_the_first_untrusted_one() {
        let proxies = trusted("10.0.0.0/8, 192.168.1.1");
        assert_eq!(
            client_address(
                ip("10.0.0.5"),
                ["6.6.6.6, 198.51.100.7, 192.168.1.1, 10.1.2.3, 10.0.0.9"],
                &proxies
            ),
            ip("198.51.100.7")
        );
        // Every hop trusted (a request made on the proxies' own network):
        // the left-most is the best known.
        assert_eq!(
            client_address(ip("10.0.0.5"), ["10.9.9.9, 10.0.0.9"], &proxies),
            ip("10.9.9.9")
        );
        // A trusted peer that sent no header at all is the client.
        assert_eq!(
            client_address(ip("10.0.0.5"), std::iter::empty(), &proxies),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn ipv6_hops_and_ports_are_read() {
        let proxies = trusted("::1, fd00::/8");
        assert_eq!(
            client_address(ip("::1"), ["2001:db8::1, fd00::2"], &proxies),
            ip("2001:db8::1")
        );
        assert_eq!(
            client_address(ip("::1"), ["[2001:db8::7]:4711"], &proxies),
            ip("2001:db8::7")
        );
        assert_eq!(
            client_address(ip("::1"), ["192.0.2.1:4711"], &proxies),
            ip("192.0.2.1")
        );
        // A peer on an IPv6 socket speaking for IPv4 is the IPv4 address.
        let v4 = trusted("127.0.0.1");
        assert_eq!(
            client_address(ip("::ffff:127.0.0.1"), ["192.0.2.1"], &v4),
            ip("192.0.2.1")
        );
        assert_eq!(
            client_address(ip("127.0.0.1"), ["::ffff:192.0.2.1"], &v4),
            ip("192.0.2.1")
        );
    }

    #[test]
    fn garbage_stops_the_walk_at_the_last_trusted_hop() {
        let proxies = trusted("127.0.0.1, 10.0.0.0/8");
        for garbage in [
            "unknown",
            "not an address",
            "1.2.3.4.5",
            "[::1",
            "[2001:db8::1]:99999",
            "300.1.1.1",
            "_hidden",
        ] {
            let header = format!("198.51.100.7, {garbage}, 10.0.0.9");
            assert_eq!(
                client_address(ip("127.0.0.1"), [header.as_str()], &proxies),
                ip("10.0.0.9"),
                "{garbage}"
            );
        }
        // Empty entries (a stray comma) are skipped.
        assert_eq!(
            client_address(ip("127.0.0.1"), ["198.51.100.7, ,"], &proxies),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_address(ip("127.0.0.1"), [""], &proxies),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn networks_match_by_their_prefix() {
        let n: Network = "192.168.0.0/23".parse().unwrap();
        assert!(n.contains(ip("192.168.1.200")));
        assert!(!n.contains(ip("192.168.2.1")));
        assert!(!n.contains(ip("::1")));
        let all: Network = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("8.8.8.8")));
        let v6: Network = "2001:db8:abcd::/48".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:abcd:12::1")));
        assert!(!v6.contains(ip("2001:db8:abce::1")));
        let one: Network = "::1".parse().unwrap();
        assert!(one.contains(ip("::1")));
        assert!(!one.contains(ip("::2")));
    }

    #[test]
    fn a_bad_trusted_proxy_entry_is_named_in_words() {
        for (bad, words) in [
            ("10.0.0.0/33", "an IPv4 prefix is a number from 0 to 32"),
            ("fd00::/129", "an IPv6 prefix is a number from 0 to 128"),
            ("proxy.example.org", "the address cannot be read"),
            ("10.0.0.0/x", "an IPv4 prefix"),
        ] {
            let e = TrustedProxies::parse(&format!("127.0.0.1, {bad}")).unwrap_err();
            let text = e.to_string();
            assert!(text.contains(bad) && text.contains(words), "{text}");
        }
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        assert_eq!(
            TrustedProxies::parse("127.0.0.1/32,::1")
                .unwrap()
                .networks()
                .len(),
            2
        );
    }

    #[test]
    fn the_protocol_is_believed_only_from_a_trusted_peer() {
        let proxies = trusted("127.0.0.1");
        assert_eq!(
            forwarded_https(ip("127.0.0.1"), ["https"], &proxies),
            Some(true)
        );
        assert_eq!(
            forwarded_https(ip("127.0.0.1"), ["HTTP"], &proxies),
            Some(false)
        );
        assert_eq!(
            forwarded_https(ip("127.0.0.1"), ["http, https"], &proxies),
            Some(true)
        );
        assert_eq!(
            forwarded_https(ip("127.0.0.1"), std::iter::empty(), &proxies),
            None
        );
        assert_eq!(
            forwarded_https(ip("203.0.113.9"), ["https"], &proxies),
            None
        );
    }

    proptest::proptest! {
        /// Whatever a client writes into the header, only the entry the
        /// trusted proxy appended after it is believed.
        #[test]
        fn nothing_a_client_writes_is_believed(
            spoofed in proptest::collection::vec(".{0,40}", 0..6),
            client in proptest::prelude::any::<[u8; 4]>(),
        ) {
            let client = IpAddr::from(client);
            let proxies = trusted("127.0.0.1");
            proptest::prop_assume!(!proxies.trusts(client));
            let mut header = spoofed.join(", ");
            header.push_str(&format!(", {client}"));
            proptest::prop_assert_eq!(
                client_address(ip("127.0.0.1"), [header.as_str()], &proxies),
                client
            );
        }
    }
}
