//! Settings tests: the four exit codes from the command line and from a file, the command
//! line winning key by key, every malformed file named by `FILE:LINE`, and no input that
//! panics.

use super::*;
use proptest::prelude::*;
use std::io::Write;
use std::net::{Ipv4Addr, Ipv6Addr};
use tempfile::NamedTempFile;

const SERVER: &[&str] = &["HOST", "PORT", "LOG_FILE"];

fn flag(flag: &'static str, value: &str) -> Sourced {
    let value = value.to_owned();
    let origin = Origin::Flag(flag);
    Sourced { value, origin }
}

fn conf(content: impl AsRef<[u8]>) -> NamedTempFile {
    let mut file = NamedTempFile::new().expect("temp file");
    file.write_all(content.as_ref()).expect("write temp file");
    file.flush().expect("flush temp file");
    file
}

fn load(file: &NamedTempFile) -> Result<Layers, SettingsError> {
    Layers::load(Some(file.path()), SERVER)
}

/// The error of loading `content`, which must be refused.
fn load_error(content: impl AsRef<[u8]>) -> (NamedTempFile, SettingsError) {
    let file = conf(content);
    let error = load(&file).expect_err("the file must be refused");
    (file, error)
}

fn value(layers: &Layers, key: &str) -> Sourced {
    layers.get(key).cloned().expect("a value for the key")
}

fn at(file: &NamedTempFile, line: usize) -> String {
    format!("{}:{line}", file.path().display())
}

#[test]
fn port_from_a_flag_gives_exit_codes_1_and_2() {
    let error = port(&flag("--port", "70000")).unwrap_err();
    assert_eq!(error.exit_code(), 1);
    assert_eq!(
        error.to_string(),
        "invalid port \"70000\" (from --port): must be a number from 0 to 65535"
    );
    let error = port(&flag("-p", "80")).unwrap_err();
    assert_eq!(error.exit_code(), 2);
    assert_eq!(
        error.to_string(),
        "invalid port \"80\" (from -p): ports 1-1023 are reserved for the system; use 0 or 1024-65535"
    );
}

#[test]
fn address_from_a_flag_gives_exit_codes_3_and_4() {
    let error = address(&flag("--address", "999.1.1.1"), false).unwrap_err();
    assert_eq!(error.exit_code(), 3);
    assert_eq!(
        error.to_string(),
        "invalid address \"999.1.1.1\" (from --address): not an IP address"
    );
    // TEST-NET-3 (RFC 5737): documentation only, no machine has it.
    let error = address(&flag("--address", "203.0.113.7"), true).unwrap_err();
    assert_eq!(error.exit_code(), 4);
    assert!(
        error
            .to_string()
            .starts_with("invalid address \"203.0.113.7\" (from --address): "),
        "{error}"
    );
    // The client does not bind the address, so any IP will do.
    let ip = address(&flag("--address", "203.0.113.7"), false).unwrap();
    assert_eq!(ip, IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7)));
}

#[test]
fn the_same_values_from_a_file_name_their_line() {
    let file = conf("# server\n\nPORT=70000\nHOST=999.1.1.1\n");
    let layers = load(&file).unwrap();
    let error = port(&value(&layers, "PORT")).unwrap_err();
    assert_eq!(error.exit_code(), 1);
    assert_eq!(
        error.to_string(),
        format!(
            "invalid port \"70000\" (from {}): must be a number from 0 to 65535",
            at(&file, 3)
        )
    );
    let error = address(&value(&layers, "HOST"), true).unwrap_err();
    assert_eq!(error.exit_code(), 3);
    assert_eq!(
        error.to_string(),
        format!(
            "invalid address \"999.1.1.1\" (from {}): not an IP address",
            at(&file, 4)
        )
    );

    let file = conf("HOST=203.0.113.7\nPORT=80\n");
    let layers = load(&file).unwrap();
    let error = port(&value(&layers, "PORT")).unwrap_err();
    assert_eq!(error.exit_code(), 2);
    assert!(error.to_string().contains(&at(&file, 2)), "{error}");
    let error = address(&value(&layers, "HOST"), true).unwrap_err();
    assert_eq!(error.exit_code(), 4);
    assert!(error.to_string().contains(&at(&file, 1)), "{error}");
}

