//! The phrase banks, looked up by name, and the naming rule that ties a bank to grooming stages.
//!
//! The banks are plain-text files under `banks/`, compiled into the binary:
//!
//! ```text
//! == sec.tell            # a bank; its name carries its stage labels (below)
//! en:                    # the templates that follow are English ...
//! this is [just|] between us [ok|right]
//! id:                    # ... Indonesian ...
//! ini rahasia kita berdua ya
//! mx:                    # ... code-mixed (or language-neutral when `en` and `id` are empty)
//! it's our secret ya
//! ```
//!
//! Lines starting with `#` are comments. A bank whose name starts with stage codes before the
//! dot (`age.`, `sec.`, `meet_sec.`) holds messages that express those stages, whoever sends them
//! and whatever the family: a sibling's "don't tell mom about the surprise" is secrecy just like a
//! stranger's "don't tell your mom about me" (the conversation head, not the label, tells the two
//! apart). Every other bank (`kid.`, `small.`, `neg.`, `v.`, `deco.`) is stage-free. Keeping the
//! label in the name means a phrase can never be written into a stage bank without being labelled,
//! and a message built from several stage banks carries all of their labels (see
//! [`super::grammar`]).

use crate::event::Stage;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A named list of templates per language. `mx` holds code-mixed lines, or the
/// language-neutral ones (numbers, names) when `en` and `id` are empty.
#[derive(Debug, Default)]
pub(super) struct Bank {
    pub name: &'static str,
    pub en: Vec<&'static str>,
    pub id: Vec<&'static str>,
    pub mx: Vec<&'static str>,
}

/// The bank files, in the order they are read.
const FILES: &[(&str, &str)] = &[
    ("common.txt", include_str!("banks/common.txt")),
    ("small.txt", include_str!("banks/small.txt")),
    ("age.txt", include_str!("banks/age.txt")),
    ("flattery.txt", include_str!("banks/flattery.txt")),
    ("isolation.txt", include_str!("banks/isolation.txt")),
    ("secrecy.txt", include_str!("banks/secrecy.txt")),
    ("gifts.txt", include_str!("banks/gifts.txt")),
    ("platform.txt", include_str!("banks/platform.txt")),
    ("photo.txt", include_str!("banks/photo.txt")),
    ("meeting.txt", include_str!("banks/meeting.txt")),
    ("threats.txt", include_str!("banks/threats.txt")),
    ("benign.txt", include_str!("banks/benign.txt")),
];

/// A malformed line of a bank file (checked by a test: the files are compiled in, so this is a
/// programming error, reported instead of panicking at generation time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct BankFileError {
    pub file: &'static str,
    pub line: usize,
    pub message: String,
}

/// Parses one bank file.
pub(super) fn parse_file(file: &'static str, text: &'static str) -> (Vec<Bank>, Vec<BankFileError>) {
    let mut banks: Vec<Bank> = Vec::new();
    let mut errors = Vec::new();
    let mut lang: Option<&'static str> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let err = |message: &str| BankFileError { file, line: i + 1, message: message.to_string() };
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix("== ") {
            banks.push(Bank { name: name.trim(), ..Bank::default() });
            lang = None;
            continue;
        }
        if matches!(line, "en:" | "id:" | "mx:") {
            lang = Some(&line[..2]);
            continue;
        }
        let (Some(bank), Some(l)) = (banks.last_mut(), lang) else {
            errors.push(err("template outside a bank's language section"));
            continue;
        };
        match l {
            "en" => bank.en.push(line),
            "id" => bank.id.push(line),
            _ => bank.mx.push(line),
        }
    }
    (banks, errors)
}

fn parsed() -> &'static (Vec<Bank>, Vec<BankFileError>) {
    static BANKS: OnceLock<(Vec<Bank>, Vec<BankFileError>)> = OnceLock::new();
    BANKS.get_or_init(|| {
        let mut all = (Vec::new(), Vec::new());
        for (name, text) in FILES {
            let (b, e) = parse_file(name, text);
            all.0.extend(b);
            all.1.extend(e);
        }
        all
    })
}

/// Every bank of every file.
pub(super) fn all() -> impl Iterator<Item = &'static Bank> {
    parsed().0.iter()
}

