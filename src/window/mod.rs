//! Per-conversation state (pure, no runtime): the last N messages of each live conversation with
//! their compact features, the policy state, and what the state changelog needs to rebuild it.
//!
//! [`WindowStore`] is the only thing in jaga whose memory grows with traffic, so it is bounded in
//! **bytes**: every conversation's footprint is accounted (heap blocks rounded as the allocator
//! rounds them, index entries included), a per-conversation cap drops a window's oldest messages
//! when it is exceeded, and a store-wide budget evicts the least recently touched conversation.
//!
//! # Time
//! Times are EVENT times (the messages' `sent_at`), kept **per partition**: each partition has its
//! own watermark, the latest trustworthy `sent_at` read from it. A `sent_at` more than
//! `max_clock_skew_secs` ahead of the wall clock, or more than `idle_ttl_secs` behind the
//! partition's watermark, is not trusted: for idle expiry and recency it counts as the watermark
//! (and never moves it), while the message keeps its original `sent_at` for the detector. So one
//! mis-set clock cannot age out other conversations, and a stream's outcome depends on its own
//! content, not on how it was cut into batches.
//!
//! # Idle expiry is a function of the input sequence only
//! A conversation expires when its next message arrives more than `idle_ttl_secs` after its last
//! activity, measured against its partition's watermark *as of that message* ([`WindowStore::push`]).
//! [`WindowStore::expire_idle`] only frees memory early: it drops conversations that the next
//! message would reset anyway (the watermark never goes back), so calling it at any batch boundary
//! changes no outcome. Restarting from the changelog restores the watermark with the windows,
//! which is what makes a restart decide exactly what an uninterrupted run decides.
//!
//! # Changelog
//! With tracking on ([`WindowStore::track_changes`]) every conversation touched, created or
//! dropped, and every partition whose watermark or applied offset moved, is remembered until
//! [`WindowStore::take_changes`] turns them into changelog records ([`codec`] has the format). A
//! revoked partition's state is dropped without tombstones: it now belongs to another consumer.
//!
//! Costs, with n live conversations and W = `max_messages`: [`WindowStore::push`] O(W + log n);
//! expiry and eviction O(log n) per conversation dropped; [`WindowStore::remove_partition`] O(k log
//! n) for its k conversations.

pub mod codec;

use crate::features::MessageFeatures;
use crate::message::AgeBand;
use crate::policy::PolicyState;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::mem::size_of;
use std::sync::Arc;

/// Partition of messages that come from no Kafka partition (replay, evaluation).
pub const NO_PARTITION: i32 = -1;

/// Where a message came from in Kafka.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SourcePos {
    pub partition: i32,
    pub offset: i64,
}

/// One message in plain, owned form: what [`WindowStore::push`] takes and what
/// [`LiveConversation::to_window`] gives back (no text unless excerpts are configured).
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

/// A conversation window in plain, owned form (what the detector's tests and tools build by hand;
/// the store keeps a compact form, [`LiveConversation`]).
#[derive(Debug, Clone)]
pub struct ConversationWindow {
    pub conversation_id: String,
    /// Oldest first; at most `max_messages`.
    pub messages: VecDeque<WindowMessage>,
    /// Messages seen in total, including those that slid out of the window.
    pub total_seen: u64,
    /// Event time of the latest activity.
    pub last_active: DateTime<Utc>,
    pub policy: PolicyState,
}

/// Bounds on live state; the `[window]` section of the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WindowConfig {
    /// Messages kept per conversation; older ones slide out. Grooming unfolds over dozens of
    /// messages, and the detector reads the whole window, so this is also its context length.
    pub max_messages: usize,
    /// A conversation whose next message comes more than this many seconds (event time, on its
    /// partition) after its last one starts afresh, without its earlier messages or policy state.
    /// A week by default: grooming unfolds over days, and memory is bounded by `max_state_bytes`
    /// (which evicts the longest-untouched conversations first when the week does not fit).
    pub idle_ttl_secs: u64,
    /// A `sent_at` more than this many seconds ahead of the wall clock is not trusted for expiry
    /// and recency (it counts as the partition's current event time); nor is one more than
    /// `idle_ttl_secs` behind the partition's watermark. `jaga_clamped_timestamps_total` counts both.
    pub max_clock_skew_secs: u64,
    /// Memory budget for all conversation state, in bytes; beyond it the least recently touched
    /// conversation is evicted (`jaga_conversations_evicted_total{cause="budget"}`). Size it for the
    /// pod: a 10-message conversation takes about 1.4 KB, a full 50-message one about 4 KB, and the
    /// process's resident memory grows about 15 % more than this accounting (allocator slack).
    pub max_state_bytes: usize,
    /// Memory cap per conversation, in bytes; beyond it the window's oldest messages are dropped.
    /// Bounds what one conversation (a huge group chat, long ids, excerpts) can take, and the size of
    /// its changelog record.
    pub max_conversation_bytes: usize,
}