#[test]
fn the_command_line_wins_key_by_key() {
    let file = conf("HOST=127.0.0.1\nPORT=9000\n");
    let mut layers = load(&file).unwrap();
    layers.set_flag("PORT", "--port", Some("9001".to_owned()));
    layers.set_flag("HOST", "--address", None);
    layers.set_default("HOST", "0.0.0.0");
    layers.set_default("PORT", "8888");
    layers.set_default("LOG_FILE", "chat.log");

    let host = value(&layers, "HOST");
    assert_eq!(host.value, "127.0.0.1");
    assert_eq!(host.origin.to_string(), at(&file, 1));
    assert_eq!(address(&host, true).unwrap(), Ipv4Addr::LOCALHOST);

    let port_value = value(&layers, "PORT");
    assert_eq!(port_value, flag("--port", "9001"));
    assert_eq!(port(&port_value).unwrap(), 9001);

    let log = value(&layers, "LOG_FILE");
    assert_eq!(log.origin, Origin::Default);
    assert_eq!(log.origin.to_string(), "default");
    assert_eq!(log.value, "chat.log");

    assert_eq!(layers.get("PSEUDO"), None);
}

#[test]
fn a_default_set_last_hides_neither_the_file_nor_the_command_line() {
    let file = conf("PORT=9000\nHOST=::1\n");
    let mut layers = load(&file).unwrap();
    layers.set_flag("PORT", "--port", Some("9001".to_owned()));
    layers.set_default("PORT", "8888");
    layers.set_default("HOST", "0.0.0.0");
    assert_eq!(value(&layers, "PORT"), flag("--port", "9001"));
    assert_eq!(value(&layers, "HOST").origin.to_string(), at(&file, 2));
}

#[test]
fn no_file_leaves_flags_and_defaults() {
    let mut layers = Layers::load(None, SERVER).unwrap();
    assert_eq!(layers.get("PORT"), None);
    layers.set_default("PORT", "8888");
    assert_eq!(value(&layers, "PORT").origin, Origin::Default);
    layers.set_flag("PORT", "-p", Some("0".to_owned()));
    assert_eq!(value(&layers, "PORT").origin, Origin::Flag("-p"));
}

#[test]
fn comments_blank_lines_and_spaces_are_ignored() {
    let file = conf(
        "\u{feff}# a comment\r\n   \t \r\n  # an indented comment = with an equals sign\n\n  \
         HOST  =  ::1  \r\nLOG_FILE=/tmp/a=b.log\nPORT=0",
    );
    let layers = load(&file).unwrap();
    let host = value(&layers, "HOST");
    assert_eq!(host.value, "::1");
    assert_eq!(host.origin.to_string(), at(&file, 5));
    assert_eq!(address(&host, true).unwrap(), Ipv6Addr::LOCALHOST);
    assert_eq!(value(&layers, "LOG_FILE").value, "/tmp/a=b.log");
    let port_value = value(&layers, "PORT");
    assert_eq!(port_value.origin.to_string(), at(&file, 7));
    assert_eq!(port(&port_value).unwrap(), 0);
}

#[test]
fn an_empty_file_sets_nothing() {
    for content in ["", "\n\n", "# nothing\n"] {
        let layers = load(&conf(content)).unwrap();
        assert!(SERVER.iter().all(|key| layers.get(key).is_none()));
    }
}

