//! CONTRACT.md against the tree: every stage of the manifest has its anchor there, and every
//! citation of one of its sections anywhere in the repository (the file name, `§`, the
//! section's heading or stage id) names one that exists, so a renamed section cannot leave
//! code pointing at nothing.

use std::path::{Path, PathBuf};
use tp6::stages::STAGES;

/// What a citation starts with (spelt in two pieces so that this file cites nothing).
const CITE: &str = concat!("CONTRACT.md ", "§");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn contract() -> String {
    std::fs::read_to_string(root().join("CONTRACT.md")).expect("CONTRACT.md exists")
}

/// What a citation may name: every heading (and, for `Part I — async warm-up`, its part
/// before the dash) and every `<a id="…">` anchor.
fn section_names(contract: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in contract.lines() {
        if let Some(heading) = line.strip_prefix('#') {
            let heading = heading.trim_start_matches('#').trim();
            names.push(heading.to_string());
            if let Some((short, _)) = heading.split_once(" — ") {
                names.push(short.to_string());
            }
        }
        for piece in line.split("<a id=\"").skip(1) {
            if let Some((id, _)) = piece.split_once('"') {
                names.push(id.to_string());
            }
        }
    }
    names
}

/// The repository's own text files: sources, docs, scripts (build output and git excluded).
fn text_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable directory") {
        let path = entry.expect("directory entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if path.is_dir() {
            if !matches!(name, "target" | ".git" | "results" | "__pycache__") {
                text_files(&path, out);
            }
        } else if name.ends_with(".rs")
            || name.ends_with(".md")
            || name.ends_with(".py")
            || name.ends_with(".toml")
            || path.parent().and_then(Path::file_name) == Some(".ci".as_ref())
        {
            out.push(path);
        }
    }
}

#[test]
fn every_stage_has_its_anchor_in_contract_md() {
    let names = section_names(&contract());
    for stage in STAGES {
        assert!(
            names.iter().any(|n| n == stage.id),
            "CONTRACT.md has no `<a id=\"{}\">` for stage {}",
            stage.id,
            stage.id
        );
    }
}

#[test]
fn every_citation_names_a_section_of_contract_md() {
    let names = section_names(&contract());
    let mut files = Vec::new();
    text_files(root(), &mut files);
    let mut cited = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for (at, _) in text.match_indices(CITE) {
            cited += 1;
            let after = &text[at + CITE.len()..];
            let shown = after.lines().next().unwrap_or_default();
            let name_start = after.strip_prefix(' ').unwrap_or(after);
            // A name matches when the citation continues with it and then a non-word
            // character: `Part II;` names "Part II", `Part III` does not name "Part I".
            let known = names.iter().any(|n| {
                name_start.strip_prefix(n.as_str()).is_some_and(|rest| {
                    !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_')
                })
            });
            assert!(
                known,
                "{}: `{CITE}{shown}` names no heading or stage of CONTRACT.md (keep `§` \
                 and the name on one line)",
                file.display()
            );
        }
    }
    assert!(cited > 0, "no citation found: is the search broken?");
}