impl Default for WindowConfig {
    fn default() -> Self {
        WindowConfig {
            max_messages: 50,
            idle_ttl_secs: 7 * 24 * 3600,
            max_clock_skew_secs: 300,
            max_state_bytes: 256 * 1024 * 1024,
            max_conversation_bytes: 64 * 1024,
        }
    }
}

/// Longest idle TTL or clock skew accepted: ten years (keeps millisecond arithmetic far from
/// overflow).
const MAX_SECS: u64 = 10 * 366 * 24 * 3600;

impl WindowConfig {
    /// Checks the bounds are usable, with messages naming the field and the rule.
    pub fn validate(&self) -> Result<(), WindowConfigError> {
        let bad = |field: &'static str, rule: String| Err(WindowConfigError { field, rule });
        if !(2..=10_000).contains(&self.max_messages) {
            return bad("max_messages", format!("must be 2..=10000, got {}", self.max_messages));
        }
        if self.idle_ttl_secs == 0 || self.idle_ttl_secs > MAX_SECS {
            return bad("idle_ttl_secs", format!("must be 1..={MAX_SECS}, got {}", self.idle_ttl_secs));
        }
        if self.max_clock_skew_secs > MAX_SECS {
            return bad("max_clock_skew_secs", format!("must be at most {MAX_SECS}, got {}", self.max_clock_skew_secs));
        }
        if self.max_state_bytes < 1024 * 1024 {
            return bad("max_state_bytes", format!("must be at least 1 MiB, got {}", self.max_state_bytes));
        }
        // The encoded record is smaller than the accounted memory, so this keeps every changelog
        // record under the broker's default 1 MB message limit.
        if !(4096..=900_000).contains(&self.max_conversation_bytes) {
            return bad(
                "max_conversation_bytes",
                format!(
                    "must be 4096..=900000 (changelog records must fit a Kafka message), got {}",
                    self.max_conversation_bytes
                ),
            );
        }
        if self.max_conversation_bytes > self.max_state_bytes {
            return bad("max_conversation_bytes", "must not exceed window.max_state_bytes".into());
        }
        Ok(())
    }

    fn ttl_ms(&self) -> i64 {
        secs_to_ms(self.idle_ttl_secs)
    }

    fn skew_ms(&self) -> i64 {
        secs_to_ms(self.max_clock_skew_secs)
    }
}

fn secs_to_ms(secs: u64) -> i64 {
    i64::try_from(secs.min(MAX_SECS)).unwrap_or(i64::MAX / 2_000).saturating_mul(1000)
}

/// A window bound that cannot work.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("window.{field} {rule}")]
pub struct WindowConfigError {
    pub field: &'static str,
    pub rule: String,
}

/// Running totals of what the store dropped or adjusted (for metrics).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Conversations that expired (idle longer than `idle_ttl_secs`).
    pub expired_idle: u64,
    /// Conversations evicted to stay within `max_state_bytes`.
    pub evicted_budget: u64,
    /// Conversations dropped because their partition was revoked.
    pub revoked: u64,
    /// Messages dropped from windows to stay within `max_conversation_bytes`.
    pub trimmed_messages: u64,
    /// `sent_at`s too far ahead of the wall clock.
    pub clamped_future: u64,
    /// `sent_at`s too far behind their partition's watermark.
    pub clamped_past: u64,
}

