//! Grading a whole class in one command: `grade class MANIFEST --out DIR`.
//!
//! The manifest names each student's programs, one per line:
//!
//! ```text
//! # student  kind    stage  [grade options] -- command
//! alice      server  ii_6   --wire tp -- python3 alice/server.py --port {port}
//! alice      client  ii_6   --wire tp -- python3 alice/client.py --port {port}
//! bob        part1   web_async_multiple -- python3 bob/web.py {urls_file}
//! ```
//!
//! Words are separated by spaces (no quoting); commands run from the manifest's directory.
//! Each line is graded by a `grade <kind> <stage> --json` process of its own, one after the
//! other, so that one submission cannot disturb the next. The results become one table
//! (student × program, the course and robust tiers apart), written as Markdown, CSV, JSON
//! and a self-contained HTML page a teacher opens in a browser (sortable; each failure's
//! reason in the cell). The checks that failed for most of the class are listed too: that
//! usually means the check, or the course's text, is ambiguous.

use serde::Serialize;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;

/// One manifest line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Who wrote the program.
    pub student: String,
    /// `server`, `client` or `part1`.
    pub kind: String,
    /// The stage id.
    pub stage: String,
    /// Options for `grade` (`--wire tp`, `--only …`, `--tier …`).
    pub options: Vec<String>,
    /// The program's command template.
    pub command: Vec<String>,
    /// Its line in the manifest, for error messages.
    pub line: usize,
}

impl Entry {
    /// The column this entry fills: `server ii_6`.
    pub fn program(&self) -> String {
        format!("{} {}", self.kind, self.stage)
    }
}

/// Reads a manifest; an error names `FILE:LINE` and what is wrong.
pub fn parse_manifest(text: &str, file: &str) -> Result<Vec<Entry>, String> {
    let mut entries = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let content = raw.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = content.split_whitespace().collect();
        let Some(dashes) = words.iter().position(|w| *w == "--") else {
            return Err(format!(
                "{file}:{line}: expected `<student> <kind> <stage> [options] -- <command>`, found no `--`"
            ));
        };
        let (head, command) = (&words[..dashes], &words[dashes + 1..]);
        if head.len() < 3 || command.is_empty() {
            return Err(format!(
                "{file}:{line}: expected `<student> <kind> <stage> [options] -- <command>`"
            ));
        }
        if !["server", "client", "part1"].contains(&head[1]) {
            return Err(format!(
                "{file}:{line}: unknown kind {:?} (server, client or part1)",
                head[1]
            ));
        }
        let owned = |ws: &[&str]| ws.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        entries.push(Entry {
            student: head[0].to_string(),
            kind: head[1].to_string(),
            stage: head[2].to_string(),
            options: owned(&head[3..]),
            command: owned(command),
            line,
        });
    }
    if entries.is_empty() {
        return Err(format!("{file}: no submission in it"));
    }
    Ok(entries)
}

/// What grading one entry gave.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The manifest line.
    pub entry: Entry,
    /// The `grade --json` report, when the entry could be graded.
    pub report: Option<Value>,
    /// Why it could not be graded (a usage error, a grade that crashed).
    pub error: Option<String>,
}

/// Passed and run checks of one tier in one cell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Checks passed.
    pub passed: u64,
    /// Checks that ran (passed or failed; skipped ones are not counted).
    pub ran: u64,
}

impl Tally {
    fn of(report: &Value, tier: &str) -> Tally {
        let count = |field| report[tier][field].as_u64().unwrap_or(0);
        Tally {
            passed: count("passed"),
            ran: count("passed") + count("failed"),
        }
    }

    fn add(&mut self, other: Tally) {
        self.passed += other.passed;
        self.ran += other.ran;
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.passed, self.ran)
    }
}

/// A failed check in a cell, for the teacher to read.
#[derive(Debug, Clone, Serialize)]
pub struct FailedCheck {
    /// Check id.
    pub id: String,
    /// `course` or `robust`.
    pub tier: String,
    /// Why it failed.
    pub reason: String,
}

/// One student × program cell.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// Course-tier score.
    pub course: Tally,
    /// Robust-tier score.
    pub robust: Tally,
    /// Every failed check with its reason.
    pub failures: Vec<FailedCheck>,
    /// Set when the program could not be graded at all.
    pub error: Option<String>,
}

/// One student's row.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The student.
    pub student: String,
    /// One cell per program column (`None`: no such program in the manifest).
    pub cells: Vec<Option<Cell>>,
    /// Course-tier subtotal over the row.
    pub course: Tally,
    /// Robust-tier subtotal over the row.
    pub robust: Tally,
}