#[test]
fn an_unknown_key_is_named_with_its_line_and_the_known_keys() {
    let (file, error) = load_error("HOST=127.0.0.1\n\nPORT=9000\nCOLOR=red\n");
    assert_eq!(error.exit_code(), 1);
    assert_eq!(
        error.to_string(),
        format!(
            "{}: unknown key \"COLOR\" (known keys: HOST, PORT, LOG_FILE)",
            at(&file, 4)
        )
    );
    // Keys are upper-case, as the course writes them.
    let (file, error) = load_error("port=9000\n");
    assert!(matches!(error, SettingsError::UnknownKey { line: 1, .. }));
    assert!(error.to_string().starts_with(&at(&file, 1)), "{error}");
    // A key of the client is unknown to the server.
    let (_, error) = load_error("PSEUDO=alice\n");
    assert!(matches!(error, SettingsError::UnknownKey { .. }));
    let layers = Layers::load(Some(conf("PSEUDO=alice\n").path()), &["PSEUDO"]).unwrap();
    assert_eq!(value(&layers, "PSEUDO").value, "alice");
}

#[test]
fn malformed_lines_are_named_by_file_and_line() {
    let cases: [(&[u8], usize, &str); 6] = [
        (b"HOST=::1\nPORT 9000\n", 2, "no '='"),
        (b"# c\n=9000\n", 2, "no key before '='"),
        (b"HOST=::1\nPORT=\n", 2, "empty value for \"PORT\""),
        (b"PORT=  \t\n", 1, "empty value for \"PORT\""),
        (
            b"PORT=9000\nHOST=::1\nPORT=9001\n",
            3,
            "\"PORT\" is set twice (first on line 1)",
        ),
        (b"HOST=::1\n# ok\nPORT=9\xff000\n", 3, "not UTF-8"),
    ];
    for (content, line, reason) in cases {
        let (file, error) = load_error(content);
        assert_eq!(error.exit_code(), 1, "{error}");
        let message = error.to_string();
        assert!(
            message.starts_with(&format!("{}: ", at(&file, line))),
            "{message}"
        );
        assert!(message.contains(reason), "{message}");
    }
}

#[test]
fn the_first_bad_line_is_the_one_reported() {
    let (file, error) = load_error(b"HOST=::1\nBAD\n\xc3\x28\nCOLOR=red\n");
    assert!(matches!(
        error,
        SettingsError::MissingEquals { line: 2, .. }
    ));
    assert!(error.to_string().starts_with(&at(&file, 2)));
}

#[test]
fn an_unreadable_file_names_the_file_and_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.conf");
    let error = Layers::load(Some(&missing), SERVER).unwrap_err();
    assert_eq!(error.exit_code(), 1);
    let message = error.to_string();
    let expected = format!("cannot read config file {}: ", missing.display());
    assert!(message.starts_with(&expected), "{message}");
    assert!(message.len() > expected.len(), "no reason given: {message}");

    // A directory opens on Unix and fails on read; either way it is refused with exit 1.
    let error = Layers::load(Some(dir.path()), SERVER).unwrap_err();
    assert_eq!(error.exit_code(), 1);
    assert!(matches!(error, SettingsError::Unreadable { .. }), "{error}");
}

#[test]
fn a_file_over_the_limit_is_refused_and_one_at_the_limit_is_read() {
    let limit = usize::try_from(MAX_FILE_BYTES).unwrap();
    let mut content = b"PORT=9000\n".to_vec();
    content.resize(limit, b'\n');
    let layers = load(&conf(&content)).unwrap();
    assert_eq!(value(&layers, "PORT").value, "9000");

    content.push(b'\n');
    let (file, error) = load_error(&content);
    assert_eq!(error.exit_code(), 1);
    assert!(matches!(error, SettingsError::TooLarge { .. }));
    assert!(
        error
            .to_string()
            .contains(&file.path().display().to_string())
    );
}