/// Whether an input record's effect is already in the (restored) state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Not yet applied: process it.
    No,
    /// At or below the partition's applied offset: the state and the watermark include it.
    Partition,
    /// At or below its conversation's last applied offset, but after the partition's: its
    /// conversation includes it, the partition watermark must still see it.
    Conversation,
}

/// A changelog record to write: key and value as [`codec`] encodes them; `None` is a tombstone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateChange {
    /// Input partition = changelog partition.
    pub partition: i32,
    pub key: Vec<u8>,
    pub value: Option<Vec<u8>>,
    /// Partition metadata (watermark, applied offset) rather than a conversation. A batch's
    /// metadata records must be written after its conversation records: they claim every input up
    /// to the applied offset is in the changelog.
    pub meta: bool,
}

/// One message as the store keeps it: 40 bytes plus its id.
#[derive(Debug, Clone, PartialEq)]
struct Msg {
    id: Box<str>,
    /// Original `sent_at`, milliseconds since the epoch.
    sent_at_ms: i64,
    /// Index into the conversation's sender table.
    sender: u16,
    age: Option<AgeBand>,
    features: MessageFeatures,
}

/// One message of a live window, as the engine and detector read it.
#[derive(Debug, Clone, Copy)]
pub struct MessageRef<'a> {
    pub message_id: &'a str,
    /// Index into [`LiveConversation::senders`].
    pub sender: usize,
    /// Original `sent_at`, seconds since the epoch.
    pub sent_at_secs: i64,
    pub age_band: Option<AgeBand>,
    pub features: MessageFeatures,
}

/// The live state of one conversation, compact.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveConversation {
    id: Arc<str>,
    messages: VecDeque<Msg>,
    /// Excerpts aligned with `messages` when excerpts are on, else empty.
    excerpts: VecDeque<Box<str>>,
    /// Senders of the window's messages (and possibly a few that slid out; compacted when it
    /// outgrows the window).
    senders: Vec<Box<str>>,
    total_seen: u64,
    /// Latest trusted event time, milliseconds (see the module docs on time).
    last_active_ms: i64,
    /// Offset of the last input record applied to this conversation.
    last_offset: Option<i64>,
    policy: PolicyState,
    /// Key in the store's LRU index.
    touched: u64,
    /// Accounted bytes, as added to the store's total.
    bytes: usize,
}

impl LiveConversation {
    fn new(id: Arc<str>, at_ms: i64) -> Self {
        LiveConversation {
            id,
            messages: VecDeque::new(),
            excerpts: VecDeque::new(),
            senders: Vec::new(),
            total_seen: 0,
            last_active_ms: at_ms,
            last_offset: None,
            policy: PolicyState::default(),
            touched: 0,
            bytes: 0,
        }
    }

    pub fn conversation_id(&self) -> &str {
        &self.id
    }

    /// Messages in the window.
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// Messages seen in total, including those that slid out of the window.
    pub fn total_seen(&self) -> u64 {
        self.total_seen
    }

    /// Latest trusted event time.
    pub fn last_active(&self) -> DateTime<Utc> {
        ms_to_time(self.last_active_ms)
    }

    /// Offset of the last input record applied, if it came from Kafka.
    pub fn last_offset(&self) -> Option<i64> {
        self.last_offset
    }

    pub fn policy(&self) -> &PolicyState {
        &self.policy
    }

    /// The policy state travels with the window so expiry and eviction drop both.
    pub fn policy_mut(&mut self) -> &mut PolicyState {
        &mut self.policy
    }

    /// The sender table [`MessageRef::sender`] indexes.
    pub fn senders(&self) -> &[Box<str>] {
        &self.senders
    }