/// A check most of the class failed.
#[derive(Debug, Clone, Serialize)]
pub struct CommonFailure {
    /// Check id.
    pub id: String,
    /// Submissions that failed it.
    pub failed: usize,
    /// Submissions that ran it.
    pub ran: usize,
}

/// The whole class.
#[derive(Debug, Clone, Serialize)]
pub struct ClassReport {
    /// Program columns, in manifest order (`server ii_6`, …).
    pub programs: Vec<String>,
    /// One row per student, in manifest order.
    pub rows: Vec<Row>,
    /// Checks failed by more than half of the submissions that ran them (at least two).
    pub common_failures: Vec<CommonFailure>,
}

impl ClassReport {
    /// Builds the table from the outcomes.
    pub fn new(outcomes: &[Outcome]) -> ClassReport {
        let mut programs: Vec<String> = Vec::new();
        let mut students: Vec<String> = Vec::new();
        for o in outcomes {
            if !programs.contains(&o.entry.program()) {
                programs.push(o.entry.program());
            }
            if !students.contains(&o.entry.student) {
                students.push(o.entry.student.clone());
            }
        }
        let rows = students
            .iter()
            .map(|student| {
                let cells: Vec<Option<Cell>> = programs
                    .iter()
                    .map(|program| {
                        outcomes
                            .iter()
                            .find(|o| &o.entry.student == student && &o.entry.program() == program)
                            .map(cell)
                    })
                    .collect();
                let (mut course, mut robust) = (Tally::default(), Tally::default());
                for c in cells.iter().flatten() {
                    course.add(c.course);
                    robust.add(c.robust);
                }
                Row {
                    student: student.clone(),
                    cells,
                    course,
                    robust,
                }
            })
            .collect();
        ClassReport {
            programs,
            rows,
            common_failures: common_failures(outcomes),
        }
    }

    /// The table as Markdown, then the common failures.
    pub fn markdown(&self) -> String {
        let mut out = String::from("| student | course | robust |");
        for p in &self.programs {
            let _ = write!(out, " {p} |");
        }
        out.push_str("\n|---|---|---|");
        out.push_str(&"---|".repeat(self.programs.len()));
        out.push('\n');
        for row in &self.rows {
            let _ = write!(out, "| {} | {} | {} |", row.student, row.course, row.robust);
            for cell in &row.cells {
                let _ = write!(out, " {} |", cell_text(cell.as_ref()));
            }
            out.push('\n');
        }
        out.push_str(&self.common_text());
        out
    }

    /// One line per student and program: `student,program,course_passed,course_ran,…`.
    pub fn csv(&self) -> String {
        let mut out = String::from(
            "student,program,course_passed,course_ran,robust_passed,robust_ran,failed_checks,error\n",
        );
        for row in &self.rows {
            for (program, cell) in self.programs.iter().zip(&row.cells) {
                let Some(c) = cell else { continue };
                let failed: Vec<&str> = c.failures.iter().map(|f| f.id.as_str()).collect();
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{},{},{}",
                    csv_field(&row.student),
                    csv_field(program),
                    c.course.passed,
                    c.course.ran,
                    c.robust.passed,
                    c.robust.ran,
                    csv_field(&failed.join(" ")),
                    csv_field(c.error.as_deref().unwrap_or(""))
                );
            }
        }
        out
    }

    /// Everything, as one JSON object.
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// A self-contained page: the table (click a heading to sort; `#sort=N` or
    /// `#sort=N-desc` in the address sorts by column N on load), each cell's failures with
    /// their reasons (on hover, or expanded), and the common failures.
    pub fn html(&self) -> String {
        let mut table = String::from("<table id=\"class\"><thead><tr>");
        for (i, h) in ["student", "course", "robust"]
            .iter()
            .map(|s| s.to_string())
            .chain(self.programs.iter().cloned())
            .enumerate()
        {
            let _ = write!(
                table,
                "<th data-col=\"{i}\" title=\"click to sort\">{}</th>",
                escape(&h)
            );
        }
        table.push_str("</tr></thead><tbody>");
        for row in &self.rows {
            let _ = write!(
                table,
                "<tr class=\"student\"><td data-sort=\"{s}\">{s}</td>{}{}",
                tally_td(row.course),
                tally_td(row.robust),
                s = escape(&row.student)
            );
            for cell in &row.cells {
                table.push_str(&cell_td(cell.as_ref()));
            }
            table.push_str("</tr>");
        }
        table.push_str("</tbody></table>");
        let mut common = String::new();
        if !self.common_failures.is_empty() {
            common.push_str("<h2>Failed by most of the class</h2><ul id=\"common\">");
            for c in &self.common_failures {
                let _ = write!(
                    common,
                    "<li><code>{}</code>: {} of {}</li>",
                    escape(&c.id),
                    c.failed,
                    c.ran
                );
            }
            common.push_str(
                "</ul><p>A check most of a class fails often means the check, or the course's \
                 text, is ambiguous: read its reasons before grading on it.</p>",
            );
        }
        format!("{HTML_HEAD}{table}{common}{HTML_TAIL}")
    }

    fn common_text(&self) -> String {
        if self.common_failures.is_empty() {
            return String::new();
        }
        let mut out =
            String::from("\nFailed by most of the class (ambiguous check or course text?):\n\n");
        for c in &self.common_failures {
            let _ = writeln!(out, "- `{}`: {} of {}", c.id, c.failed, c.ran);
        }
        out
    }
}

