//! Per-conversation state (pure, no runtime): the last N messages with their features.
//!
//! [`WindowStore`] holds every live conversation and is the only thing in jaga whose memory grows
//! with traffic, so it is bounded three ways: messages per window (`max_messages`), conversations
//! (`max_conversations`, least recently active evicted first) and idle time (`idle_ttl`). All
//! times are EVENT times (the messages' `sent_at`), never the wall clock, so replaying the same
//! input rebuilds exactly the same state.
//!
//! Costs, with n live conversations and W = `max_messages`:
//! - [`WindowStore::push`]: O(W + log n). The window's per-partition lowest offsets are recomputed
//!   from its W messages (cheap, and correct whatever order offsets arrive in) and the LRU and
//!   horizon indexes are updated in O(log n).
//! - [`WindowStore::evict_idle`]: O(k log n) for k evicted: the LRU index is ordered by activity.
//! - [`WindowStore::horizon`]: O(log n) through a per-partition ordered multiset of offsets.
//! - [`WindowStore::remove_partition`]: O(n) scan; it runs only on a consumer-group revocation.

use crate::detector::MessageFeatures;
use crate::message::AgeBand;
use crate::policy::PolicyState;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::{BTreeMap, HashMap, VecDeque};

/// Where a message came from in Kafka, so offsets can be held back while its window is live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SourcePos {
    pub partition: i32,
    pub offset: i64,
}

/// One message as the window keeps it (no text unless excerpts are configured).
#[derive(Debug, Clone, PartialEq)]
pub struct WindowMessage {
    pub message_id: String,
    pub sender_id: String,
    pub sent_at: DateTime<Utc>,
    pub age_band: Option<AgeBand>,
    pub features: MessageFeatures,
    /// Short excerpt of the original text, only when `events.excerpts` is on.
    pub excerpt: Option<String>,
    pub source: Option<SourcePos>,
}

/// The live state of one conversation.
///
/// Mutate only `policy` through [`WindowStore::get_mut`] or the reference [`WindowStore::push`]
/// returns: the store's offset and memory indexes follow `messages` and are refreshed on each push.
#[derive(Debug, Clone)]
pub struct ConversationWindow {
    pub conversation_id: String,
    /// Oldest first; at most `max_messages`.
    pub messages: VecDeque<WindowMessage>,
    /// Messages seen in total, including those that slid out of the window.
    pub total_seen: u64,
    /// Event time of the latest message (the maximum `sent_at` seen, so a late message does not
    /// make a conversation look older than it is).
    pub last_active: DateTime<Utc>,
    /// Policy state (last level, cooldown) travels with the window so eviction drops both.
    pub policy: PolicyState,
}

/// Bounds on live state. In a config file: `max_messages`, `idle_ttl_secs`, `max_conversations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WindowConfig {
    /// Messages kept per conversation; older ones slide out. Grooming unfolds over dozens of
    /// messages, and the detector reads the whole window, so this is also its context length.
    pub max_messages: usize,
    /// A conversation with no message for this long (event time) is dropped with its policy
    /// state; a later message starts it afresh.
    #[serde(rename = "idle_ttl_secs", serialize_with = "ser_secs", deserialize_with = "de_secs")]
    pub idle_ttl: chrono::Duration,
    /// Live conversations kept at most; the least recently active one is evicted to make room.
    pub max_conversations: usize,
}

impl Default for WindowConfig {
    fn default() -> Self {
        WindowConfig { max_messages: 50, idle_ttl: chrono::Duration::hours(6), max_conversations: 100_000 }
    }
}

impl WindowConfig {
    /// Checks the bounds are usable (the store would otherwise clamp them silently).
    pub fn validate(&self) -> Result<(), WindowConfigError> {
        if self.max_messages == 0 {
            return Err(WindowConfigError::Zero { field: "max_messages" });
        }
        if self.max_conversations == 0 {
            return Err(WindowConfigError::Zero { field: "max_conversations" });
        }
        if self.idle_ttl <= chrono::Duration::zero() {
            return Err(WindowConfigError::Zero { field: "idle_ttl_secs" });
        }
        Ok(())
    }
}

/// A window bound that cannot work.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WindowConfigError {
    #[error("window.{field} must be greater than zero")]
    Zero { field: &'static str },
}

fn ser_secs<S: Serializer>(d: &chrono::Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.num_seconds()).unwrap_or(0))
}

fn de_secs<'de, D: Deserializer<'de>>(d: D) -> Result<chrono::Duration, D::Error> {
    let secs = u64::deserialize(d)?;
    i64::try_from(secs)
        .ok()
        .and_then(chrono::Duration::try_seconds)
        .ok_or_else(|| serde::de::Error::custom("idle_ttl_secs is too large"))
}