    /// The window's messages, oldest first.
    pub fn messages(&self) -> impl Iterator<Item = MessageRef<'_>> {
        self.messages.iter().map(|m| MessageRef {
            message_id: &m.id,
            sender: usize::from(m.sender),
            sent_at_secs: m.sent_at_ms.div_euclid(1000),
            age_band: m.age,
            features: m.features,
        })
    }

    pub fn message_id(&self, index: usize) -> Option<&str> {
        self.messages.get(index).map(|m| &*m.id)
    }

    /// The excerpt of message `index`, when excerpts are on.
    pub fn excerpt(&self, index: usize) -> Option<&str> {
        self.excerpts.get(index).map(|e| &**e)
    }

    /// The window in plain, owned form.
    pub fn to_window(&self) -> ConversationWindow {
        ConversationWindow {
            conversation_id: self.id.to_string(),
            messages: self
                .messages
                .iter()
                .enumerate()
                .map(|(i, m)| WindowMessage {
                    message_id: m.id.to_string(),
                    sender_id: self.senders.get(usize::from(m.sender)).map(|s| s.to_string()).unwrap_or_default(),
                    sent_at: ms_to_time(m.sent_at_ms),
                    age_band: m.age,
                    features: m.features,
                    excerpt: self.excerpt(i).map(str::to_owned),
                    source: None,
                })
                .collect(),
            total_seen: self.total_seen,
            last_active: self.last_active(),
            policy: self.policy.clone(),
        }
    }

    /// Appends a message, sliding the window to `max_messages`.
    fn append(&mut self, msg: WindowMessage, max_messages: usize, excerpts: bool) {
        // Slide first, so the queue never grows past the window (and the sender table is
        // compacted before the new message takes an index in it).
        while self.messages.len() >= max_messages.max(1) {
            self.pop_oldest();
        }
        let sender = match self.senders.iter().position(|s| **s == *msg.sender_id) {
            Some(i) => i,
            None => {
                self.senders.push(msg.sender_id.into_boxed_str());
                self.senders.len() - 1
            }
        };
        grow_exact(&mut self.messages, max_messages);
        self.messages.push_back(Msg {
            id: msg.message_id.into_boxed_str(),
            sent_at_ms: msg.sent_at.timestamp_millis(),
            // The sender table is compacted to the window's senders, and a window holds at most
            // 10,000 messages (WindowConfig::validate), so the index fits.
            sender: u16::try_from(sender).unwrap_or(u16::MAX),
            age: msg.age_band,
            features: msg.features,
        });
        if excerpts {
            // Keep the two queues aligned even if older messages came without excerpts (state
            // restored from before excerpts were turned on).
            while self.excerpts.len() + 1 < self.messages.len() {
                self.excerpts.push_front(Box::from(""));
            }
            grow_exact(&mut self.excerpts, max_messages);
            self.excerpts.push_back(msg.excerpt.unwrap_or_default().into_boxed_str());
        }
        self.total_seen += 1;
    }

    fn pop_oldest(&mut self) {
        self.messages.pop_front();
        if self.excerpts.len() > self.messages.len() {
            self.excerpts.pop_front();
        }
        if self.senders.len() > self.messages.len().max(1) {
            self.compact_senders();
        }
    }

    /// Rebuilds the sender table from the window's messages, in order of first appearance.
    fn compact_senders(&mut self) {
        let mut table: Vec<Box<str>> = Vec::new();
        let mut map: Vec<Option<u16>> = vec![None; self.senders.len()];
        for m in &mut self.messages {
            let old = usize::from(m.sender);
            let new = match map.get(old).copied().flatten() {
                Some(n) => n,
                None => {
                    let name = self.senders.get(old).cloned().unwrap_or_default();
                    table.push(name);
                    let n = u16::try_from(table.len() - 1).unwrap_or(u16::MAX);
                    if let Some(slot) = map.get_mut(old) {
                        *slot = Some(n);
                    }
                    n
                }
            };
            m.sender = new;
        }
        table.shrink_to_fit();
        self.senders = table;
    }

    /// Accounted bytes: every heap block as the allocator sizes it, plus the store's index entries.
    fn footprint(&self) -> usize {
        let strings = |it: &mut dyn Iterator<Item = usize>| it.map(heap_block).sum::<usize>();
        heap_block(size_of::<LiveConversation>())
            + heap_block(2 * size_of::<usize>() + self.id.len())
            + INDEX_BYTES
            + heap_block(self.messages.capacity() * size_of::<Msg>())
            + strings(&mut self.messages.iter().map(|m| m.id.len()))
            + heap_block(self.excerpts.capacity() * size_of::<Box<str>>())
            + strings(&mut self.excerpts.iter().map(|e| e.len()))
            + heap_block(self.senders.capacity() * size_of::<Box<str>>())
            + strings(&mut self.senders.iter().map(|s| s.len()))
    }
}

