//! Real benign chat as background: reading the pool and its fixed split.
//!
//! The pool (`../shared/realchat/`, see its README) is human-written chat that contains no
//! grooming. Training reads it from where it lies, never copying it into the repository, and uses
//! every message as an all-zero stage target and every conversation as a negative of the
//! conversation head, so both heads learn what ordinary people actually write.
//!
//! **The split is fixed, not seeded**: a record belongs to the validation part when its *record
//! number* is divisible by [`VALIDATION_EVERY`], whatever the seed, the files given or their
//! order. The number is the trailing `NNNN` of the id (`rc-personachat-en-0042` → 42; a chunk
//! suffix `-cK` is ignored, so the chunks of one dialogue stay together). The parallel pairs
//! `rc-personachat-en-NNNN` ↔ `rc-xpersona-id-NNNN` share their number, so a translation never
//! sits on the other side of the split from its original. Records without a number (a
//! platform's own benign chat) are placed by a hash of their id instead.
//!
//! The validation part is for measurement and model selection only: nothing is fitted on it.
//! Within the training part, [`cross_fit_fold`] assigns the cross-fitting folds by the same
//! number, so pairs also stay in one fold.

use super::TrainError;
use crate::dataset::{read_jsonl, LabelledConversation};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// Every `VALIDATION_EVERY`-th record number is held out for validation (a quarter of the pool).
pub const VALIDATION_EVERY: u64 = 4;

/// The side of the fixed split a background record is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    Train,
    Validation,
}

impl Part {
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Train => "train",
            Part::Validation => "validation",
        }
    }
}

impl std::str::FromStr for Part {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "train" => Ok(Part::Train),
            "validation" => Ok(Part::Validation),
            other => Err(format!("unknown split part {other:?} (train, validation)")),
        }
    }
}

/// The record number of an id: its trailing digits after the last `-`, once a chunk suffix
/// (`-c` followed by digits) is removed. `None` when the id does not end in digits.
pub fn record_number(id: &str) -> Option<u64> {
    let base = match id.rsplit_once("-c") {
        Some((head, chunk)) if !chunk.is_empty() && chunk.bytes().all(|b| b.is_ascii_digit()) => head,
        _ => id,
    };
    let digits = base.rsplit_once('-').map_or(base, |(_, tail)| tail);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The first 8 bytes of `bytes`' sha256 as a little-endian number: a seed-free hash that is the
/// same on every machine and run (the splits and folds of training hang on it).
pub(super) fn sha256_u64(bytes: &[u8]) -> u64 {
    let h = Sha256::digest(bytes);
    u64::from_le_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]])
}

/// A stable number for an id: its record number, else [`sha256_u64`] of it.
fn split_key(id: &str) -> u64 {
    record_number(id).unwrap_or_else(|| sha256_u64(id.as_bytes()))
}

/// Which part of the fixed split the record `id` is on (see the module docs).
pub fn part_of(id: &str) -> Part {
    if split_key(id) % VALIDATION_EVERY == 0 {
        Part::Validation
    } else {
        Part::Train
    }
}

/// Cross-fitting fold (`0..k`) of a training-part record, by its record number.
pub fn cross_fit_fold(id: &str, k: usize) -> usize {
    (sha256_u64(format!("fold:{}", split_key(id)).as_bytes()) % k.max(1) as u64) as usize
}

/// Reads background conversations from files and directories (every `*.jsonl` directly inside a
/// directory, in name order). Every record must be labelled benign: background is never grooming.
pub fn read_background(paths: &[PathBuf]) -> Result<Vec<LabelledConversation>, TrainError> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| TrainError::Io { path: p.clone(), source: e })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "jsonl") && f.is_file())
                .collect();
            if found.is_empty() {
                return Err(TrainError::Invalid(format!("{}: no .jsonl files in the background folder", p.display())));
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    let mut out = Vec::new();
    for f in &files {
        let convs = read_jsonl(f)?;
        if let Some(c) = convs.iter().find(|c| c.is_grooming()) {
            return Err(TrainError::Invalid(format!(
                "{}: background must be benign, but {} is labelled grooming",
                f.display(),
                c.conversation_id
            )));
        }
        out.extend(convs);
    }
    check_unique(&out, &files)?;
    Ok(out)
}

