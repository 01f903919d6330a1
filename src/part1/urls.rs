//! URL lists and the file each page is written to.
//!
//! A list is a text file with one URL per line; surrounding whitespace is trimmed and blank
//! lines and `#` comments are skipped. Page `https://www.ynov.com/` goes to
//! `<out_dir>/web_www.ynov.com_`: the URL without its scheme, every character that is not
//! safe in a file name replaced by `_`.

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

/// The URLs of a list, in order: one per line, trimmed, blank lines and `#` comments
/// skipped. Nothing is validated here: a bad URL is that URL's failure, reported when it is
/// fetched, so that it does not stop the others. [`parse_url_file`] is the same with the
/// checks a file written by hand needs.
pub fn parse_url_list(text: &str) -> Vec<String> {
    entries(text).map(|(_, url)| url.to_string()).collect()
}

/// A line of a URL file that is not a list line: `Display` is `<line>: <reason>`, for the
/// caller to put the file name in front.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based, as editors count.
    pub line: usize,
    /// What is wrong with it and what to do.
    pub reason: String,
}

impl fmt::Display for BadLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.line, self.reason)
    }
}

/// The URLs of a list file's bytes, as [`parse_url_list`] reads them, after checking what
/// a person writing the file by hand can get wrong and would not see: bytes that are not
/// UTF-8 (a file saved in another encoding) and a line holding more than one word (two URLs,
/// or a comment after the URL), which would otherwise be fetched as one odd URL. The first
/// such line is the error. A UTF-8 byte order mark, which some editors put first, is skipped.
/// A line that is one word but not a URL is left for the download to report.
pub fn parse_url_file(bytes: &[u8]) -> Result<Vec<String>, BadLine> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let before = &bytes[..e.valid_up_to()];
        BadLine {
            line: 1 + before.iter().filter(|&&b| b == b'\n').count(),
            reason: "not UTF-8 text (save the file with the UTF-8 encoding)".into(),
        }
    })?;
    entries(text)
        .map(|(line, url)| match url.split_once(char::is_whitespace) {
            None => Ok(url.to_string()),
            Some(_) => Err(BadLine {
                line,
                reason: format!(
                    "{url:?}: one URL per line and nothing after it (a space inside a URL is \
                     written %20)"
                ),
            }),
        })
        .collect()
}

/// The list's entries with their 1-based line numbers.
fn entries(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.strip_prefix('\u{feff}')
        .unwrap_or(text)
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
}

/// Longest name [`file_name`] returns, in bytes. File systems allow 255; staying well below
/// leaves room for editors' backup suffixes and for the hash that keeps long names distinct.
pub const MAX_NAME_LEN: usize = 200;

/// The file name of a page: `web_` then the URL without its scheme, each character other
/// than ASCII letters, digits, `.`, `-` and `_` replaced by `_`.
///
/// Names longer than [`MAX_NAME_LEN`] are cut and end with a hash of the whole URL, so two
/// long URLs sharing a prefix still get two files.
pub fn file_name(url: &str) -> String {
    let rest = strip_scheme(url);
    let mut name = String::with_capacity(4 + rest.len());
    name.push_str("web_");
    name.extend(rest.chars().map(|c| if is_safe(c) { c } else { '_' }));
    if name.len() > MAX_NAME_LEN {
        // Every kept character is ASCII, so any byte index is a character boundary.
        name.truncate(MAX_NAME_LEN - 17);
        let _ = write!(name, "_{:016x}", fnv1a(rest.as_bytes()));
    }
    name
}

/// Where a page goes: `out_dir` joined with [`file_name`].
pub fn output_path(out_dir: &Path, url: &str) -> PathBuf {
    out_dir.join(file_name(url))
}

