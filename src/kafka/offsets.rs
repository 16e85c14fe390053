//! At-least-once offset tracking per partition assignment (pure).
//!
//! Kafka commits one offset per partition: "everything before this is done". jaga has several
//! batches in flight, acknowledged out of order, so a partition's committable offset is the lowest
//! offset not yet *done*. A record is done when everything it caused — risk events, dead-letter
//! copies, and then the state changelog records saying it was applied — has been acknowledged by
//! the broker. Nothing else holds commits back: a restart restores conversation state from the
//! changelog, so it never needs to re-read input it has committed past.
//!
//! Every assignment of a partition gets a new **generation**. A record is begun and completed
//! under the generation it was read in; a completion from an older generation (a batch that was in
//! flight when the partition was revoked, finishing after it was assigned back) is ignored, so a
//! stale batch can never mark the new assignment's records done.

use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Clone)]
struct PartitionState {
    generation: u64,
    /// Offsets handed to the pipeline and not yet done.
    pending: BTreeSet<i64>,
    /// One past the highest offset handed to the pipeline.
    next: Option<i64>,
    /// Last offset committed (or handed out to commit).
    committed: Option<i64>,
}

/// Tracks, per assigned partition, which offsets are done and what may be committed.
#[derive(Debug, Default)]
pub struct OffsetTracker {
    parts: HashMap<i32, PartitionState>,
    last_generation: u64,
}

