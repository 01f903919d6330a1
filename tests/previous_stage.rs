//! Each stage's new checks fail on the previous stage's program: the proof that every
//! check tests something its stage adds, for every implemented stage of the manifest and
//! each kind of program (chat server, chat client, Part I program).
//!
//! A stage's new checks run against the program of the nearest earlier implemented stage
//! that has one of the same kind, given this stage's command (tests/common/ours.rs), and
//! each must fail there, except a check declaring `holds_before` (src/grade/mod.rs), which
//! must pass there. The first stage of each kind has nothing before it. Every check of
//! every stage runs at once, so the test takes about as long as its slowest check.

mod common;

use common::{ours, run_each};
use futures::future::{FutureExt, LocalBoxFuture};
use std::time::Duration;
use tp6::chat::wire::Wire;
use tp6::grade::{Check, chat, client, part1, unlike_before};
use tp6::stages::{Part, STAGES, Status};

/// Per check; a passing one takes well under a second, a failing one its timeouts.
const CHECK_LIMIT: Duration = Duration::from_secs(20);

/// A kind of program a stage may have.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Server,
    Client,
    Part1,
}

const KINDS: [Kind; 3] = [Kind::Server, Kind::Client, Kind::Part1];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Server => "server",
            Kind::Client => "client",
            Kind::Part1 => "Part I program",
        }
    }

    /// The part whose first stage brings the first program of this kind.
    fn first_part(self) -> Part {
        match self {
            Kind::Server | Kind::Client => Part::Two,
            Kind::Part1 => Part::One,
        }
    }

    /// Our program of this kind at `stage`, if it has one.
    fn program(self, stage: &str) -> Option<String> {
        match self {
            Kind::Server => ours::server(stage),
            Kind::Client => ours::client(stage),
            Kind::Part1 => ours::part1(stage),
        }
    }

    /// How many checks of this kind `stage` introduces (a Part I list is its stage's own).
    fn new_checks(self, stage: &str) -> usize {
        match self {
            Kind::Server => chat::new_checks(stage).len(),
            Kind::Client => client::new_checks(stage).len(),
            Kind::Part1 => part1::checks(stage).len(),
        }
    }

    /// `stage`'s new checks against `bin` (the `previous` stage's program) given `stage`'s
    /// command; servers speak `lines`.
    fn against(
        self,
        stage: &'static str,
        previous: &'static str,
        bin: &str,
    ) -> LocalBoxFuture<'static, Result<(), String>> {
        let what = format!("{stage}'s new {} checks", self.name());
        let file = std::path::Path::new(bin).file_name().unwrap_or_default();
        let before = format!("the {previous} {} ({})", self.name(), file.display());
        match self {
            Kind::Server => {
                let target = ours::server_target(stage, bin, Wire::Lines);
                prove(what, before, chat::new_checks(stage), target).boxed_local()
            }
            Kind::Client => {
                let target = ours::client_target(stage, bin, Wire::Lines);
                prove(what, before, client::new_checks(stage), target).boxed_local()
            }
            Kind::Part1 => {
                let target = ours::part1_target(stage, bin);
                prove(what, before, part1::checks(stage), target).boxed_local()
            }
        }
    }
}

/// Runs every check of `new` at once against `target` and requires each verdict to be the
/// one the check must give before its stage ([`tp6::grade::unlike_before`]).
async fn prove<T: Sync>(
    what: String,
    before: String,
    new: Vec<Check<T>>,
    target: T,
) -> Result<(), String> {
    let stage = new.first().map(|c| c.stage).unwrap_or_default();
    let report = run_each(stage, &new, &target, CHECK_LIMIT).await;
    let Some(id) = unlike_before(&new, &report) else {
        return Ok(());
    };
    let why = match new.iter().find(|c| c.id == id).and_then(|c| c.holds_before) {
        Some(reason) => format!("declares that it holds before ({reason:?}) but does not pass"),
        None => "does not fail (either it checks nothing the stage adds, or it keeps a \
                 behaviour and must say why with `holds_before` on the check)"
            .to_string(),
    };
    Err(format!("{what} against {before}: {id} {why}:\n{report}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_stage_s_new_checks_fail_on_the_previous_stage_s_program() {
    let implemented = || STAGES.iter().filter(|s| s.status == Status::Implemented);
    let mut errors = Vec::new();
    let mut proofs = Vec::new();
    for kind in KINDS {
        let name = kind.name();
        // The previous stage that has a program of this kind, and that program.
        let mut previous: Option<(&'static str, String)> = None;
        for stage in implemented() {
            let program = kind.program(stage.id);
            let new = kind.new_checks(stage.id);
            match (&program, &previous) {
                (None, _) if new > 0 => errors.push(format!(
                    "{}: {new} new {name} checks but no {name} to pass them",
                    stage.id
                )),
                (None, _) => {}
                (Some(_), None) => {
                    let first = implemented().find(|s| s.part == kind.first_part());
                    if first.map(|s| s.id) != Some(stage.id) {
                        errors.push(format!(
                            "{}: the first {name}, but not the first stage of {:?}: \
                             the stages before it lack one",
                            stage.id,
                            kind.first_part()
                        ));
                    }
                }
                (Some(_), Some(_)) if new == 0 => errors.push(format!(
                    "{}: no new {name} checks: nothing tells its {name} from the previous one",
                    stage.id
                )),
                (Some(_), Some((before, bin))) => proofs.push(kind.against(stage.id, before, bin)),
            }
            if let Some(bin) = program {
                previous = Some((stage.id, bin));
            }
        }
    }
    let results = futures::future::join_all(proofs).await;
    errors.extend(results.into_iter().filter_map(Result::err));
    assert!(errors.is_empty(), "{}", errors.join("\n\n"));
}