fn is_safe(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

/// `url` without a leading `scheme://`; unchanged when it has none.
fn strip_scheme(url: &str) -> &str {
    match url.split_once("://") {
        Some((scheme, rest)) if is_scheme(scheme) => rest,
        _ => url,
    }
}

/// RFC 3986: a letter, then letters, digits, `+`, `-` or `.`.
fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// A hash that is the same on every machine and every Rust version (unlike `std`'s), so a
/// long URL's file name never changes.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_course_example() {
        assert_eq!(file_name("https://www.ynov.com/"), "web_www.ynov.com_");
    }

    #[test]
    fn ports_queries_and_unicode_become_underscores() {
        assert_eq!(
            file_name("http://127.0.0.1:8080/page/a?size=10&x=%20"),
            "web_127.0.0.1_8080_page_a_size_10_x__20"
        );
        assert_eq!(file_name("https://été.fr/ça"), "web__t_.fr__a");
    }

    #[test]
    fn only_a_real_scheme_is_stripped() {
        assert_eq!(file_name("ftp://a/b"), "web_a_b");
        assert_eq!(file_name("no scheme/x"), "web_no_scheme_x");
        assert_eq!(file_name("1http://a"), "web_1http___a");
        assert_eq!(file_name("://a"), "web____a");
    }

    #[test]
    fn long_names_are_cut_and_stay_distinct() {
        let base = format!("https://example.com/{}", "a".repeat(300));
        let (a, b) = (
            file_name(&format!("{base}1")),
            file_name(&format!("{base}2")),
        );
        assert_eq!(a.len(), MAX_NAME_LEN);
        assert_eq!(b.len(), MAX_NAME_LEN);
        assert_ne!(a, b);
    }

    #[test]
    fn output_path_joins_the_directory() {
        assert_eq!(
            output_path(Path::new("/tmp"), "https://www.ynov.com/"),
            Path::new("/tmp/web_www.ynov.com_")
        );
    }

    #[test]
    fn lists_skip_blanks_and_comments_and_trim() {
        let text =
            "# sites\n\n  https://a.example/ \n\t# indented comment\nhttp://b.example\r\n   \n";
        assert_eq!(
            parse_url_list(text),
            ["https://a.example/", "http://b.example"]
        );
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_url() {
        assert_eq!(
            parse_url_list("\u{feff}http://a.example/\n"),
            ["http://a.example/"]
        );
        assert_eq!(
            parse_url_file("\u{feff}http://a.example/\n".as_bytes()),
            Ok(vec!["http://a.example/".to_string()])
        );
    }

    #[test]
    fn file_errors_name_the_line() {
        let latin1 = b"# sites\nhttp://a.example/\n# fran\xe7ais\nhttp://b.example/\n";
        let err = parse_url_file(latin1).expect_err("not UTF-8");
        assert_eq!(err.line, 3);
        assert!(err.to_string().starts_with("3: not UTF-8 text"), "{err}");

        let two = "http://a.example/\r\n\n  http://b.example/ http://c.example/  \n";
        let err = parse_url_file(two.as_bytes()).expect_err("two URLs on a line");
        assert_eq!(err.line, 3);
        assert!(
            err.to_string()
                .starts_with("3: \"http://b.example/ http://c.example/\": one URL per line"),
            "{err}"
        );
        let tab = parse_url_file(b"http://a.example/\t# mine\n").expect_err("a comment after");
        assert_eq!(tab.line, 1);
    }

    #[test]
    fn a_good_file_reads_as_the_list() {
        let text = "# sites\n\n  https://a.example/ \n\t# x y z\nnot-a-url\r\n";
        assert_eq!(
            parse_url_file(text.as_bytes()),
            Ok(parse_url_list(text)),
            "a comment may hold spaces; a one-word non-URL is the download's to report"
        );
    }

    #[test]
    fn an_empty_list_is_empty() {
        assert!(parse_url_list("").is_empty());
        assert!(parse_url_list("# only\n\n").is_empty());
    }

    #[test]
    fn the_bundled_list_has_about_ten_sites() {
        let urls = parse_url_list(crate::part1::BUNDLED_URLS);
        assert!((8..=15).contains(&urls.len()), "{urls:?}");
        assert!(urls.iter().all(|u| u.starts_with("https://")), "{urls:?}");
    }

    proptest! {
        #[test]
        fn names_are_always_safe_and_bounded(url in any::<String>()) {
            let name = file_name(&url);
            prop_assert!(name.starts_with("web_"));
            prop_assert!(name.len() <= MAX_NAME_LEN);
            prop_assert!(name.chars().all(is_safe), "{name:?}");
        }

        #[test]
        fn the_scheme_does_not_matter(rest in "[a-z0-9./:?=&_-]{0,80}") {
            prop_assert_eq!(file_name(&format!("http://{rest}")), file_name(&format!("https://{rest}")));
        }

        #[test]
        fn parsed_entries_are_trimmed_and_never_comments(text in "[ \t#a-z:/\n\r]{0,200}") {
            for url in parse_url_list(&text) {
                prop_assert!(!url.is_empty());
                prop_assert!(!url.starts_with('#'));
                prop_assert_eq!(url.trim(), url.as_str());
            }
        }
    }
}