/// Problems found while reading the bank files (empty when they are well-formed).
#[cfg(test)]
pub(super) fn file_errors() -> &'static [BankFileError] {
    &parsed().1
}

/// The raw text of every bank file, for the content tests.
#[cfg(test)]
pub(super) fn files() -> &'static [(&'static str, &'static str)] {
    FILES
}

pub(super) fn bank(name: &str) -> Option<&'static Bank> {
    static INDEX: OnceLock<HashMap<&'static str, &'static Bank>> = OnceLock::new();
    INDEX.get_or_init(|| all().map(|b| (b.name, b)).collect()).get(name).copied()
}

/// The stages a bank's messages express, from the codes before the dot of its name.
pub(super) fn stages_of(name: &str) -> Vec<Stage> {
    let Some((prefix, _)) = name.split_once('.') else {
        return Vec::new();
    };
    prefix
        .split('_')
        .filter_map(|code| match code {
            "age" => Some(Stage::AgeProbing),
            "flat" => Some(Stage::Flattery),
            "iso" => Some(Stage::TrustIsolation),
            "sec" => Some(Stage::Secrecy),
            "gift" => Some(Stage::GiftsMoney),
            "move" => Some(Stage::PlatformMove),
            "photo" => Some(Stage::PhotoRequest),
            "meet" => Some(Stage::Meeting),
            "thr" => Some(Stage::Sextortion),
            _ => None,
        })
        .collect()
}

/// Distinct templates (before alternation expansion) per stage and language list (`en`, `id`,
/// `mx`), and the number of surface forms their alternatives spell out. A template counts for
/// every stage of its bank.
pub(super) fn template_counts() -> std::collections::BTreeMap<(Stage, &'static str), (usize, f64)> {
    let mut seen: std::collections::BTreeMap<(Stage, &'static str), std::collections::BTreeSet<&'static str>> =
        Default::default();
    for b in all() {
        for st in stages_of(b.name) {
            for (lang, list) in [("en", &b.en), ("id", &b.id), ("mx", &b.mx)] {
                seen.entry((st, lang)).or_default().extend(list.iter().copied());
            }
        }
    }
    seen.into_iter()
        .map(|(k, ts)| {
            let variety = ts.iter().map(|t| super::grammar::variants(t)).sum();
            (k, (ts.len(), variety))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::grammar;
    use super::*;

    #[test]
    fn bank_names_are_unique_and_every_reference_resolves() {
        let mut names = std::collections::HashSet::new();
        for b in all() {
            assert!(names.insert(b.name), "duplicate bank {}", b.name);
            assert!(!b.name.is_empty() && !b.name.contains(' '), "bad bank name {:?}", b.name);
            assert!(!(b.en.is_empty() && b.id.is_empty() && b.mx.is_empty()), "empty bank {}", b.name);
            for t in b.en.iter().chain(&b.id).chain(&b.mx) {
                assert!(grammar::balanced(t), "unbalanced template in {}: {t}", b.name);
                for r in grammar::references(t) {
                    assert!(bank(&r).is_some(), "{} refers to missing bank {r}", b.name);
                }
            }
        }
    }

    #[test]
    fn bank_files_are_well_formed() {
        assert_eq!(file_errors(), &[] as &[BankFileError]);
        let (b, e) = parse_file("t.txt", "stray\n== a.b\nen:\nhi [x|y]\n# note\nmx:\nyo\n");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].line, 1);
        assert_eq!((b[0].name, b[0].en.clone(), b[0].mx.clone()), ("a.b", vec!["hi [x|y]"], vec!["yo"]));
    }

    #[test]
    fn stage_codes_map_to_stages() {
        assert_eq!(stages_of("meet_sec.pickup"), vec![Stage::Meeting, Stage::Secrecy]);
        assert_eq!(stages_of("kid.ok"), Vec::<Stage>::new());
        assert_eq!(stages_of("neg.surprise"), Vec::<Stage>::new());
        // Every stage has at least one bank, so every stage can be learnt.
        for st in Stage::ALL {
            assert!(all().any(|b| stages_of(b.name).contains(&st)), "no bank for {st}");
        }
    }
}
