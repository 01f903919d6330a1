//! When a server started from a command is ready, found without ever connecting to it.
//!
//! A probe connection is not harmless: a course server that registers every client when it
//! connects and never removes one keeps the probe as a dead client, and then announces its
//! leave (`Annonce :  a quitté la chatroom`) or crashes relaying to it in the middle of an
//! unrelated check. So readiness is read from what the server says and from the system:
//!
//! 1. its `Serving on <ip>:<port>` line ([`serving_on`]), or the course's Python form
//!    `Serving on ('127.0.0.1', 8888)` (`('::1', 8888, 0, 0)` for IPv6);
//! 2. the system's table of TCP sockets: a socket in state LISTEN on the expected port
//!    ([`listening_on`]). On Linux it is read from `/proc/net/tcp` and `/proc/net/tcp6`; on
//!    macOS and the other Unix systems from `lsof -nP -iTCP:<port> -sTCP:LISTEN` (installed
//!    with macOS); on Windows from `netstat -an -p TCP` and `-p TCPv6`, where a listening
//!    socket is the row whose remote address is `0.0.0.0:0` or `[::]:0` (its state's name is
//!    translated with the system's language, the remote address is not).
//!
//! Only where neither exists (no `lsof`, say, and no parsable line) does the server module
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
/// there is no table to read (see the module docs).
pub(super) async fn listening_on(port: u16) -> Option<Vec<IpAddr>> {
    if cfg!(target_os = "linux") {
        let v4 = std::fs::read_to_string("/proc/net/tcp").ok()?;
        let mut found = listeners(&v4, port);
        // Absent when IPv6 is disabled.
        if let Ok(v6) = std::fs::read_to_string("/proc/net/tcp6") {
            found.extend(listeners(&v6, port));
        }
        Some(found)
    } else if cfg!(windows) {
        let mut found = Vec::new();
        for family in ["TCP", "TCPv6"] {
            let table = table_of(&["netstat", "-an", "-p", family], &[0]).await?;
            found.extend(netstat_listeners(&table, port));
        }
        Some(found)
    } else {
        // lsof exits 1 when no socket matches: an empty table, not a missing one.
        let selector = format!("-iTCP:{port}");
        let table = table_of(
            &["lsof", "-nP", &selector, "-sTCP:LISTEN", "-F", "tn"],
            &[0, 1],
        )
        .await?;
        Some(lsof_listeners(&table, port))
    }
}

