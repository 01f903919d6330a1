//! When a server started from a command is ready, found without ever connecting to it.
//!
//! A probe connection is not harmless: a course server that registers every client when it
//! connects and never removes one keeps the probe as a dead client, and then announces its
//! leave (`Annonce :  a quitté la chatroom`) or crashes relaying to it in the middle of an
//! unrelated check. So readiness is read from what the server says and from the system:
//!
//! 1. its `Serving on <ip>:<port>` line ([`serving_on`]), or the course's Python form
//!    `Serving on ('127.0.0.1', 8888)` (`('::1', 8888, 0, 0)` for IPv6);
//! 2. on Linux, the system's table of TCP sockets (`/proc/net/tcp`, `/proc/net/tcp6`): a
//!    socket in state LISTEN on the expected port ([`listening_on`]).
//!
//! Only where neither exists (another system, and no parsable line) does the server module
//! fall back to connecting.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The address of a `Serving on …` line, in any of the forms of the module docs; an
/// unspecified address (`0.0.0.0`, `::`) is given as the loopback of its family.
pub(super) fn serving_on(line: &str) -> Option<SocketAddr> {
    let (_, rest) = line.split_once("Serving on ")?;
    let rest = rest.trim();
    let addr = if let Some(tuple) = rest.strip_prefix('(') {
        // Python's socket address: `('127.0.0.1', 8888)` or `('::1', 8888, 0, 0)`.
        let (inside, _) = tuple.split_once(')')?;
        let mut fields = inside.split(',').map(str::trim);
        let ip = fields.next()?;
        let ip = ip
            .strip_prefix('\'')
            .and_then(|i| i.strip_suffix('\''))
            .or_else(|| ip.strip_prefix('"').and_then(|i| i.strip_suffix('"')))?;
        let port = fields.next()?.parse().ok()?;
        SocketAddr::new(ip.parse().ok()?, port)
    } else {
        let token = rest.split_whitespace().next()?;
        token.trim_end_matches(['.', ',', ';']).parse().ok()?
    };
    Some(connectable(addr))
}

/// Where to connect to reach a server listening on `addr`.
fn connectable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => (Ipv4Addr::LOCALHOST, addr.port()).into(),
        IpAddr::V6(ip) if ip.is_unspecified() => (Ipv6Addr::LOCALHOST, addr.port()).into(),
        _ => addr,
    }
}

/// The addresses listening on `port` according to the system's socket table; `None` where
/// there is no such table to read (not Linux, or no `/proc`).
pub(super) fn listening_on(port: u16) -> Option<Vec<IpAddr>> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let v4 = std::fs::read_to_string("/proc/net/tcp").ok()?;
    let mut found = listeners(&v4, port);
    // Absent when IPv6 is disabled.
    if let Ok(v6) = std::fs::read_to_string("/proc/net/tcp6") {
        found.extend(listeners(&v6, port));
    }
    Some(found)
}

/// Where to connect to reach a server listening on these addresses of `port`: loopback
/// IPv4 when the server listens on it or on every address (the address `{port}` promises),
/// otherwise the first address it listens on.
pub(super) fn reach(listening: &[IpAddr], port: u16) -> Option<SocketAddr> {
    let v4 = |ip: &IpAddr| match ip {
        IpAddr::V4(v4) => Some(*v4),
        IpAddr::V6(v6) => v6.to_ipv4_mapped(),
    };
    let loopback_v4 = listening.iter().find_map(|ip| {
        let wide = ip.is_unspecified() || v4(ip).is_some_and(|v| v.is_unspecified());
        let local = v4(ip).filter(Ipv4Addr::is_loopback);
        local.or(wide.then_some(Ipv4Addr::LOCALHOST))
    });
    match loopback_v4 {
        Some(ip) => Some((ip, port).into()),
        None => listening
            .first()
            .map(|&ip| SocketAddr::new(v4(&ip).map_or(ip, IpAddr::V4), port)),
    }
}

/// The local addresses of the sockets in state LISTEN (`0A`) on `port` in one table
/// (`/proc/net/tcp` or `tcp6`). An address is printed in hex as 32-bit words in the
/// machine's byte order, the port in hex as a number.
fn listeners(table: &str, port: u16) -> Vec<IpAddr> {
    table
        .lines()
        .skip(1)
        .filter_map(|row| {
            let mut fields = row.split_whitespace();
            let local = fields.nth(1)?;
            let state = fields.nth(1)?;
            let (ip, p) = local.split_once(':')?;
            if state != "0A" || u16::from_str_radix(p, 16).ok()? != port {
                return None;
            }
            parse_ip(ip)
        })
        .collect()
}