/// Two records with one id would land on the same side of the split and be counted twice.
fn check_unique(convs: &[LabelledConversation], files: &[PathBuf]) -> Result<(), TrainError> {
    let mut ids: Vec<&str> = convs.iter().map(|c| c.conversation_id.as_str()).collect();
    ids.sort_unstable();
    match ids.windows(2).find(|w| w[0] == w[1]) {
        Some(w) => Err(TrainError::Invalid(format!(
            "background conversation id {} occurs twice in {}",
            w[0],
            files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_numbers_come_from_the_id_tail() {
        assert_eq!(record_number("rc-personachat-en-0042"), Some(42));
        assert_eq!(record_number("rc-topicalchat-0007-c2"), Some(7));
        assert_eq!(record_number("rc-emot-id-4000"), Some(4000));
        assert_eq!(record_number("chat-abc"), None);
        assert_eq!(record_number("chat-"), None);
        assert_eq!(record_number("12"), Some(12));
    }

    #[test]
    fn parallel_pairs_and_chunks_stay_on_one_side_and_the_split_is_fixed() {
        for n in 1..=476u64 {
            let en = format!("rc-personachat-en-{n:04}");
            let id = format!("rc-xpersona-id-{n:04}");
            assert_eq!(part_of(&en), part_of(&id), "{n}");
            assert_eq!(cross_fit_fold(&en, 4), cross_fit_fold(&id, 4), "{n}");
            assert_eq!(part_of(&format!("{en}-c1")), part_of(&en));
        }
        // Fixed: the rule is the number, written down in the docs.
        assert_eq!(part_of("rc-topicalchat-0008"), Part::Validation);
        assert_eq!(part_of("rc-topicalchat-0009"), Part::Train);
        let val = (1..=4000).filter(|n| part_of(&format!("rc-emot-id-{n:04}")) == Part::Validation).count();
        assert_eq!(val, 1000);
        // Folds split the training part evenly.
        let mut sizes = [0usize; 4];
        for n in 1..=4000 {
            sizes[cross_fit_fold(&format!("x-{n}"), 4)] += 1;
        }
        assert!(sizes.iter().all(|s| (900..1100).contains(s)), "{sizes:?}");
        // Ids without a number are placed by hash, deterministically.
        assert_eq!(part_of("platform-chat-abc"), part_of("platform-chat-abc"));
        assert_eq!("validation".parse::<Part>(), Ok(Part::Validation));
        assert!("test".parse::<Part>().is_err());
    }

    #[test]
    fn reads_folders_and_refuses_grooming_or_duplicate_background() {
        let dir = tempfile::tempdir().unwrap();
        let line = |id: &str, label: &str| {
            let onset = if label == "grooming" { "0" } else { "null" };
            format!(
                r#"{{"conversation_id":"{id}","language":"en","label":"{label}","onset":{onset},"suspect":null,"messages":[{{"sender_id":"a","sent_at":"2026-03-01T10:00:00Z","text":"hi"}}]}}"#
            )
        };
        std::fs::write(dir.path().join("b.jsonl"), format!("{}\n", line("x-0002", "benign"))).unwrap();
        std::fs::write(dir.path().join("a.jsonl"), format!("{}\n", line("x-0001", "benign"))).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not data").unwrap();
        let got = read_background(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(got.iter().map(|c| c.conversation_id.as_str()).collect::<Vec<_>>(), ["x-0001", "x-0002"]);
        let dup = read_background(&[dir.path().join("a.jsonl"), dir.path().join("a.jsonl")]).unwrap_err();
        assert!(dup.to_string().contains("occurs twice"), "{dup}");
        std::fs::write(dir.path().join("c.jsonl"), format!("{}\n", line("x-0003", "grooming"))).unwrap();
        let e = read_background(&[dir.path().to_path_buf()]).unwrap_err();
        assert!(e.to_string().contains("must be benign"), "{e}");
        let empty = tempfile::tempdir().unwrap();
        assert!(read_background(&[empty.path().to_path_buf()]).is_err());
    }
}