/// Running totals of dropped conversations, by cause (for metrics).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EvictionCounts {
    /// Idle longer than `idle_ttl`.
    pub idle: u64,
    /// Evicted to stay under `max_conversations`.
    pub capacity: u64,
    /// Dropped because their partition was revoked.
    pub revoked: u64,
}

/// Key of the LRU index: activity time, then a push sequence number to break ties and keep keys
/// unique.
type LruKey = (DateTime<Utc>, u64);

struct Entry {
    window: ConversationWindow,
    lru_key: LruKey,
    /// Partition of the most recently pushed message, for revocation.
    latest_partition: Option<i32>,
    /// Lowest offset per partition among the window's messages, as registered in `horizons`.
    mins: Vec<(i32, i64)>,
    /// Approximate heap bytes of this entry, as added to `bytes`.
    bytes: usize,
}

/// Every live conversation window, with the indexes that keep eviction and offset tracking cheap.
pub struct WindowStore {
    cfg: WindowConfig,
    windows: HashMap<String, Entry>,
    /// Conversations by (last_active, seq): the first is the least recently active.
    lru: BTreeMap<LruKey, String>,
    seq: u64,
    /// partition → offset → number of (window, partition) pairs whose lowest offset is that one.
    horizons: HashMap<i32, BTreeMap<i64, usize>>,
    bytes: usize,
    evictions: EvictionCounts,
}

impl WindowStore {
    /// A store with the given bounds; zero bounds are raised to 1 (see [`WindowConfig::validate`]).
    pub fn new(cfg: WindowConfig) -> Self {
        let cfg = WindowConfig {
            max_messages: cfg.max_messages.max(1),
            max_conversations: cfg.max_conversations.max(1),
            idle_ttl: cfg.idle_ttl,
        };
        WindowStore {
            cfg,
            windows: HashMap::new(),
            lru: BTreeMap::new(),
            seq: 0,
            horizons: HashMap::new(),
            bytes: 0,
            evictions: EvictionCounts::default(),
        }
    }

    /// The bounds in force.
    pub fn config(&self) -> &WindowConfig {
        &self.cfg
    }

    /// Appends a message (creating the conversation if new), evicting the least recently active
    /// conversation if the cap is reached, and dropping the oldest message when the window is full.
    /// Returns the updated window. Time is EVENT time (the message's sent_at), so replays are
    /// deterministic.
    pub fn push(&mut self, conversation_id: &str, msg: WindowMessage) -> &mut ConversationWindow {
        // Reuse the id string the LRU index held, so an existing conversation costs no allocation
        // for its index key.
        let id = match self.windows.get(conversation_id) {
            Some(entry) => self.lru.remove(&entry.lru_key).unwrap_or_else(|| conversation_id.to_string()),
            None => {
                while self.windows.len() >= self.cfg.max_conversations {
                    let Some((_, victim)) = self.lru.pop_first() else {
                        break;
                    };
                    self.drop_entry(&victim);
                    self.evictions.capacity += 1;
                }
                conversation_id.to_string()
            }
        };

        self.seq += 1;
        let seq = self.seq;
        let max_messages = self.cfg.max_messages;
        let Self { windows, lru, horizons, bytes, .. } = self;
        let entry = windows.entry(id.clone()).or_insert_with(|| Entry {
            window: ConversationWindow {
                conversation_id: id.clone(),
                messages: VecDeque::new(),
                total_seen: 0,
                last_active: msg.sent_at,
                policy: PolicyState::default(),
            },
            lru_key: (msg.sent_at, 0),
            latest_partition: None,
            mins: Vec::new(),
            bytes: 0,
        });

        entry.latest_partition = msg.source.map(|s| s.partition);
        let w = &mut entry.window;
        w.last_active = w.last_active.max(msg.sent_at);
        w.total_seen += 1;
        w.messages.push_back(msg);
        while w.messages.len() > max_messages {
            w.messages.pop_front();
        }

        entry.lru_key = (w.last_active, seq);
        lru.insert(entry.lru_key, id);

        let new_mins = partition_mins(&w.messages);
        if new_mins != entry.mins {
            for &(p, off) in &entry.mins {
                multiset_remove(horizons, p, off);
            }
            for &(p, off) in &new_mins {
                *horizons.entry(p).or_default().entry(off).or_insert(0) += 1;
            }
            entry.mins = new_mins;
        }

        let new_bytes = entry_bytes(conversation_id, entry);
        *bytes = bytes.saturating_sub(entry.bytes) + new_bytes;
        entry.bytes = new_bytes;
        &mut entry.window
    }