/// Grows a window's queue to at most `max` slots, 1.5× at a time, so a short conversation does not
/// carry a full window's worth of empty slots.
fn grow_exact<T>(q: &mut VecDeque<T>, max: usize) {
    if q.len() == q.capacity() {
        let want = (q.capacity() + q.capacity() / 2).max(4).min(max.max(1));
        q.reserve_exact(want.saturating_sub(q.len()));
    }
}

/// What the allocator takes for a request of `n` bytes (glibc malloc: 8 bytes of header, 16-byte
/// granules, 32 bytes at least); nothing for `n = 0`.
fn heap_block(n: usize) -> usize {
    if n == 0 {
        0
    } else {
        ((n + 8 + 15) & !15).max(32)
    }
}

/// Index entries per conversation: a hash-table slot (key, boxed value and control byte, at up to
/// half load) and two B-tree entries (recency by event time, LRU), B-tree nodes being about 2/3 full.
const INDEX_BYTES: usize = 2 * (size_of::<Arc<str>>() + size_of::<usize>() + 1)
    + 3 * (size_of::<(i64, Arc<str>)>() + size_of::<(u64, (i32, Arc<str>))>()) / 2;

fn ms_to_time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

#[derive(Debug, Default)]
struct Partition {
    convs: HashMap<Arc<str>, Box<LiveConversation>>,
    /// (last_active_ms, id): the first entry is the longest idle.
    by_activity: BTreeSet<(i64, Arc<str>)>,
    /// Latest trusted event time read from this partition.
    watermark_ms: Option<i64>,
    /// Highest input offset applied.
    applied: Option<i64>,
}

/// Every live conversation window, with the indexes that keep expiry, eviction and the changelog
/// cheap.
pub struct WindowStore {
    cfg: WindowConfig,
    excerpts: bool,
    parts: HashMap<i32, Partition>,
    /// touched sequence number → conversation: the first is the least recently touched.
    lru: BTreeMap<u64, (i32, Arc<str>)>,
    seq: u64,
    bytes: usize,
    conversations: usize,
    stats: StoreStats,
    tracking: bool,
    dirty: BTreeSet<(i32, Arc<str>)>,
    dirty_parts: BTreeSet<i32>,
}

impl WindowStore {
    /// A store with the given bounds (see [`WindowConfig::validate`]); `excerpts` says whether
    /// messages carry excerpts.
    pub fn new(cfg: WindowConfig, excerpts: bool) -> Self {
        let cfg = WindowConfig { max_messages: cfg.max_messages.clamp(1, 10_000), ..cfg };
        WindowStore {
            cfg,
            excerpts,
            parts: HashMap::new(),
            lru: BTreeMap::new(),
            seq: 0,
            bytes: 0,
            conversations: 0,
            stats: StoreStats::default(),
            tracking: false,
            dirty: BTreeSet::new(),
            dirty_parts: BTreeSet::new(),
        }
    }

    /// Remembers changes for [`Self::take_changes`] from now on (the live processor's changelog).
    pub fn track_changes(&mut self) {
        self.tracking = true;
    }

    /// The bounds in force.
    pub fn config(&self) -> &WindowConfig {
        &self.cfg
    }

    /// Forgets everything (the changelog is not told: used by evaluation between conversations).
    pub fn clear(&mut self) {
        let (cfg, excerpts, tracking, stats) = (self.cfg.clone(), self.excerpts, self.tracking, self.stats);
        *self = WindowStore::new(cfg, excerpts);
        self.tracking = tracking;
        self.stats = stats;
    }

    /// Whether the record at `pos` of `conversation_id` is already in the state (after a restore).
    pub fn applied(&self, conversation_id: &str, pos: SourcePos) -> Applied {
        let Some(part) = self.parts.get(&pos.partition) else {
            return Applied::No;
        };
        if part.applied.is_some_and(|a| pos.offset <= a) {
            return Applied::Partition;
        }
        match part.convs.get(conversation_id).and_then(|c| c.last_offset) {
            Some(last) if pos.offset <= last => Applied::Conversation,
            _ => Applied::No,
        }
    }