#[test]
fn ports_at_the_edges() {
    for (text, expected) in [("0", 0), ("65535", 65535), ("1024", 1024), (" 8080 ", 8080)] {
        assert_eq!(port(&flag("--port", text)).unwrap(), expected, "{text:?}");
    }
    assert_eq!(port(&flag("--port", "00080")).unwrap_err().exit_code(), 2);
    for text in ["1", "1023", "22"] {
        assert_eq!(
            port(&flag("--port", text)).unwrap_err().exit_code(),
            2,
            "{text:?}"
        );
    }
    for text in [
        "65536",
        "+80",
        "0x50",
        "-1",
        "",
        " ",
        "8888a",
        "8 888",
        "99999999999999999999",
        "123456789012345678901234567890123456789012345678901234567890",
        "٨٠٨٠",
        "8080.0",
    ] {
        let error = port(&flag("--port", text)).unwrap_err();
        assert_eq!(error.exit_code(), 1, "{text:?}");
        assert!(matches!(error, SettingsError::PortNotNumber { .. }));
    }
}

#[test]
fn unspecified_and_loopback_addresses_are_local() {
    for text in [
        "0.0.0.0",
        "::",
        "127.0.0.1",
        "::1",
        " 127.0.0.1 ",
        "::ffff:127.0.0.1",
    ] {
        let ip = address(&flag("--address", text), true);
        assert!(ip.is_ok(), "{text:?}: {}", ip.unwrap_err());
    }
}

#[test]
fn an_address_of_an_interface_is_local() {
    for ip in local_addresses().expect("the interfaces can be read") {
        let text = ip.to_string();
        assert_eq!(address(&flag("--address", &text), true).unwrap(), ip);
    }
}

#[test]
fn not_ip_addresses_give_exit_3() {
    for text in [
        "",
        "localhost",
        "999.1.1.1",
        "1.2.3",
        "[::1]",
        "127.0.0.1:80",
        "::g",
    ] {
        for must_be_local in [false, true] {
            let error = address(&flag("-a", text), must_be_local).unwrap_err();
            assert_eq!(error.exit_code(), 3, "{text:?}");
        }
    }
}

#[test]
fn a_foreign_address_names_the_machines_addresses() {
    let ip: IpAddr = "203.0.113.7".parse().unwrap();
    let value = flag("--address", "203.0.113.7");
    let machine = || {
        Ok(vec![
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5)),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
        ])
    };
    let error = check_local(ip, &value, machine).unwrap_err();
    assert_eq!(error.exit_code(), 4);
    assert_eq!(
        error.to_string(),
        "invalid address \"203.0.113.7\" (from --address): not an address of this machine \
         (it has 127.0.0.1, 10.0.0.5, ::1)"
    );
    assert!(check_local("10.0.0.5".parse().unwrap(), &value, machine).is_ok());
    assert!(check_local("::ffff:10.0.0.5".parse().unwrap(), &value, machine).is_ok());
}

#[test]
fn unreadable_interfaces_do_not_let_an_address_through() {
    let value = flag("--address", "10.0.0.5");
    let broken = || Err(io::Error::other("netlink said no"));
    let error = check_local("10.0.0.5".parse().unwrap(), &value, broken).unwrap_err();
    assert_eq!(error.exit_code(), 4);
    let message = error.to_string();
    assert!(message.contains("(from --address)"), "{message}");
    assert!(message.contains("netlink said no"), "{message}");
    // The addresses every machine has need no lookup.
    for text in ["0.0.0.0", "::", "127.0.0.1", "::1"] {
        assert!(
            check_local(text.parse().unwrap(), &value, broken).is_ok(),
            "{text}"
        );
    }
}

#[test]
fn untrusted_text_is_escaped_in_messages() {
    let error = port(&flag("--port", "\u{1b}[2J80\u{202e}")).unwrap_err();
    let message = error.to_string();
    assert!(!message.contains('\u{1b}'), "{message:?}");
    assert!(!message.contains('\u{202e}'), "{message:?}");

    let (_, error) = load_error("\u{1b}]0;pwned\u{7}=1\n");
    let message = error.to_string();
    assert!(!message.chars().any(char::is_control), "{message:?}");
}