fn cell(o: &Outcome) -> Cell {
    let Some(report) = &o.report else {
        return Cell {
            course: Tally::default(),
            robust: Tally::default(),
            failures: Vec::new(),
            error: Some(o.error.clone().unwrap_or_else(|| "not graded".into())),
        };
    };
    let failures = checks(report)
        .filter(|c| c["verdict"] == "fail")
        .map(|c| FailedCheck {
            id: c["id"].as_str().unwrap_or_default().to_string(),
            tier: c["tier"].as_str().unwrap_or_default().to_string(),
            reason: c["reason"].as_str().unwrap_or_default().to_string(),
        })
        .collect();
    Cell {
        course: Tally::of(report, "course"),
        robust: Tally::of(report, "robust"),
        failures,
        error: None,
    }
}

fn checks(report: &Value) -> impl Iterator<Item = &Value> {
    report["checks"].as_array().into_iter().flatten()
}

fn common_failures(outcomes: &[Outcome]) -> Vec<CommonFailure> {
    let mut tally: Vec<CommonFailure> = Vec::new();
    for report in outcomes.iter().filter_map(|o| o.report.as_ref()) {
        for c in checks(report).filter(|c| c["verdict"] != "skip") {
            let id = c["id"].as_str().unwrap_or_default();
            let at = match tally.iter().position(|t| t.id == id) {
                Some(at) => at,
                None => {
                    tally.push(CommonFailure {
                        id: id.to_string(),
                        failed: 0,
                        ran: 0,
                    });
                    tally.len() - 1
                }
            };
            tally[at].ran += 1;
            if c["verdict"] == "fail" {
                tally[at].failed += 1;
            }
        }
    }
    tally.retain(|t| t.failed >= 2 && t.failed * 2 > t.ran);
    tally
}

fn cell_text(cell: Option<&Cell>) -> String {
    match cell {
        None => "-".into(),
        Some(Cell { error: Some(e), .. }) => format!("not graded: {}", e.replace('|', "\\|")),
        Some(c) => format!("course {} · robust {}", c.course, c.robust),
    }
}

fn tally_td(t: Tally) -> String {
    // Sorted by the share passed; a row that ran nothing sorts last.
    let share = if t.ran == 0 {
        -1.0
    } else {
        t.passed as f64 / t.ran as f64
    };
    format!("<td data-sort=\"{share:.4}\">{t}</td>")
}

fn cell_td(cell: Option<&Cell>) -> String {
    let Some(c) = cell else {
        return "<td data-sort=\"-1\">-</td>".into();
    };
    if let Some(e) = &c.error {
        return format!(
            "<td class=\"error\" data-sort=\"-1\" title=\"{e}\">not graded<details><summary>why</summary>{e}</details></td>",
            e = escape(e)
        );
    }
    let reasons: Vec<String> = c
        .failures
        .iter()
        .map(|f| format!("{} ({}): {}", f.id, f.tier, f.reason))
        .collect();
    let mut td = format!(
        "<td data-sort=\"{}\" title=\"{}\">course {} · robust {}",
        c.course.passed * 1000 + c.robust.passed,
        escape(&reasons.join("\n")),
        c.course,
        c.robust
    );
    if !c.failures.is_empty() {
        td.push_str("<details><summary>failures</summary><ul>");
        for f in &c.failures {
            let _ = write!(
                td,
                "<li class=\"failure\"><code>{}</code> <em>{}</em>: {}</li>",
                escape(&f.id),
                escape(&f.tier),
                escape(&f.reason)
            );
        }
        td.push_str("</ul></details>");
    }
    td.push_str("</td>");
    td
}

