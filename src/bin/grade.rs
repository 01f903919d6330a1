//! `grade`: the teacher's tool. Runs a stage's checks — the executable spec in `src/grade/`
//! — against anyone's implementation of the course, in any language.
//!
//! ```text
//! grade list                                            # every stage and its checks
//! grade server ii_6 --address 127.0.0.1:8888            # a server already running
//! grade server ii_6 -- python3 server.py --port {port}  # start it per check, grade, stop it
//! grade client ii_6 --wire tp -- python3 client.py      # play the server to a client
//! grade server bonus_2_logs -- ./server --port {port} --log-file {log}   # a bonus stage
//! grade server bonus_4 -- python3 server.py --port {port}   # frames (bonus 4 and 5)
//! grade part1 web_async_multiple -- python3 web_async_multiple.py {urls_file}
//! grade class submissions/manifest.txt --out reports/    # a whole class, one table
//! ```
//!
//! Add `--json` for a machine-readable report; the exit code is 0 only when every check
//! passed. `GRADING.md` explains what each check accepts and rejects.

use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;
use tp6::chat::wire::Wire;
use tp6::grade::client::ClientTarget;
use tp6::grade::part1::Part1Target;
use tp6::grade::server::{ServerSource, ServerTarget};
use tp6::grade::{self, Check, Report};
use tp6::stages::{self, STAGES};