impl OffsetTracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// The partition was assigned: a fresh generation, nothing pending.
    pub fn assign(&mut self, partition: i32) -> u64 {
        self.last_generation += 1;
        let generation = self.last_generation;
        self.parts
            .insert(partition, PartitionState { generation, pending: BTreeSet::new(), next: None, committed: None });
        generation
    }

    /// The partition was revoked: its records are forgotten, later completions ignored.
    pub fn revoke(&mut self, partition: i32) {
        self.parts.remove(&partition);
    }

    /// The generation of the current assignment of `partition`, if it is assigned.
    pub fn generation(&self, partition: i32) -> Option<u64> {
        self.parts.get(&partition).map(|p| p.generation)
    }

    pub fn is_current(&self, partition: i32, generation: u64) -> bool {
        self.generation(partition) == Some(generation)
    }

    /// A record was handed to the pipeline. False (and nothing recorded) if `generation` is not
    /// the partition's current one.
    pub fn begin(&mut self, partition: i32, generation: u64, offset: i64) -> bool {
        let Some(p) = self.current_mut(partition, generation) else {
            return false;
        };
        p.pending.insert(offset);
        p.next = Some(p.next.map_or(offset + 1, |n| n.max(offset + 1)));
        true
    }

    /// Everything a record caused has been acknowledged. Ignored for another generation.
    pub fn complete(&mut self, partition: i32, generation: u64, offset: i64) {
        if let Some(p) = self.current_mut(partition, generation) {
            p.pending.remove(&offset);
        }
    }

    fn current_mut(&mut self, partition: i32, generation: u64) -> Option<&mut PartitionState> {
        self.parts.get_mut(&partition).filter(|p| p.generation == generation)
    }

    /// Records handed to the pipeline and not yet done, over all partitions.
    pub fn inflight(&self) -> usize {
        self.parts.values().map(|p| p.pending.len()).sum()
    }

    /// Records of `partition` handed to the pipeline and not yet done.
    pub fn pending(&self, partition: i32) -> usize {
        self.parts.get(&partition).map_or(0, |p| p.pending.len())
    }

    /// The offset that may be committed for `partition` now (Kafka semantics: the next offset to
    /// read), if it moved past the last one committed.
    pub fn committable(&self, partition: i32) -> Option<i64> {
        let p = self.parts.get(&partition)?;
        let target = match p.pending.first() {
            Some(&lowest) => lowest,
            None => p.next?,
        };
        match p.committed {
            Some(c) if target <= c => None,
            _ => Some(target),
        }
    }

    /// Every partition's committable offset as `(partition, generation, offset)`, marking them
    /// committed.
    pub fn take_committable(&mut self) -> Vec<(i32, u64, i64)> {
        let mut out: Vec<(i32, u64, i64)> = self
            .parts
            .iter()
            .filter_map(|(&part, p)| self.committable(part).map(|o| (part, p.generation, o)))
            .collect();
        out.sort_unstable();
        for &(part, generation, off) in &out {
            if let Some(p) = self.current_mut(part, generation) {
                p.committed = Some(off);
            }
        }
        out
    }

    /// A commit failed: allow these offsets to be committed again (same generation only).
    pub fn commit_failed(&mut self, offsets: &[(i32, u64, i64)]) {
        for &(part, generation, off) in offsets {
            if let Some(p) = self.current_mut(part, generation) {
                if p.committed == Some(off) {
                    p.committed = None;
                }
            }
        }
    }

    /// Assigned partitions, sorted.
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
        let g = t.assign(0);
        for o in 10..15 {
            assert!(t.begin(0, g, o));
        }
        assert_eq!(t.committable(0), Some(10), "nothing done: commit where we started");
        t.complete(0, g, 11);
        t.complete(0, g, 12);
        assert_eq!(t.committable(0), Some(10), "10 not done: cannot pass it");
        t.complete(0, g, 10);
        assert_eq!(t.committable(0), Some(13));
        t.complete(0, g, 14);
        assert_eq!(t.committable(0), Some(13));
        t.complete(0, g, 13);
        assert_eq!(t.committable(0), Some(15));
        assert_eq!(t.inflight(), 0);
    }

    #[test]
    fn take_committable_does_not_repeat_and_failed_commits_retry() {
        let mut t = OffsetTracker::new();
        let g = t.assign(1);
        t.begin(1, g, 5);
        t.complete(1, g, 5);
        assert_eq!(t.take_committable(), vec![(1, g, 6)]);
        assert!(t.take_committable().is_empty());
        t.commit_failed(&[(1, g, 6)]);
        assert_eq!(t.take_committable(), vec![(1, g, 6)]);
    }

    #[test]
    fn revoked_partitions_are_forgotten() {
        let mut t = OffsetTracker::new();
        let g = t.assign(2);
        t.begin(2, g, 1);
        t.revoke(2);
        t.complete(2, g, 1);
        assert_eq!(t.committable(2), None);
        assert!(t.partitions().is_empty());
        assert!(!t.begin(2, g, 2), "a revoked partition takes no new records");
    }

    #[test]
    fn a_stale_batch_cannot_clear_the_new_assignments_pending_offsets() {
        let mut t = OffsetTracker::new();
        let old = t.assign(0);
        for o in 0..4 {
            t.begin(0, old, o);
        }
        // Revoked while offsets 0..4 are in flight, then assigned back: the new owner (this
        // process again) re-reads from the last commit, here 0.
        t.revoke(0);
        let new = t.assign(0);
        assert_ne!(old, new);
        for o in 0..4 {
            t.begin(0, new, o);
        }
        // The stale batch finishes now.
        for o in 0..4 {
            t.complete(0, old, o);
        }
        assert_eq!(t.pending(0), 4, "stale completions are ignored");
        assert_eq!(t.committable(0), Some(0), "nothing of the new assignment is done");
        assert!(!t.begin(0, old, 9), "records read under the old generation are refused");
        // A stale commit failure cannot reset the new generation's commit mark either.
        t.complete(0, new, 0);
        assert_eq!(t.take_committable(), vec![(0, new, 1)]);
        t.commit_failed(&[(0, old, 1)]);
        assert!(t.take_committable().is_empty());
        assert!(t.is_current(0, new) && !t.is_current(0, old));
    }

    #[test]
    fn pending_counts_per_partition() {
        let mut t = OffsetTracker::new();
        let (a, b) = (t.assign(0), t.assign(1));
        t.begin(0, a, 1);
        t.begin(1, b, 1);
        t.begin(1, b, 2);
        assert_eq!((t.pending(0), t.pending(1), t.pending(7)), (1, 2, 0));
        assert_eq!(t.inflight(), 3);
        assert_eq!(t.partitions(), vec![0, 1]);
    }
}