/// Text for HTML; control characters shown visibly first (a reason quotes what the graded
/// program sent).
fn escape(text: &str) -> String {
    crate::visible::visible(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn csv_field(text: &str) -> String {
    let text = crate::visible::visible(text);
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.into_owned()
    }
}

/// Grades one entry with `grade` (the program at `grade_exe`) run from `dir`.
pub async fn grade_entry(grade_exe: &Path, entry: &Entry, dir: &Path) -> Outcome {
    let output = tokio::process::Command::new(grade_exe)
        .arg(&entry.kind)
        .arg(&entry.stage)
        .args(&entry.options)
        .arg("--json")
        .arg("--")
        .args(&entry.command)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output()
        .await;
    let (report, error) = match output {
        Err(e) => (None, Some(format!("cannot run grade: {e}"))),
        Ok(out) => match serde_json::from_slice::<Value>(&out.stdout) {
            Ok(report) if out.status.code().is_some_and(|c| c <= 1) => (Some(report), None),
            _ => {
                let said = String::from_utf8_lossy(&out.stderr);
                let said = said.trim();
                (
                    None,
                    Some(if said.is_empty() {
                        format!("grade ended with {}", out.status)
                    } else {
                        said.to_string()
                    }),
                )
            }
        },
    };
    Outcome {
        entry: entry.clone(),
        report,
        error,
    }
}

/// Writes `class.md`, `class.csv`, `class.json` and `class.html` into `dir` (created).
pub fn write_all(report: &ClassReport, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("class.md"), report.markdown())?;
    std::fs::write(dir.join("class.csv"), report.csv())?;
    std::fs::write(dir.join("class.json"), report.json())?;
    std::fs::write(dir.join("class.html"), report.html())
}

const HTML_HEAD: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Class report</title>
<style>
body { font-family: sans-serif; margin: 2em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #bbb; padding: .3em .6em; vertical-align: top; text-align: left; }
th { cursor: pointer; background: #eee; }
td.error { color: #a00; }
details { font-size: .85em; max-width: 40em; }
</style></head><body>
<h1>Class report</h1>
<p>Each cell: checks passed of those run, in the course tier (what the course asks) and the
robust tier (stricter rules). Click a heading to sort; hover a cell, or open its failures,
for the reasons.</p>
"#;

const HTML_TAIL: &str = r#"
<script>
function sortBy(col, desc) {
  var body = document.querySelector('#class tbody');
  var rows = Array.prototype.slice.call(body.rows);
  rows.sort(function (a, b) {
    var x = a.cells[col].getAttribute('data-sort'), y = b.cells[col].getAttribute('data-sort');
    var nx = parseFloat(x), ny = parseFloat(y);
    var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
    return desc ? -c : c;
  });
  rows.forEach(function (r) { body.appendChild(r); });
  document.body.setAttribute('data-sorted', col + (desc ? '-desc' : ''));
}
document.querySelectorAll('#class th').forEach(function (th) {
  th.addEventListener('click', function () {
    var col = +th.getAttribute('data-col');
    var desc = document.body.getAttribute('data-sorted') === String(col);
    sortBy(col, desc);
  });
});
var m = /^#sort=(\d+)(-desc)?$/.exec(location.hash);
if (m) { sortBy(+m[1], !!m[2]); }
</script>
</body></html>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_errors_name_the_line() {
        let ok = "# comment\n\nalice server ii_6 --wire tp -- python3 s.py --port {port}\n";
        let entries = parse_manifest(ok, "m.txt").unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].options, ["--wire", "tp"]);
        assert_eq!(entries[0].command, ["python3", "s.py", "--port", "{port}"]);
        assert_eq!(entries[0].line, 3);
        let err = parse_manifest("alice server ii_6 python3 s.py\n", "m.txt").unwrap_err();
        assert!(err.starts_with("m.txt:1: "), "{err}");
        let err = parse_manifest("\nbob servr ii_6 -- x\n", "m.txt").unwrap_err();
        assert!(err.starts_with("m.txt:2: unknown kind"), "{err}");
        assert!(parse_manifest("# nothing\n", "m.txt").is_err());
    }

    #[test]
    fn html_escapes_what_programs_sent() {
        assert_eq!(
            escape("<b>\"x\" & \u{1b}[2J"),
            "&lt;b&gt;&quot;x&quot; &amp; ^[[2J"
        );
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }
}
