//! The stage manifest (`src/stages.rs`) against the tree: every implemented stage has its
//! binaries and a STAGES.md section, every binary belongs to a stage or is a tool, and a
//! planned stage has no binary yet.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use tp6::stages::{STAGES, Status, TOOLS};

fn binaries_in_tree() -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/bin");
    std::fs::read_dir(dir)
        .expect("src/bin exists")
        .filter_map(|e| {
            let path = e.ok()?.path();
            (path.extension()? == "rs").then(|| path.file_stem()?.to_str().map(String::from))?
        })
        .collect()
}

#[test]
fn every_implemented_stage_has_its_binaries_and_planned_ones_have_none() {
    let tree = binaries_in_tree();
    for stage in STAGES {
        for bin in stage.binaries {
            match stage.status {
                Status::Implemented => assert!(
                    tree.contains(*bin),
                    "stage {} lists {bin}, which is not in src/bin",
                    stage.id
                ),
                Status::Planned => assert!(
                    !tree.contains(*bin),
                    "stage {} is Planned but {bin} exists: mark it Implemented",
                    stage.id
                ),
            }
        }
    }
}

#[test]
fn every_binary_is_in_a_stage_or_is_a_tool() {
    for bin in binaries_in_tree() {
        let in_stage = STAGES.iter().any(|s| s.binaries.contains(&bin.as_str()));
        assert!(
            in_stage || TOOLS.contains(&bin.as_str()),
            "src/bin/{bin}.rs belongs to no stage of src/stages.rs"
        );
    }
}

#[test]
fn stages_md_has_a_section_per_implemented_stage_in_manifest_order() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("STAGES.md"))
        .expect("STAGES.md exists");
    let headings: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .map(str::trim)
        .collect();
    let mut last = 0;
    for stage in STAGES.iter().filter(|s| s.status == Status::Implemented) {
        let at = headings.iter().position(|h| *h == stage.id);
        let at = at.unwrap_or_else(|| panic!("STAGES.md has no section `## {}`", stage.id));
        assert!(
            at >= last,
            "STAGES.md: section {} is out of manifest order",
            stage.id
        );
        last = at;
    }
}

#[test]
fn stage_ids_are_unique() {
    let ids: BTreeSet<&str> = STAGES.iter().map(|s| s.id).collect();
    assert_eq!(ids.len(), STAGES.len());
}

/// Every binary answers `--help` with exit 0 and a description of its own (the package
/// description is shared, so a binary showing it has lost its doc comment).
#[test]
fn every_binary_has_its_own_help() {
    let package = env!("CARGO_PKG_DESCRIPTION");
    let mut firsts = BTreeSet::new();
    for bin in binaries_in_tree() {
        let out = std::process::Command::new(common::ours::binary(&bin))
            .arg("--help")
            .output();
        let out = out.unwrap_or_else(|e| panic!("{bin} --help: {e}"));
        assert!(
            out.status.success(),
            "{bin} --help exits {:?}",
            out.status.code()
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let first = text.lines().next().unwrap_or_default().to_string();
        assert!(
            !first.is_empty() && !package.starts_with(&first),
            "{bin} --help: {first:?}"
        );
        assert!(
            firsts.insert(first.clone()),
            "{bin} shares its description {first:?}"
        );
    }
}
