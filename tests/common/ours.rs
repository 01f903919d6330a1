//! Our own programs, stage by stage, read from the stage manifest (`tp6::stages::STAGES`):
//! where a binary is, which server, client or Part I program a stage has, and the command a
//! teacher would give `grade` for a stage's program. A template is a function of the stage
//! and takes any binary, so a later stage's command can run an earlier stage's program
//! (tests/previous_stage.rs does, to prove each stage's new checks fail there).

use std::path::PathBuf;
use tp6::chat::wire::Wire;
use tp6::grade::at_or_after;
use tp6::grade::client::ClientTarget;
use tp6::grade::part1::Part1Target;
use tp6::grade::server::{ServerSource, ServerTarget};
use tp6::stages::{Part, Stage, Status};

/// The path of the crate's binary `name`. Integration tests run from `target/<profile>/deps`
/// and cargo builds every binary of the crate into `target/<profile>` before them.
pub fn binary(name: &str) -> String {
    let exe = std::env::current_exe().expect("the test's own path");
    let deps = exe.parent().expect("the test's directory");
    let profile = match deps.file_name() {
        Some(dir) if dir == "deps" => deps.parent().unwrap_or(deps),
        _ => deps,
    };
    let path: PathBuf = profile.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "no binary {name} at {}: is it in src/bin and the manifest?",
        path.display()
    );
    path.to_string_lossy().into_owned()
}

/// The manifest's stage `id`.
fn stage(id: &str) -> &'static Stage {
    tp6::stages::stage(id).unwrap_or_else(|| panic!("no stage {id} in the manifest"))
}

/// The binary of stage `id` whose name starts with `prefix`, if the stage is implemented.
fn program(id: &str, prefix: &str) -> Option<String> {
    let stage = stage(id);
    if stage.status != Status::Implemented {
        return None;
    }
    stage
        .binaries
        .iter()
        .find(|b| b.starts_with(prefix))
        .map(|b| binary(b))
}

/// The chat server of stage `id` (`None` for Part I and planned stages).
pub fn server(id: &str) -> Option<String> {
    program(id, "chat_server_")
}

/// The chat client of stage `id` (`None` where it has none: ii_4 reuses ii_3's).
pub fn client(id: &str) -> Option<String> {
    program(id, "chat_client_")
}

/// The program of Part I stage `id` (`None` for any other stage).
pub fn part1(id: &str) -> Option<String> {
    (stage(id).part == Part::One)
        .then(|| program(id, ""))
        .flatten()
}

/// What `--wire` takes for `wire`.
fn wire_name(wire: Wire) -> &'static str {
    match wire {
        Wire::Lines => "lines",
        Wire::Tp => "tp",
    }
}

/// `bin` graded as a server of `stage`, with the command a teacher would give for one.
/// Part II: `--port 0`, the server announces the port it got (`Serving on`). The bonus
/// stages: `{port}`, and the placeholders their checks need (`{log}` from bonus 2 logs,
/// `{address}` and `{config}` from bonus 3); no `--wire` from bonus 4 on (frames only).
pub fn server_target(stage: &str, bin: &str, wire: Wire) -> ServerTarget {
    let from = |first| at_or_after(stage, first);
    let mut c = if from("bonus_1") {
        vec![bin, "-p", "{port}"]
    } else {
        vec![bin, "--port", "0"]
    };
    if !from("bonus_4") {
        c.extend(["--wire", wire_name(wire)]);
    }
    if from("bonus_2_logs") {
        c.extend(["--log-file", "{log}"]);
    }
    if from("bonus_3") {
        c.extend(["-a", "{address}", "--config", "{config}"]);
    }
    let command = c.into_iter().map(String::from).collect();
    ServerTarget::new(ServerSource::Command(command), wire, stage)
}

/// `bin` graded as a client of `stage`, on pipes, with the command a teacher would give for
/// one. Part II: `--port {port}`, the pseudo typed (add `--pseudo {pseudo}` to give it).
/// The bonus stages: the pseudo given, then their files (never the user's own ID file or
/// `/var/log`) from bonus 2 on, the config file and the address at bonus 3, no `--wire`
/// from bonus 4 on (frames only).
pub fn client_target(stage: &str, bin: &str, wire: Wire) -> ClientTarget {
    let from = |first| at_or_after(stage, first);
    if !from("bonus_1") {
        return ClientTarget::new([bin, "--port", "{port}", "--wire", wire_name(wire)], wire);
    }
    let mut c = vec![bin, "-p", "{port}"];
    let wire = if from("bonus_4") {
        Wire::Lines
    } else {
        c.extend(["--wire", wire_name(wire)]);
        wire
    };
    c.extend(["--pseudo", "{pseudo}"]);
    if from("bonus_2_ids") {
        c.extend(["--id-file", "{id_file}"]);
    }
    if from("bonus_2_logs") {
        c.extend(["--log-file", "{log}"]);
    }
    if from("bonus_3") {
        c.extend(["-a", "{address}", "--config", "{config}"]);
    }
    ClientTarget::new(c, wire)
}

/// `bin` graded as the program of Part I stage `stage`, with the command a teacher would
/// give for one: the sleep programs count to 4 every 100 ms, the web programs get the
/// placeholders of the loopback fixture (one page or a list) and a 5 s timeout.
pub fn part1_target(stage: &str, bin: &str) -> Part1Target {
    match stage {
        "sleep_and_print" | "sleep_and_print_async" => {
            Part1Target::new([bin, "--count", "4", "--interval-ms", "100"])
        }
        "web_sync" | "web_async" => {
            Part1Target::new([bin, "--output", "{output}", "--timeout", "5", "{url}"])
        }
        "web_sync_multiple" | "web_async_multiple" | "measure" => Part1Target::new([
            bin,
            "--out-dir",
            "{out_dir}",
            "--timeout",
            "5",
            "{urls_file}",
        ]),
        other => panic!("no Part I command for {other}"),
    }
}