    /// A record that is already in its conversation's state still moves the partition's watermark
    /// and applied offset, exactly as it did the first time.
    pub fn observe(&mut self, sent_at: DateTime<Utc>, pos: SourcePos, now: DateTime<Utc>) {
        self.event_time(pos.partition, sent_at.timestamp_millis(), now.timestamp_millis());
        self.mark_applied(pos);
    }

    /// A record handled without touching any conversation (dead-lettered after an inference
    /// failure) counts as applied, so a restart does not handle it again.
    pub fn mark_applied(&mut self, pos: SourcePos) {
        let part = self.parts.entry(pos.partition).or_default();
        part.applied = Some(part.applied.map_or(pos.offset, |a| a.max(pos.offset)));
        if self.tracking {
            self.dirty_parts.insert(pos.partition);
        }
    }

    /// The trusted event time of a message read from `partition`, moving its watermark (see the
    /// module docs on time).
    fn event_time(&mut self, partition: i32, sent_at_ms: i64, now_ms: i64) -> i64 {
        let (skew, ttl) = (self.cfg.skew_ms(), self.cfg.ttl_ms());
        let part = self.parts.entry(partition).or_default();
        if self.tracking {
            self.dirty_parts.insert(partition);
        }
        let wm = part.watermark_ms;
        if sent_at_ms > now_ms.saturating_add(skew) {
            self.stats.clamped_future += 1;
            return wm.unwrap_or(now_ms);
        }
        if let Some(w) = wm {
            if sent_at_ms < w.saturating_sub(ttl) {
                self.stats.clamped_past += 1;
                return w;
            }
        }
        part.watermark_ms = Some(wm.map_or(sent_at_ms, |w| w.max(sent_at_ms)));
        sent_at_ms
    }

    /// Appends a message to its conversation (partition from `msg.source`, [`NO_PARTITION`] without
    /// one), after expiring the conversation if it was idle for longer than the TTL; slides the
    /// window and trims it to the per-conversation byte cap. `now` is the wall clock, used only to
    /// spot clocks set in the future. Call [`Self::enforce_budget`] afterwards.
    pub fn push(&mut self, conversation_id: &str, msg: WindowMessage, now: DateTime<Utc>) -> &mut LiveConversation {
        let partition = msg.source.map_or(NO_PARTITION, |s| s.partition);
        let offset = msg.source.map(|s| s.offset);
        let at = self.event_time(partition, msg.sent_at.timestamp_millis(), now.timestamp_millis());
        if let Some(pos) = msg.source {
            self.mark_applied(pos);
        }
        let ttl = self.cfg.ttl_ms();
        let expired = self.parts.get(&partition).and_then(|part| {
            let conv = part.convs.get(conversation_id)?;
            let wm = part.watermark_ms.unwrap_or(at);
            (wm.saturating_sub(conv.last_active_ms) > ttl).then(|| conv.id.clone())
        });
        if let Some(id) = expired {
            self.remove(partition, &id, Removal::Idle);
        }

        self.seq += 1;
        let seq = self.seq;
        let (max_messages, cap, excerpts, tracking) =
            (self.cfg.max_messages, self.cfg.max_conversation_bytes, self.excerpts, self.tracking);
        let Self { parts, lru, bytes, conversations, stats, dirty, .. } = self;
        let part = parts.entry(partition).or_default();
        // Reuse the id the map already holds, so an existing conversation costs no allocation.
        let key = match part.convs.get_key_value(conversation_id) {
            Some((k, _)) => k.clone(),
            None => Arc::from(conversation_id),
        };
        let conv = part.convs.entry(key).or_insert_with_key(|id| {
            *conversations += 1;
            Box::new(LiveConversation::new(id.clone(), at))
        });
        part.by_activity.remove(&(conv.last_active_ms, conv.id.clone()));
        lru.remove(&conv.touched);

        conv.append(msg, max_messages, excerpts);
        conv.last_active_ms = conv.last_active_ms.max(at);
        if offset.is_some() {
            conv.last_offset = offset;
        }
        let mut footprint = conv.footprint();
        while footprint > cap && conv.messages.len() > 1 {
            conv.pop_oldest();
            stats.trimmed_messages += 1;
            footprint = conv.footprint();
        }
        *bytes = bytes.saturating_sub(conv.bytes) + footprint;
        conv.bytes = footprint;
        conv.touched = seq;
        lru.insert(seq, (partition, conv.id.clone()));
        part.by_activity.insert((conv.last_active_ms, conv.id.clone()));
        if tracking {
            dirty.insert((partition, conv.id.clone()));
        }
        conv
    }