/// What `argv` prints when it exits with one of `ok` within 3 s; `None` when it cannot be
/// run (not installed), fails otherwise or hangs.
async fn table_of(argv: &[&str], ok: &[i32]) -> Option<String> {
    let (program, args) = argv.split_first()?;
    let run = tokio::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(std::time::Duration::from_secs(3), run)
        .await
        .ok()?
        .ok()?;
    let code = out.status.code()?;
    ok.contains(&code)
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The addresses in `lsof -F tn` output (a `t` line with the file's type, `IPv4` or `IPv6`,
/// then an `n` line with its name, `127.0.0.1:8888`, `[::1]:8888` or `*:8888` for every
/// address) that are on `port`.
fn lsof_listeners(table: &str, port: u16) -> Vec<IpAddr> {
    let mut v6 = false;
    let mut found = Vec::new();
    for line in table.lines() {
        if let Some(kind) = line.strip_prefix('t') {
            v6 = kind == "IPv6";
        } else if let Some(name) = line.strip_prefix('n') {
            // A listening socket's name has no `->` (that is a connection's).
            let Some((host, p)) = name.rsplit_once(':') else {
                continue;
            };
            if p.parse() != Ok(port) || name.contains("->") {
                continue;
            }
            let ip = match host {
                "*" if v6 => Some(IpAddr::from(Ipv6Addr::UNSPECIFIED)),
                "*" => Some(IpAddr::from(Ipv4Addr::UNSPECIFIED)),
                _ => host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse()
                    .ok(),
            };
            found.extend(ip);
        }
    }
    found
}

/// The addresses of the rows of `netstat -an` output that listen on `port`: TCP rows whose
/// remote address is `0.0.0.0:0` or `[::]:0`.
fn netstat_listeners(table: &str, port: u16) -> Vec<IpAddr> {
    table
        .lines()
        .filter_map(|row| {
            let mut fields = row.split_whitespace();
            let proto = fields.next()?;
            let local = fields.next()?;
            let remote = fields.next()?;
            if !proto.eq_ignore_ascii_case("tcp") || !matches!(remote, "0.0.0.0:0" | "[::]:0") {
                return None;
            }
            let local: SocketAddr = local.parse().ok()?;
            (local.port() == port).then_some(local.ip())
        })
        .collect()
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

    #[test]
    fn lsof_s_names_are_read_with_their_family() {
        // `lsof -nP -iTCP:8888 -sTCP:LISTEN -F tn`: p(rocess), f(ile), t(ype), n(ame).
        let table = "p4242\nf5\ntIPv4\nn127.0.0.1:8888\nf6\ntIPv6\nn[::1]:8888\n\
                     p4343\nf3\ntIPv4\nn*:8888\nf4\ntIPv6\nn*:8888\nf7\ntIPv4\nn*:88\n\
                     f8\ntIPv4\nn127.0.0.1:8888->127.0.0.1:50000\n";
        let want: Vec<IpAddr> = vec![
            [127, 0, 0, 1].into(),
            Ipv6Addr::LOCALHOST.into(),
            Ipv4Addr::UNSPECIFIED.into(),
            Ipv6Addr::UNSPECIFIED.into(),
        ];
        assert_eq!(lsof_listeners(table, 8888), want);
        assert_eq!(
            lsof_listeners(table, 88),
            vec![IpAddr::from(Ipv4Addr::UNSPECIFIED)]
        );
        assert!(lsof_listeners("", 8888).is_empty());
    }

    #[test]
    fn netstat_s_listening_rows_are_those_with_no_remote_address() {
        // `netstat -an -p TCP` then `-p TCPv6`, the state's name in the system's language.
        let table = "
Connexions actives

  Proto  Adresse locale         Adresse distante       État
  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING
  TCP    127.0.0.1:8888         0.0.0.0:0              ABHÖREN
  TCP    127.0.0.1:8888         127.0.0.1:50000        ESTABLISHED
  TCP    0.0.0.0:8889           0.0.0.0:0              LISTENING
  TCP    [::]:8888              [::]:0                 LISTENING
  TCP    [::1]:8888             [::1]:50001            ESTABLISHED
  UDP    0.0.0.0:8888           *:*
";
        let want: Vec<IpAddr> = vec![[127, 0, 0, 1].into(), Ipv6Addr::UNSPECIFIED.into()];
        assert_eq!(netstat_listeners(table, 8888), want);
        assert_eq!(
            netstat_listeners(table, 8889),
            vec![IpAddr::from([0, 0, 0, 0])]
        );
        assert!(netstat_listeners(table, 9).is_empty());
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_listener_of_this_process_is_in_the_table_and_goes_with_it() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let found = listening_on(port).await.expect("Linux has /proc/net/tcp");
        assert_eq!(reach(&found, port), addr(&format!("127.0.0.1:{port}")));
        // Connected, not listening: an accepted connection on the port is not a listener.
        let _client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        drop(listener);
        assert_eq!(listening_on(port).await, Some(vec![]));
    }

    /// The command macOS's table is read with, run where it is installed (Linux's `lsof`
    /// takes the same flags and prints the same fields).
    #[cfg(unix)]
    #[tokio::test]
    async fn lsof_finds_a_listener_of_this_process_where_it_is_installed() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let selector = format!("-iTCP:{port}");
        let argv = ["lsof", "-nP", &selector, "-sTCP:LISTEN", "-F", "tn"];
        let Some(table) = table_of(&argv, &[0, 1]).await else {
            eprintln!("no lsof on this machine: nothing to compare");
            return;
        };
        assert_eq!(
            lsof_listeners(&table, port),
            vec![IpAddr::from([127, 0, 0, 1])]
        );
        let _client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        drop(listener);
        let table = table_of(&argv, &[0, 1]).await.expect("lsof ran before");
        assert!(lsof_listeners(&table, port).is_empty(), "{table}");
    }
}