/// Grade a submission of the "TP6 : Chat room" course, stage by stage.
///
/// Commands are templates: `{port}` (server: a free port the server must listen on; without
/// it the server's `Serving on <ip>:<port>` line is read, or port 8888 assumed), `{address}`,
/// `{port}` and `{pseudo}` (client: where the fake server listens), `{log}`, `{config}`
/// (bonus stages: a log file and a config file per check), `{id_file}` (bonus client),
/// `{url}`, `{output}`, `{urls_file}`, `{out_dir}` (Part I). Put the command after `--`.
/// `grade list` names every stage, Part I to the bonuses.
#[derive(Parser)]
#[command(
    version,
    after_help = "Exit status: 0 when every check passed, 1 when any failed, 2 on a usage error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List every stage and its checks.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Grade a Part II server, running at --address or started from the command after `--`.
    Server {
        /// Stage id (ii_2 … ii_6).
        stage: String,
        /// Address of a server that is already running (its console cannot be checked).
        #[arg(long, conflicts_with = "command")]
        address: Option<SocketAddr>,
        #[command(flatten)]
        common: Common,
        /// The server command, started afresh for every check.
        #[arg(last = true, required_unless_present = "address")]
        command: Vec<String>,
    },
    /// Grade a Part II client by playing the server to it.
    Client {
        /// Stage id (ii_2, ii_3, ii_5, ii_6).
        stage: String,
        /// Run the client under a pseudo-terminal instead of pipes (Linux and macOS only).
        #[arg(long)]
        tty: bool,
        #[command(flatten)]
        common: Common,
        /// The client command.
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
    /// Grade a whole class from a manifest (`<student> <kind> <stage> [options] -- <command>`
    /// per line) into one table: class.md, class.csv, class.json and class.html in --out.
    Class {
        /// The manifest; commands run from its directory.
        manifest: std::path::PathBuf,
        /// Where to write the reports (created if missing).
        #[arg(long, default_value = "class-report")]
        out: std::path::PathBuf,
    },
    /// Grade a Part I program against a loopback HTTP fixture.
    Part1 {
        /// Stage id (sleep_and_print, …, measure).
        stage: String,
        #[command(flatten)]
        common: Common,
        /// The program's command.
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
}

#[derive(Args)]
struct Common {
    /// How the program frames chat messages: `lines`, or `tp` for the Python course's
    /// convention (each write is one message). Ignored from bonus_4 on: those stages speak
    /// PROTOCOL.md's binary frames.
    #[arg(long, value_enum, default_value_t = Wire::Lines)]
    wire: Wire,
    /// Seconds one check may take before it fails.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: u64,
    /// Print the report as one JSON object.
    #[arg(long)]
    json: bool,
    /// Run only the checks whose id contains this text (repeatable).
    #[arg(long)]
    only: Vec<String>,
    /// Which tier to run: `course` (what the course asks, every reasonable reading of it
    /// accepted), `robust` (this project's stricter rules) or `all` (both).
    #[arg(long, value_enum, default_value_t = TierArg::All)]
    tier: TierArg,
    /// Multiply every wait of the checks (a reply, silence, an exit) by this factor, for
    /// slow interpreters or a loaded machine (0.5 to 20).
    #[arg(long, default_value_t = 1.0, value_parser = patience_factor)]
    patience: f64,
}

/// `--tier`: one tier, or both.
#[derive(Clone, Copy, clap::ValueEnum)]
enum TierArg {
    /// What the course asks.
    Course,
    /// This project's stricter rules.
    Robust,
    /// Both tiers.
    All,
}

impl TierArg {
    /// The one tier chosen, `None` for both.
    fn tier(self) -> Option<grade::Tier> {
        match self {
            TierArg::Course => Some(grade::Tier::Course),
            TierArg::Robust => Some(grade::Tier::Robust),
            TierArg::All => None,
        }
    }
}

fn patience_factor(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(f) if (0.5..=20.0).contains(&f) => Ok(f),
        _ => Err(format!("expected a number from 0.5 to 20, got {text:?}")),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli: Cli = tp6::error::parse_args();
    // Interrupted, grade takes the programs it runs (in process groups of their own) along.
    grade::process::kill_groups_on_signals();
    let (report, json) = match cli.command {
        Command::List { json } => {
            list(json);
            return ExitCode::SUCCESS;
        }
        Command::Class { manifest, out } => return class(&manifest, &out).await,
        Command::Server {
            stage,
            address,
            common,
            command,
        } => {
            let checks = grade::chat::checks(&stage);
            let source = match address {
                Some(addr) => ServerSource::Address(addr),
                None => ServerSource::Command(command),
            };
            let target = ServerTarget::new(source, common.wire, &stage);
            (run(&stage, checks, &target, &common).await, common.json)
        }
        Command::Client {
            stage,
            tty,
            common,
            command,
        } => {
            if tty && !grade::client::TTY_SUPPORTED {
                return tp6::error::usage_error(grade::client::TTY_UNSUPPORTED);
            }
            let target = ClientTarget::new(command, common.wire).with_tty(tty);
            (
                run(&stage, grade::client::checks(&stage), &target, &common).await,
                common.json,
            )
        }
        Command::Part1 {
            stage,
            common,
            command,
        } => {
            let target = Part1Target::new(command);
            let mut report = run(&stage, grade::part1::checks(&stage), &target, &common).await;
            if let (Some(report), Some(note)) = (report.as_mut(), target.shared_tmp_note()) {
                report.notes.push(note.to_string());
            }
            (report, common.json)
        }
    };
    let Some(report) = report else {
        return ExitCode::from(2);
    };
    // `let _ =`: a reader that left (`grade … | head`) must not turn into a panic.
    let mut out = std::io::stdout().lock();
    let _ = if json {
        writeln!(out, "{}", report.to_json())
    } else {
        writeln!(out, "{report}")
    };
    if report.all_passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `grade class`: every manifest line graded by a `grade` process of its own, one after the
/// other; exit 0 when every line could be graded (whatever the verdicts), 1 when one could
/// not, 2 when the manifest is unreadable.
async fn class(manifest: &std::path::Path, out: &std::path::Path) -> ExitCode {
    use grade::class;
    let shown = manifest.display().to_string();
    let entries = match std::fs::read_to_string(manifest) {
        Ok(text) => class::parse_manifest(&text, &shown),
        Err(e) => Err(format!("cannot read {shown}: {e}")),
    };
    let entries = match entries {
        Ok(entries) => entries,
        Err(e) => return tp6::error::usage_error(e),
    };
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => return tp6::error::fatal(e),
    };
    let dir = manifest
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut outcomes = Vec::with_capacity(entries.len());
    for entry in &entries {
        eprintln!("grading {} {} …", entry.student, entry.program());
        outcomes.push(class::grade_entry(&exe, entry, dir).await);
    }
    let report = class::ClassReport::new(&outcomes);
    if let Err(e) = class::write_all(&report, out) {
        return tp6::error::fatal(anyhow::anyhow!("cannot write to {}: {e}", out.display()));
    }
    let _ = write!(std::io::stdout().lock(), "{}", report.markdown());
    if outcomes.iter().all(|o| o.report.is_some()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs the selected checks; `None` (after an error line) when there is nothing to run.
async fn run<T: Sync>(
    stage: &str,
    checks: Vec<Check<T>>,
    target: &T,
    common: &Common,
) -> Option<Report> {
    if checks.is_empty() {
        eprintln!("error: no checks of this kind for stage {stage:?} (see `grade list`)");
        return None;
    }
    grade::patience::set_factor(common.patience);
    let selected: Vec<_> = checks
        .into_iter()
        .filter(|c| common.only.is_empty() || common.only.iter().any(|o| c.id.contains(o.as_str())))
        .filter(|c| common.tier.tier().is_none_or(|t| c.tier == t))
        .collect();
    if selected.is_empty() {
        eprintln!(
            "error: --only {:?} and --tier {} select no check of stage {stage}",
            common.only,
            common
                .tier
                .tier()
                .map_or("all".to_string(), |t| t.to_string())
        );
        return None;
    }
    Some(
        grade::run_checks(
            stage,
            &selected,
            target,
            Duration::from_secs(common.timeout),
        )
        .await,
    )
}

#[derive(serde::Serialize)]
struct Listed {
    stage: &'static stages::Stage,
    checks: Vec<ListedCheck>,
}

#[derive(serde::Serialize)]
struct ListedCheck {
    id: &'static str,
    kind: &'static str,
    tier: grade::Tier,
    what: &'static str,
}

fn listed_checks(stage: &str) -> Vec<ListedCheck> {
    fn kind<T>(kind: &'static str, checks: Vec<Check<T>>) -> impl Iterator<Item = ListedCheck> {
        checks.into_iter().map(move |c| ListedCheck {
            id: c.id,
            kind,
            tier: c.tier,
            what: c.what,
        })
    }
    kind("part1", grade::part1::checks(stage))
        .chain(kind("server", grade::chat::checks(stage)))
        .chain(kind("client", grade::client::checks(stage)))
        .collect()
}

fn list(json: bool) {
    let all: Vec<Listed> = STAGES
        .iter()
        .map(|s| Listed {
            stage: s,
            checks: listed_checks(s.id),
        })
        .collect();
    let mut out = std::io::stdout().lock();
    if json {
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&all).unwrap_or_default()
        );
        return;
    }
    for entry in &all {
        let s = entry.stage;
        let status = if s.status == stages::Status::Planned {
            "  (planned)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{}  [{}]{status}  {}",
            s.id,
            s.binaries.join(", "),
            s.goal
        );
        for c in &entry.checks {
            let _ = writeln!(
                out,
                "    {:<7} {:<6} {:<34} {}",
                c.kind,
                c.tier.to_string(),
                c.id,
                c.what
            );
        }
    }
}