    /// Evicts least recently touched conversations until the store is within `max_state_bytes`;
    /// returns how many. The conversation pushed last is touched most recently, so it goes last.
    pub fn enforce_budget(&mut self) -> usize {
        let mut evicted = 0;
        while self.bytes > self.cfg.max_state_bytes && self.conversations > 1 {
            let Some((_, (partition, id))) = self.lru.pop_first() else {
                break;
            };
            self.remove(partition, &id, Removal::Budget);
            evicted += 1;
        }
        evicted
    }

    /// Drops conversations idle for longer than the TTL against their partition's watermark (the
    /// ones their next message would reset anyway); returns how many.
    pub fn expire_idle(&mut self) -> usize {
        let ttl = self.cfg.ttl_ms();
        let mut victims: Vec<(i32, Arc<str>)> = Vec::new();
        for (&p, part) in &self.parts {
            let Some(wm) = part.watermark_ms else { continue };
            let cutoff = wm.saturating_sub(ttl);
            victims.extend(part.by_activity.iter().take_while(|(at, _)| *at < cutoff).map(|(_, id)| (p, id.clone())));
        }
        for (p, id) in &victims {
            self.remove(*p, id, Removal::Idle);
        }
        victims.len()
    }

    /// Drops every conversation of `partition` and its watermark (consumer-group revocation: the
    /// state now belongs to the partition's new owner, so no tombstones); returns how many.
    pub fn remove_partition(&mut self, partition: i32) -> usize {
        let Some(part) = self.parts.remove(&partition) else {
            return 0;
        };
        for conv in part.convs.values() {
            self.lru.remove(&conv.touched);
            self.bytes = self.bytes.saturating_sub(conv.bytes);
        }
        let n = part.convs.len();
        self.conversations -= n;
        self.stats.revoked += n as u64;
        self.dirty.retain(|(p, _)| *p != partition);
        self.dirty_parts.remove(&partition);
        n
    }