fn parse_ip(hex: &str) -> Option<IpAddr> {
    let mut bytes = Vec::with_capacity(16);
    for word in 0..hex.len() / 8 {
        let word = u32::from_str_radix(hex.get(word * 8..word * 8 + 8)?, 16).ok()?;
        bytes.extend_from_slice(&word.to_ne_bytes());
    }
    match bytes.len() {
        4 => Some(IpAddr::from(<[u8; 4]>::try_from(bytes).ok()?)),
        16 => Some(IpAddr::from(<[u8; 16]>::try_from(bytes).ok()?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> Option<SocketAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn every_form_of_serving_on_is_read() {
        for (line, want) in [
            ("Serving on 127.0.0.1:8888", "127.0.0.1:8888"),
            ("Serving on [::1]:4000", "[::1]:4000"),
            ("Serving on ('127.0.0.1', 8888)", "127.0.0.1:8888"),
            ("Serving on ('::1', 8888, 0, 0)", "[::1]:8888"),
            ("Serving on (\"127.0.0.1\", 9)", "127.0.0.1:9"),
            ("INFO:root:Serving on ('0.0.0.0', 8888)", "127.0.0.1:8888"),
            ("Serving on 0.0.0.0:8888.", "127.0.0.1:8888"),
            ("Serving on ('::', 8888, 0, 0)", "[::1]:8888"),
            (
                "  Serving on 127.0.0.1:5000 (Ctrl-C to stop)",
                "127.0.0.1:5000",
            ),
        ] {
            assert_eq!(serving_on(line), addr(want), "{line}");
        }
        for line in [
            "Serving on [<socket>]",
            "Serving on ('localhost', 8888)",
            "Serving on 127.0.0.1",
            "Serving on ('127.0.0.1', 99999)",
            "serving on 127.0.0.1:8888",
            "Listening on 127.0.0.1:8888",
        ] {
            assert_eq!(serving_on(line), None, "{line}");
        }
    }

    /// Rows as Linux prints them, addresses in this machine's byte order.
    fn row(ip: &[u8], port: u16, state: &str) -> String {
        let hex: String = ip
            .chunks(4)
            .map(|w| format!("{:08X}", u32::from_ne_bytes(w.try_into().unwrap())))
            .collect();
        format!(
            "   0: {hex}:{port:04X} {}:0000 {state} 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0",
            "0".repeat(hex.len())
        )
    }

    #[test]
    fn only_listening_sockets_on_the_port_count() {
        let header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
        let table = [
            header.to_string(),
            row(&[127, 0, 0, 1], 8888, "0A"),
            row(&[127, 0, 0, 1], 8888, "01"),
            row(&[0, 0, 0, 0], 8889, "0A"),
            row(&[10, 1, 2, 3], 8888, "0A"),
        ]
        .join("\n");
        let ips: Vec<IpAddr> = vec![[127, 0, 0, 1].into(), [10, 1, 2, 3].into()];
        assert_eq!(listeners(&table, 8888), ips);
        assert_eq!(listeners(&table, 8889), vec![IpAddr::from([0, 0, 0, 0])]);
        assert!(listeners(&table, 8890).is_empty());

        let v6 = [
            header.to_string(),
            row(&Ipv6Addr::LOCALHOST.octets(), 8888, "0A"),
        ]
        .join("\n");
        assert_eq!(
            listeners(&v6, 8888),
            vec![IpAddr::from(Ipv6Addr::LOCALHOST)]
        );
    }

    #[test]
    fn the_address_to_reach_prefers_loopback_ipv4() {
        let any4 = IpAddr::from([0, 0, 0, 0]);
        let any6 = IpAddr::from(Ipv6Addr::UNSPECIFIED);
        let lo6 = IpAddr::from(Ipv6Addr::LOCALHOST);
        let lan = IpAddr::from([10, 1, 2, 3]);
        let mapped = IpAddr::from(Ipv4Addr::new(127, 0, 0, 2).to_ipv6_mapped());
        assert_eq!(reach(&[any4], 7), addr("127.0.0.1:7"));
        assert_eq!(reach(&[any6], 7), addr("127.0.0.1:7"));
        assert_eq!(reach(&[lo6, any4], 7), addr("127.0.0.1:7"));
        assert_eq!(reach(&[lo6], 7), addr("[::1]:7"));
        assert_eq!(reach(&[lan], 7), addr("10.1.2.3:7"));
        assert_eq!(reach(&[mapped], 7), addr("127.0.0.2:7"));
        assert_eq!(reach(&[], 7), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_listener_of_this_process_is_in_the_table_and_goes_with_it() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let found = listening_on(port).expect("Linux has /proc/net/tcp");
        assert_eq!(reach(&found, port), addr(&format!("127.0.0.1:{port}")));
        // Connected, not listening: an accepted connection on the port is not a listener.
        let _client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        drop(listener);
        assert_eq!(listening_on(port), Some(vec![]));
    }
}
