//! Each stage's new checks fail on the previous stage's program: the proof that every
//! check tests something its stage adds, for every implemented stage of the manifest and
//! each kind of program (chat server, chat client, Part I program).
//!
//! A stage's new checks run against the program of the nearest earlier implemented stage
//! that has one of the same kind, given the previous stage's own command
//! (tests/common/ours.rs: a command it accepts, so the checks look at what it does rather
//! than at a usage error), and each must fail there, except a check declaring
//! `holds_before` (src/grade/mod.rs), which must pass there. A check that needs a
//! placeholder only this stage's command has (`{log}` at bonus 2 logs, `{url}` at web_sync)
//! cannot be put to the previous program: it may skip, saying so. The first stage of each
//! kind has nothing before it. Every check of every stage runs at once, so the test takes
//! about as long as its slowest check.

mod common;

use common::{ours, run_each};
use futures::future::{FutureExt, LocalBoxFuture};
use std::time::Duration;
use tp6::chat::wire::Wire;
use tp6::grade::server::{ServerSource, ServerTarget};
use tp6::grade::{Check, Verdict, chat, client, part1};
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

    /// `stage`'s new checks against `bin`, the `previous` stage's program, run with the
    /// previous stage's own command (one it accepts: given this stage's, a program that
    /// does not know its new flags would exit on a usage error before any check looked at
    /// it). Servers speak `lines` and are graded with `stage`'s rules.
    fn against(
        self,
        stage: &'static str,
        previous: &'static str,
        bin: &str,
    ) -> LocalBoxFuture<'static, Result<(), String>> {
        let what = format!("{stage}'s new {} checks", self.name());
        let file = std::path::Path::new(bin).file_name().unwrap_or_default();
        let before = format!("the {previous} {} ({})", self.name(), file.display());
        // A placeholder only this stage's command has: a check that needs it cannot be
        // put to the previous program, and may skip saying so.
        let (now, then) = self.commands(stage, previous);
        let new_places: Vec<String> = placeholders(&now)
            .into_iter()
            .filter(|p| !placeholders(&then).contains(p))
            .collect();
        let proof = Proof {
            what,
            before,
            new_places,
        };
        match self {
            Kind::Server => {
                let own = ours::server_target(previous, bin, Wire::Lines);
                let target = ServerTarget::new(own.source, Wire::Lines, stage);
                proof.run(chat::new_checks(stage), target).boxed_local()
            }
            Kind::Client => {
                let target = ours::client_target(previous, bin, Wire::Lines);
                proof.run(client::new_checks(stage), target).boxed_local()
            }
            Kind::Part1 => {
                let target = ours::part1_target(previous, bin);
                proof.run(part1::checks(stage), target).boxed_local()
            }
        }
    }

    /// The command templates of `stage` and `previous` for this kind (any binary: only
    /// their placeholders are compared).
    fn commands(self, stage: &str, previous: &str) -> (Vec<String>, Vec<String>) {
        let of = |id: &str| match self {
            Kind::Server => match ours::server_target(id, "bin", Wire::Lines).source {
                ServerSource::Command(c) => c,
                other => panic!("our servers are commands, not {other:?}"),
            },
            Kind::Client => ours::client_target(id, "bin", Wire::Lines).command,
            Kind::Part1 => ours::part1_target(id, "bin").command,
        };
        (of(stage), of(previous))
    }
}

/// The `{name}`s of a command template.
fn placeholders(template: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for arg in template {
        let mut rest = arg.as_str();
        while let Some((_, after)) = rest.split_once('{') {
            let Some((name, tail)) = after.split_once('}') else {
                break;
            };
            found.push(format!("{{{name}}}"));
            rest = tail;
        }
    }
    found
}

/// One stage's new checks put to the previous stage's program.
struct Proof {
    /// "bonus_1's new server checks", for the message.
    what: String,
    /// "the ii_6 server (chat_server_ii_6)", for the message.
    before: String,
    /// The placeholders this stage's command has and the previous one's lacks.
    new_places: Vec<String>,
}

impl Proof {
    /// Runs every check of `new` at once against `target` and requires each verdict to be
    /// the one the check must give before its stage ([`tp6::grade::Check::verdict_before`]),
    /// or a skip naming a placeholder only this stage's command has: that check's subject
    /// is the stage's new interface, which the previous program cannot even be given.
    async fn run<T: Sync>(self, new: Vec<Check<T>>, target: T) -> Result<(), String> {
        let stage = new.first().map(|c| c.stage).unwrap_or_default();
        let report = run_each(stage, &new, &target, CHECK_LIMIT).await;
        let wrong = report.checks.iter().find(|c| {
            let Some(check) = new.iter().find(|n| n.id == c.id) else {
                return true;
            };
            let expected = check.verdict_before();
            let unposable = c.verdict == Verdict::Skip
                && expected == Verdict::Fail
                && self
                    .new_places
                    .iter()
                    .any(|p| c.reason.contains(p.as_str()));
            c.verdict != expected && !unposable
        });
        let Some(wrong) = wrong else {
            return Ok(());
        };
        let id = wrong.id.as_str();
        let why = match new.iter().find(|c| c.id == id).and_then(|c| c.holds_before) {
            Some(reason) => format!("declares that it holds before ({reason:?}) but does not pass"),
            None if wrong.verdict == Verdict::Skip => format!(
                "skips, and not for a placeholder only this stage's command has ({})",
                self.new_places.join(", ")
            ),
            None => "does not fail (either it checks nothing the stage adds, or it keeps a \
                     behaviour and must say why with `holds_before` on the check)"
                .to_string(),
        };
        Err(format!(
            "{} against {}: {id} {why}:\n{report}",
            self.what, self.before
        ))
    }
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