    pub fn get(&self, conversation_id: &str) -> Option<&ConversationWindow> {
        self.windows.get(conversation_id).map(|e| &e.window)
    }

    /// Mutable access, meant for the window's `policy` state (see [`ConversationWindow`]).
    pub fn get_mut(&mut self, conversation_id: &str) -> Option<&mut ConversationWindow> {
        self.windows.get_mut(conversation_id).map(|e| &mut e.window)
    }

    /// Drops conversations idle for longer than idle_ttl relative to `now` (event time); returns how many.
    pub fn evict_idle(&mut self, now: DateTime<Utc>) -> usize {
        let Some(cutoff) = now.checked_sub_signed(self.cfg.idle_ttl) else {
            return 0;
        };
        let mut evicted = 0;
        while let Some(entry) = self.lru.first_entry() {
            // Idle for longer than the TTL: last_active strictly before now - ttl.
            if entry.key().0 >= cutoff {
                break;
            }
            let id = entry.remove();
            self.drop_entry(&id);
            evicted += 1;
        }
        self.evictions.idle += evicted as u64;
        evicted
    }

    /// Drops every conversation whose latest message came from `partition` (consumer-group
    /// revocation); returns how many. O(n): revocations are rare.
    pub fn remove_partition(&mut self, partition: i32) -> usize {
        let victims: Vec<String> = self
            .windows
            .iter()
            .filter(|(_, e)| e.latest_partition == Some(partition))
            .map(|(id, _)| id.clone())
            .collect();
        for id in &victims {
            if let Some(entry) = self.windows.get(id) {
                self.lru.remove(&entry.lru_key);
            }
            self.drop_entry(id);
        }
        self.evictions.revoked += victims.len() as u64;
        victims.len()
    }

    /// Lowest source offset still held by any live window whose messages came from `partition` —
    /// offsets below it are no longer needed to rebuild state after a crash. None if no live window
    /// holds a message from that partition.
    pub fn horizon(&self, partition: i32) -> Option<i64> {
        self.horizons.get(&partition).and_then(|offsets| offsets.first_key_value()).map(|(&off, _)| off)
    }

    pub fn len(&self) -> usize {
        self.windows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.windows.is_empty()
    }

    /// Approximate heap bytes of all live state (for the `jaga_live_conversations_bytes` gauge):
    /// strings, message slots, the entry and both index entries per conversation. Hash-table
    /// overhead is not counted, so it is a floor, good for trends and alerting.
    pub fn approx_bytes(&self) -> usize {
        self.bytes
    }

    /// Running totals of evictions by cause.
    pub fn evictions(&self) -> EvictionCounts {
        self.evictions
    }

    /// Removes a conversation from the map, the horizon index and the byte count. The caller has
    /// already removed (or popped) its LRU key.
    fn drop_entry(&mut self, conversation_id: &str) {
        if let Some(entry) = self.windows.remove(conversation_id) {
            for &(p, off) in &entry.mins {
                multiset_remove(&mut self.horizons, p, off);
            }
            self.bytes = self.bytes.saturating_sub(entry.bytes);
        }
    }
}

/// Lowest offset per partition among `messages`, sorted by partition (usually one element).
fn partition_mins(messages: &VecDeque<WindowMessage>) -> Vec<(i32, i64)> {
    let mut mins: Vec<(i32, i64)> = Vec::new();
    for pos in messages.iter().filter_map(|m| m.source) {
        match mins.iter_mut().find(|(p, _)| *p == pos.partition) {
            Some((_, off)) => *off = (*off).min(pos.offset),
            None => mins.push((pos.partition, pos.offset)),
        }
    }
    mins.sort_unstable();
    mins
}

fn multiset_remove(horizons: &mut HashMap<i32, BTreeMap<i64, usize>>, p: i32, off: i64) {
    if let Some(offsets) = horizons.get_mut(&p) {
        if let Some(count) = offsets.get_mut(&off) {
            *count -= 1;
            if *count == 0 {
                offsets.remove(&off);
            }
        }
        if offsets.is_empty() {
            horizons.remove(&p);
        }
    }
}