#[test]
fn origins_display_as_the_user_would_look_for_them() {
    let file = Origin::File {
        path: PathBuf::from("/etc/x.conf"),
        line: 3,
    };
    assert_eq!(file.to_string(), "/etc/x.conf:3");
    assert_eq!(Origin::Flag("--port").to_string(), "--port");
    assert_eq!(Origin::Default.to_string(), "default");
}

/// Lines made of the characters that matter to the parser, so that random files reach
/// every branch rather than stopping at the first line.
fn config_like() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        "[ \t#=\r]{0,3}(HOST|PORT|LOG_FILE|COLOR|)[ \t]{0,2}=?[ \t]{0,2}[0-9a-z.:=#]{0,6}",
        "[ -~\t\r]{0,12}",
    ];
    let lines = prop::collection::vec(line, 0..8);
    (lines, any::<Option<(usize, u8)>>()).prop_map(|(lines, corrupt)| {
        let mut bytes = lines.join("\n").into_bytes();
        if let Some((at, byte)) = corrupt
            && !bytes.is_empty()
        {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        bytes
    })
}

/// Checks what a file that loaded or failed must satisfy.
fn check_outcome(result: Result<BTreeMap<&'static str, Sourced>, SettingsError>) {
    match result {
        Ok(values) => {
            for (key, sourced) in values {
                assert!(SERVER.contains(&key));
                assert!(!sourced.value.is_empty());
                assert_eq!(sourced.value.trim(), sourced.value);
                assert!(matches!(sourced.origin, Origin::File { line, .. } if line >= 1));
            }
        }
        Err(error) => {
            assert_eq!(error.exit_code(), 1);
            assert!(error.to_string().starts_with("any.conf:"), "{error}");
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        check_outcome(parse(Path::new("any.conf"), &bytes, SERVER));
    }

    #[test]
    fn config_like_files_never_panic(bytes in config_like()) {
        check_outcome(parse(Path::new("any.conf"), &bytes, SERVER));
    }

    #[test]
    fn arbitrary_bytes_load_from_a_file(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let file = conf(&bytes);
        if let Err(error) = load(&file) {
            prop_assert_eq!(error.exit_code(), 1);
        }
    }

    #[test]
    fn ports_agree_with_u16_parsing_on_digits(
        text in prop_oneof![any::<String>(), "[ +-]?[0-9]{0,7}[ a]?", "0*[0-9]{1,5}"],
    ) {
        let trimmed = text.trim();
        let digits = !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit());
        match port(&flag("--port", &text)) {
            Ok(number) => {
                prop_assert!(digits);
                prop_assert_eq!(trimmed.parse::<u16>(), Ok(number));
                prop_assert!(number == 0 || number >= 1024);
            }
            Err(error) => {
                let code = error.exit_code();
                match trimmed.parse::<u16>() {
                    Ok(n) if digits => {
                        prop_assert!((1..1024).contains(&n));
                        prop_assert_eq!(code, 2);
                    }
                    _ => prop_assert_eq!(code, 1),
                }
            }
        }
    }
}

#[test]
fn a_number_out_of_range_is_a_usage_error_from_a_flag_and_a_setting_error_from_the_file() {
    let ok = number(&flag("--art-width", "200"), "art width", 1, 200);
    assert_eq!(ok.ok(), Some(200));
    for bad in ["0", "201", "+5", " 5", "", "5x", "99999999999"] {
        let e = number(&flag("--art-width", bad), "art width", 1, 200).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{bad:?}: {e}");
        assert_eq!(
            e.to_string(),
            format!("invalid art width {bad:?} (from --art-width): must be a number from 1 to 200")
        );
    }
    let from_file = Sourced {
        value: "900".into(),
        origin: Origin::File {
            path: "c.conf".into(),
            line: 3,
        },
    };
    let e = number(&from_file, "art width", 1, 200).unwrap_err();
    assert_eq!(e.exit_code(), 1);
    assert!(e.to_string().contains("(from c.conf:3)"), "{e}");
}
