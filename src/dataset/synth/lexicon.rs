//! The phrase banks, looked up by name, and the naming rule that ties a bank to grooming stages.
//!
//! A bank whose name starts with stage codes before the dot (`age.`, `sec.`, `meet_sec.`) holds
//! messages that express those stages when the suspect sends them; every other bank (`kid.`,
//! `small.`, `neg.*`, `v.`, `deco.`) is stage-free. Keeping the label in the name means a phrase
//! can never be written into a stage bank without being labelled.

use super::{lex_benign, lex_common, lex_groom};
use crate::event::Stage;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A named list of templates per language. `mx` holds code-mixed lines, or the
/// language-neutral ones (numbers, names) when `en` and `id` are empty.
pub(super) struct Bank {
    pub name: &'static str,
    pub en: &'static [&'static str],
    pub id: &'static [&'static str],
    pub mx: &'static [&'static str],
}

/// Every bank of every content file.
pub(super) fn all() -> impl Iterator<Item = &'static Bank> {
    lex_common::BANKS.iter().chain(lex_groom::BANKS.iter()).chain(lex_benign::BANKS.iter())
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

#[cfg(test)]
mod tests {
    use super::super::grammar;
    use super::*;

    #[test]
    fn bank_names_are_unique_and_every_reference_resolves() {
        let mut names = std::collections::HashSet::new();
        for b in all() {
            assert!(names.insert(b.name), "duplicate bank {}", b.name);
            assert!(!(b.en.is_empty() && b.id.is_empty() && b.mx.is_empty()), "empty bank {}", b.name);
            for t in b.en.iter().chain(b.id).chain(b.mx) {
                assert!(grammar::balanced(t), "unbalanced template in {}: {t}", b.name);
                for r in grammar::references(t) {
                    assert!(bank(&r).is_some(), "{} refers to missing bank {r}", b.name);
                }
            }
        }
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