fn entry_bytes(conversation_id: &str, entry: &Entry) -> usize {
    use std::mem::size_of;
    let w = &entry.window;
    // The id is held three times: map key, window, LRU index.
    let ids = 3 * conversation_id.len() + w.conversation_id.capacity() - w.conversation_id.len();
    let fixed = size_of::<Entry>()
        + size_of::<String>()
        + size_of::<LruKey>()
        + size_of::<String>()
        + entry.mins.capacity() * size_of::<(i32, i64)>();
    let slots = w.messages.capacity() * size_of::<WindowMessage>();
    let strings: usize = w
        .messages
        .iter()
        .map(|m| m.message_id.capacity() + m.sender_id.capacity() + m.excerpt.as_ref().map_or(0, String::capacity))
        .sum();
    ids + fixed + slots + strings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::NUM_STAGES;
    use chrono::TimeZone;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap()
    }

    fn msg(id: &str, at: i64, source: Option<(i32, i64)>) -> WindowMessage {
        WindowMessage {
            message_id: id.to_string(),
            sender_id: "u1".to_string(),
            sent_at: t(at),
            age_band: None,
            features: MessageFeatures { stages: [0.1; NUM_STAGES] },
            excerpt: None,
            source: source.map(|(partition, offset)| SourcePos { partition, offset }),
        }
    }

    fn store(max_messages: usize, ttl_secs: i64, max_conversations: usize) -> WindowStore {
        WindowStore::new(WindowConfig {
            max_messages,
            idle_ttl: chrono::Duration::seconds(ttl_secs),
            max_conversations,
        })
    }

    #[test]
    fn window_keeps_last_n_messages_and_counts_all() {
        let mut s = store(3, 3600, 10);
        for i in 0..5 {
            s.push("c1", msg(&format!("m{i}"), i, None));
        }
        let w = s.get("c1").unwrap();
        let ids: Vec<&str> = w.messages.iter().map(|m| m.message_id.as_str()).collect();
        assert_eq!(ids, ["m2", "m3", "m4"]);
        assert_eq!(w.total_seen, 5);
        assert_eq!(w.last_active, t(4));
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn late_message_does_not_move_last_active_back() {
        let mut s = store(10, 3600, 10);
        s.push("c1", msg("m1", 100, None));
        s.push("c1", msg("m0", 50, None));
        assert_eq!(s.get("c1").unwrap().last_active, t(100));
    }

    #[test]
    fn ttl_evicts_only_idle_conversations() {
        let mut s = store(10, 100, 10);
        s.push("old", msg("a", 0, None));
        s.push("new", msg("b", 150, None));
        // Exactly at the TTL is not yet "longer than".
        assert_eq!(s.evict_idle(t(100)), 0);
        assert_eq!(s.evict_idle(t(101)), 1);
        assert!(s.get("old").is_none() && s.get("new").is_some());
        assert_eq!(s.evictions().idle, 1);
        assert_eq!(s.evict_idle(t(251)), 1);
        assert!(s.is_empty());
        assert_eq!(s.evictions().idle, 2);
    }

    #[test]
    fn capacity_evicts_least_recently_active() {
        let mut s = store(10, 3600, 3);
        s.push("a", msg("a1", 1, None));
        s.push("b", msg("b1", 2, None));
        s.push("c", msg("c1", 3, None));
        // "a" becomes the most recent; "b" is now the least recently active.
        s.push("a", msg("a2", 4, None));
        s.push("d", msg("d1", 5, None));
        assert_eq!(s.len(), 3);
        assert!(s.get("b").is_none());
        assert!(s.get("a").is_some() && s.get("c").is_some() && s.get("d").is_some());
        assert_eq!(s.evictions().capacity, 1);
        // Pushing to an existing conversation never evicts.
        s.push("c", msg("c2", 6, None));
        assert_eq!(s.len(), 3);
        assert_eq!(s.evictions().capacity, 1);
    }

    #[test]
    fn eviction_drops_policy_state_with_the_window() {
        let mut s = store(10, 10, 10);
        s.push("a", msg("a1", 0, None));
        s.get_mut("a").unwrap().policy = PolicyState { messages_since_event: 7, ..PolicyState::default() };
        s.evict_idle(t(100));
        let w = s.push("a", msg("a2", 100, None));
        assert_eq!(w.policy, PolicyState::default());
        assert_eq!(w.total_seen, 1);
    }

    #[test]
    fn remove_partition_drops_conversations_whose_latest_message_came_from_it() {
        let mut s = store(10, 3600, 10);
        s.push("a", msg("a1", 1, Some((0, 10))));
        s.push("b", msg("b1", 2, Some((1, 20))));
        // "c" moved from partition 1 to 0: its latest message decides.
        s.push("c", msg("c1", 3, Some((1, 21))));
        s.push("c", msg("c2", 4, Some((0, 11))));
        assert_eq!(s.remove_partition(0), 2);
        assert!(s.get("a").is_none() && s.get("c").is_none());
        assert!(s.get("b").is_some());
        assert_eq!(s.evictions().revoked, 2);
        assert_eq!(s.horizon(0), None);
        // "c" held offset 21 of partition 1; it is gone, so only "b" holds partition 1.
        assert_eq!(s.horizon(1), Some(20));
    }

    #[test]
    fn horizon_moves_forward_as_windows_slide() {
        let mut s = store(2, 3600, 10);
        assert_eq!(s.horizon(0), None);
        s.push("a", msg("a1", 1, Some((0, 5))));
        s.push("b", msg("b1", 2, Some((0, 6))));
        s.push("a", msg("a2", 3, Some((0, 7))));
        assert_eq!(s.horizon(0), Some(5));
        // "a" slides past offset 5; the lowest held is now b's 6.
        s.push("a", msg("a3", 4, Some((0, 8))));
        assert_eq!(s.horizon(0), Some(6));
        s.push("b", msg("b2", 5, Some((0, 9))));
        s.push("b", msg("b3", 6, Some((0, 10))));
        assert_eq!(s.horizon(0), Some(7));
        assert_eq!(s.horizon(1), None);
    }

    #[test]
    fn horizon_moves_forward_when_conversations_are_evicted() {
        let mut s = store(10, 100, 2);
        s.push("a", msg("a1", 0, Some((3, 100))));
        s.push("b", msg("b1", 50, Some((3, 101))));
        assert_eq!(s.horizon(3), Some(100));
        s.evict_idle(t(120));
        assert_eq!(s.horizon(3), Some(101));
        // Capacity eviction: "b" is the least recently active when "d" arrives.
        s.push("c", msg("c1", 60, Some((3, 102))));
        s.push("d", msg("d1", 70, Some((3, 103))));
        assert_eq!(s.horizon(3), Some(102));
    }

    #[test]
    fn horizon_is_per_partition_and_handles_out_of_order_offsets() {
        let mut s = store(10, 3600, 10);
        s.push("a", msg("a1", 1, Some((0, 50))));
        s.push("a", msg("a2", 2, Some((0, 40))));
        s.push("a", msg("a3", 3, Some((2, 7))));
        s.push("a", msg("a4", 4, None));
        assert_eq!(s.horizon(0), Some(40));
        assert_eq!(s.horizon(2), Some(7));
    }

    #[test]
    fn approx_bytes_grows_and_shrinks() {
        let mut s = store(3, 100, 10);
        assert_eq!(s.approx_bytes(), 0);
        s.push("a", msg("a1", 0, None));
        let one = s.approx_bytes();
        assert!(one > 0);
        s.push("b", msg("b1", 50, None));
        let two = s.approx_bytes();
        assert!(two > one);
        let mut with_excerpt = msg("b2", 60, None);
        with_excerpt.excerpt = Some("x".repeat(200));
        s.push("b", with_excerpt);
        assert!(s.approx_bytes() >= two + 200);
        s.evict_idle(t(120));
        assert!(s.get("a").is_none());
        assert!(s.approx_bytes() < two + 200);
        s.evict_idle(t(1000));
        assert_eq!(s.approx_bytes(), 0);
        assert!(s.is_empty());
    }

    #[test]
    fn many_conversations_stay_bounded() {
        let mut s = store(5, 3600, 1000);
        for i in 0..5000 {
            s.push(&format!("c{i}"), msg("m", i, Some((0, i))));
        }
        assert_eq!(s.len(), 1000);
        assert_eq!(s.evictions().capacity, 4000);
        assert_eq!(s.horizon(0), Some(4000));
    }

    #[test]
    fn config_parses_with_defaults_and_rejects_unknown_fields() {
        let cfg: WindowConfig = toml::from_str("max_messages = 20\nidle_ttl_secs = 60").unwrap();
        assert_eq!(cfg.max_messages, 20);
        assert_eq!(cfg.idle_ttl, chrono::Duration::seconds(60));
        assert_eq!(cfg.max_conversations, 100_000);
        assert!(toml::from_str::<WindowConfig>("max_msgs = 20").is_err());
        assert_eq!(WindowConfig::default().idle_ttl, chrono::Duration::hours(6));
        assert!(WindowConfig::default().validate().is_ok());
        let zero = WindowConfig { max_messages: 0, ..WindowConfig::default() };
        assert_eq!(zero.validate(), Err(WindowConfigError::Zero { field: "max_messages" }));
    }
}
