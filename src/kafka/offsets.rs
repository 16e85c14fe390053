//! At-least-once offset tracking (pure).
//!
//! Kafka commits one offset per partition: "everything before this is done". jaga has several
//! batches in flight, and their events are acknowledged out of order, so a partition's committable
//! offset is the lowest offset not yet *done* — a message is done when every risk event (or
//! dead-letter record) it caused has been acknowledged by the broker.
//!
//! It is further held back by the *horizon*: the lowest offset that a live conversation window
//! still holds. After a crash, jaga re-reads from the committed offset; if that lay past the start
//! of a live window, the rebuilt window would miss messages and an event the uninterrupted run
//! would have emitted could be lost. Re-reading from the horizon rebuilds the same windows, and the
//! deterministic `event_id` makes the re-emitted events deduplicable.

use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Default, Clone)]
struct PartitionState {
    /// Offsets read but not yet done.
    pending: BTreeSet<i64>,
    /// One past the highest offset read.
    next: Option<i64>,
    /// Lowest offset live windows still need, with the sequence number of the batch that said so
    /// (results can arrive out of order; only a newer report may replace an older one).
    horizon: Option<(u64, Option<i64>)>,
    /// Last offset committed (or handed out to commit).
    committed: Option<i64>,
}

/// Tracks, per partition, which offsets are done and what may be committed.
#[derive(Debug, Default)]
pub struct OffsetTracker {
    parts: HashMap<i32, PartitionState>,
}

impl OffsetTracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// A record was read.
    pub fn begin(&mut self, partition: i32, offset: i64) {
        let p = self.parts.entry(partition).or_default();
        p.pending.insert(offset);
        p.next = Some(p.next.map_or(offset + 1, |n| n.max(offset + 1)));
    }

    /// Everything a record caused has been acknowledged. Unknown partitions (revoked meanwhile)
    /// are ignored: their offsets belong to another consumer now.
    pub fn complete(&mut self, partition: i32, offset: i64) {
        if let Some(p) = self.parts.get_mut(&partition) {
            p.pending.remove(&offset);
        }
    }

    /// The engine reports, after batch number `seq`, the lowest offset its windows still hold.
    pub fn set_horizon(&mut self, partition: i32, seq: u64, horizon: Option<i64>) {
        if let Some(p) = self.parts.get_mut(&partition) {
            if p.horizon.is_none_or(|(s, _)| seq > s) {
                p.horizon = Some((seq, horizon));
            }
        }
    }

    /// Messages read and not yet done, over all partitions.
    pub fn inflight(&self) -> usize {
        self.parts.values().map(|p| p.pending.len()).sum()
    }

    /// The offset that may be committed for `partition` now (Kafka semantics: the next offset to
    /// read), if it moved past the last one committed.
    pub fn committable(&self, partition: i32) -> Option<i64> {
        let p = self.parts.get(&partition)?;
        let done_upto = match p.pending.first() {
            Some(&lowest) => lowest,
            None => p.next?,
        };
        let target = match p.horizon {
            Some((_, Some(h))) => done_upto.min(h),
            _ => done_upto,
        };
        match p.committed {
            Some(c) if target <= c => None,
            _ => Some(target),
        }
    }

    /// Every partition's committable offset, marking them committed.
    pub fn take_committable(&mut self) -> Vec<(i32, i64)> {
        let mut out: Vec<(i32, i64)> =
            self.parts.keys().filter_map(|&part| self.committable(part).map(|o| (part, o))).collect();
        out.sort_unstable();
        for &(part, off) in &out {
            if let Some(p) = self.parts.get_mut(&part) {
                p.committed = Some(off);
            }
        }
        out
    }

    /// A commit failed: allow these offsets to be committed again.
    pub fn commit_failed(&mut self, offsets: &[(i32, i64)]) {
        for (part, off) in offsets {
            if let Some(p) = self.parts.get_mut(part) {
                if p.committed == Some(*off) {
                    p.committed = None;
                }
            }
        }
    }

    /// Forgets a partition (revoked); later completions for it are ignored.
    pub fn revoke(&mut self, partition: i32) {
        self.parts.remove(&partition);
    }

    pub fn partitions(&self) -> Vec<i32> {
        let mut v: Vec<i32> = self.parts.keys().copied().collect();
        v.sort_unstable();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_only_the_contiguous_done_prefix() {
        let mut t = OffsetTracker::new();
        for o in 10..15 {
            t.begin(0, o);
        }
        assert_eq!(t.committable(0), Some(10), "nothing done: commit where we started");
        t.complete(0, 11);
        t.complete(0, 12);
        assert_eq!(t.committable(0), Some(10), "10 not done: cannot pass it");
        t.complete(0, 10);
        assert_eq!(t.committable(0), Some(13));
        t.complete(0, 14);
        assert_eq!(t.committable(0), Some(13));
        t.complete(0, 13);
        assert_eq!(t.committable(0), Some(15));
        assert_eq!(t.inflight(), 0);
    }

    #[test]
    fn horizon_holds_commits_back_and_only_newer_reports_count() {
        let mut t = OffsetTracker::new();
        for o in 0..10 {
            t.begin(3, o);
            t.complete(3, o);
        }
        t.set_horizon(3, 2, Some(4));
        assert_eq!(t.committable(3), Some(4));
        t.set_horizon(3, 1, Some(0));
        assert_eq!(t.committable(3), Some(4), "a stale report must not move the horizon back");
        t.set_horizon(3, 3, None);
        assert_eq!(t.committable(3), Some(10), "no live window: everything read may be committed");
    }

    #[test]
    fn take_committable_does_not_repeat_and_failed_commits_retry() {
        let mut t = OffsetTracker::new();
        t.begin(1, 5);
        t.complete(1, 5);
        assert_eq!(t.take_committable(), vec![(1, 6)]);
        assert!(t.take_committable().is_empty());
        t.commit_failed(&[(1, 6)]);
        assert_eq!(t.take_committable(), vec![(1, 6)]);
    }

    #[test]
    fn revoked_partitions_are_forgotten() {
        let mut t = OffsetTracker::new();
        t.begin(2, 1);
        t.revoke(2);
        t.complete(2, 1);
        assert_eq!(t.committable(2), None);
        assert!(t.partitions().is_empty());
    }
}