    /// Replaces `partition`'s state with what the changelog holds: records in log order, later ones
    /// replacing earlier ones, tombstones deleting. Returns what was restored. Restored state that
    /// exceeds the budget is evicted as usual (with tombstones).
    pub fn restore_partition<'a>(
        &mut self,
        partition: i32,
        records: impl IntoIterator<Item = (&'a [u8], Option<&'a [u8]>)>,
    ) -> RestoreStats {
        self.remove_partition(partition);
        let mut stats = RestoreStats::default();
        let mut convs: HashMap<Arc<str>, LiveConversation> = HashMap::new();
        let mut meta = codec::PartitionMeta::default();
        for (key, value) in records {
            stats.records += 1;
            match codec::decode_record(key, value) {
                Ok(codec::Record::Conversation(id, Some(conv))) => {
                    convs.insert(id, conv);
                }
                Ok(codec::Record::Conversation(id, None)) => {
                    convs.remove(&id);
                }
                Ok(codec::Record::Partition(m)) => meta = m,
                Err(_) => stats.corrupt += 1,
            }
        }
        // Oldest activity first, so the LRU order after a restore follows event time.
        let mut restored: Vec<LiveConversation> = convs.into_values().collect();
        restored.sort_by(|a, b| a.last_active_ms.cmp(&b.last_active_ms).then_with(|| a.id.cmp(&b.id)));
        stats.conversations = restored.len();
        let (max_messages, cap, excerpts) = (self.cfg.max_messages, self.cfg.max_conversation_bytes, self.excerpts);
        let Self { parts, lru, seq, bytes, conversations, .. } = self;
        let part = parts.entry(partition).or_default();
        part.watermark_ms = meta.watermark_ms;
        part.applied = meta.applied;
        for mut conv in restored {
            // The bounds may have been changed since the state was written.
            if !excerpts {
                conv.excerpts = VecDeque::new();
            }
            while conv.messages.len() > max_messages || (conv.messages.len() > 1 && conv.footprint() > cap) {
                conv.pop_oldest();
            }
            *seq += 1;
            conv.touched = *seq;
            conv.bytes = conv.footprint();
            *bytes += conv.bytes;
            *conversations += 1;
            lru.insert(conv.touched, (partition, conv.id.clone()));
            part.by_activity.insert((conv.last_active_ms, conv.id.clone()));
            part.convs.insert(conv.id.clone(), Box::new(conv));
        }
        stats.evicted = self.enforce_budget();
        stats
    }

    /// The changelog records for everything changed since the last call: conversations first (a
    /// value, or a tombstone for one dropped), then one metadata record per partition.
    pub fn take_changes(&mut self) -> Vec<StateChange> {
        let mut out = Vec::with_capacity(self.dirty.len() + self.dirty_parts.len());
        for (p, id) in std::mem::take(&mut self.dirty) {
            let conv = self.parts.get(&p).and_then(|part| part.convs.get(&id));
            out.push(StateChange {
                partition: p,
                key: codec::conversation_key(&id),
                value: conv.map(|c| codec::encode_conversation(c)),
                meta: false,
            });
        }
        for p in std::mem::take(&mut self.dirty_parts) {
            let Some(part) = self.parts.get(&p) else { continue };
            let meta = codec::PartitionMeta { watermark_ms: part.watermark_ms, applied: part.applied };
            out.push(StateChange {
                partition: p,
                key: codec::PARTITION_KEY.to_vec(),
                value: Some(codec::encode_partition(&meta)),
                meta: true,
            });
        }
        out
    }

    pub fn get(&self, partition: i32, conversation_id: &str) -> Option<&LiveConversation> {
        self.parts.get(&partition)?.convs.get(conversation_id).map(|c| &**c)
    }

    /// Whether `conversation_id`'s live window in `partition` already holds a message with this
    /// id: the same message delivered twice (an upstream producer's retry, a platform's resend)
    /// at another offset. Only the window is searched (at most `max_messages` ids): a copy that
    /// arrives after the original slid out, or after the conversation expired, counts as new.
    pub fn holds_message(&self, partition: i32, conversation_id: &str, message_id: &str) -> bool {
        self.get(partition, conversation_id).is_some_and(|c| c.messages.iter().any(|m| &*m.id == message_id))
    }

    /// A partition's watermark, if any message was read from it.
    pub fn watermark(&self, partition: i32) -> Option<DateTime<Utc>> {
        self.parts.get(&partition)?.watermark_ms.map(ms_to_time)
    }

    /// Live conversations.
    pub fn len(&self) -> usize {
        self.conversations
    }

    pub fn is_empty(&self) -> bool {
        self.conversations == 0
    }

    /// Accounted bytes of all live state (the `jaga_live_conversations_bytes` gauge and the budget).
    pub fn approx_bytes(&self) -> usize {
        self.bytes
    }

    pub fn stats(&self) -> StoreStats {
        self.stats
    }

    fn remove(&mut self, partition: i32, id: &Arc<str>, why: Removal) {
        let Some(part) = self.parts.get_mut(&partition) else { return };
        let Some(conv) = part.convs.remove(id) else { return };
        part.by_activity.remove(&(conv.last_active_ms, conv.id.clone()));
        self.lru.remove(&conv.touched);
        self.bytes = self.bytes.saturating_sub(conv.bytes);
        self.conversations -= 1;
        match why {
            Removal::Idle => self.stats.expired_idle += 1,
            Removal::Budget => self.stats.evicted_budget += 1,
        }
        if self.tracking {
            self.dirty.insert((partition, conv.id.clone()));
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Removal {
    Idle,
    Budget,
}

/// What [`WindowStore::restore_partition`] found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RestoreStats {
    /// Changelog records read.
    pub records: usize,
    /// Conversations restored.
    pub conversations: usize,
    /// Records that could not be decoded (skipped; `jaga_state_corrupt_records_total`).
    pub corrupt: usize,
    /// Restored conversations evicted at once to stay within the budget.
    pub evicted: usize,
}

#[cfg(test)]
pub(crate) mod tests;
