//! The state changelog's record format (pure): keys and values of `kafka.state_topic`.
//!
//! Keys say what a record is about:
//!
//! | key | value |
//! |---|---|
//! | `c` + conversation id (UTF-8) | a conversation's whole state, or a tombstone when it expired or was evicted |
//! | `p` | the partition's metadata: event-time watermark and highest applied input offset |
//!
//! A conversation value holds, in this order (integers are LEB128 varints, signed ones zigzag):
//! format byte (1); messages seen; last activity (ms); last applied input offset (flag + value);
//! policy state (level, armed-above level, last event level, messages since the event); whether
//! excerpts follow; the sender table (count, then length-prefixed UTF-8 ids); the messages (count,
//! then per message: length-prefixed id, `sent_at` in ms as a delta from the previous message,
//! sender index, age band, the nine one-byte stage scores and the one-byte grooming cue, and the
//! excerpt when excerpts are on). Format 1, written before the cue existed, is still read, its
//! cues as 0, so an upgrade restores the windows it finds; a partition record's layout is the
//! same in both.
//! **No message text** is stored unless `events.excerpts` is on, and then only the excerpt that
//! events would carry anyway.
//!
//! Decoding checks every length and index against the bytes present, so a corrupt or foreign
//! record is an error (counted and skipped by the restore), never a panic or a huge allocation.

use super::{LiveConversation, Msg};
use crate::event::Level;
use crate::features::MessageFeatures;
use crate::message::AgeBand;
use crate::policy::PolicyState;
use std::collections::VecDeque;
use std::sync::Arc;

/// A changelog record as read back: key, and value (`None` for a tombstone).
pub type OwnedRecord = (Vec<u8>, Option<Vec<u8>>);

/// Version of the value layout written; a record of a version not read (see
/// [`FORMAT_BEFORE_CUE`]) is skipped as corrupt.
pub const FORMAT: u8 = 2;
/// The layout before the per-message cue byte; still read.
pub const FORMAT_BEFORE_CUE: u8 = 1;
/// Key of the per-partition metadata record.
pub const PARTITION_KEY: &[u8] = b"p";
const CONVERSATION_PREFIX: u8 = b'c';

/// Per-partition metadata.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PartitionMeta {
    /// Latest trusted event time read from the partition, ms.
    pub watermark_ms: Option<i64>,
    /// Highest input offset whose effects the changelog holds.
    pub applied: Option<i64>,
}

/// A decoded changelog record.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A conversation's state; `None` for a tombstone.
    Conversation(Arc<str>, Option<LiveConversation>),
    Partition(PartitionMeta),
}

/// Why a record could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error("unknown key kind")]
    UnknownKey,
    #[error("record format {0} is neither {FORMAT} nor {FORMAT_BEFORE_CUE}")]
    Format(u8),
    #[error("record ends early")]
    Truncated,
    #[error("record is malformed: {0}")]
    Malformed(&'static str),
}

/// The key of a conversation's record.
pub fn conversation_key(conversation_id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + conversation_id.len());
    k.push(CONVERSATION_PREFIX);
    k.extend_from_slice(conversation_id.as_bytes());
    k
}

/// A conversation's state as a changelog value.
pub fn encode_conversation(c: &LiveConversation) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(64 + c.messages.len() * 40));
    w.u8(FORMAT);
    w.uvar(c.total_seen);
    w.ivar(c.last_active_ms);
    w.opt(c.last_offset);
    w.u8(level_code(c.policy.level));
    w.u8(level_code(c.policy.armed_above));
    w.u8(level_code(c.policy.last_event));
    w.uvar(c.policy.messages_since_event);
    let excerpts = !c.excerpts.is_empty();
    w.u8(u8::from(excerpts));
    w.uvar(c.senders.len() as u64);
    for s in &c.senders {
        w.str(s);
    }
    w.uvar(c.messages.len() as u64);
    let mut prev = 0i64;
    for (i, m) in c.messages.iter().enumerate() {
        w.str(&m.id);
        w.ivar(m.sent_at_ms.wrapping_sub(prev));
        prev = m.sent_at_ms;
        w.uvar(u64::from(m.sender));
        w.u8(age_code(m.age));
        w.0.extend_from_slice(&m.features.to_bytes());
        if excerpts {
            w.str(c.excerpts.get(i).map_or("", |e| e));
        }
    }
    w.0
}

/// Partition metadata as a changelog value.
pub fn encode_partition(m: &PartitionMeta) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(24));
    w.u8(FORMAT);
    w.opt(m.watermark_ms);
    w.opt(m.applied);
    w.0
}

/// Decodes one changelog record (`value` `None` is a tombstone).
pub fn decode_record(key: &[u8], value: Option<&[u8]>) -> Result<Record, CodecError> {
    if key == PARTITION_KEY {
        let Some(v) = value else {
            return Ok(Record::Partition(PartitionMeta::default()));
        };
        let mut r = Reader(v);
        r.format()?;
        let meta = PartitionMeta { watermark_ms: r.opt()?, applied: r.opt()? };
        r.end()?;
        return Ok(Record::Partition(meta));
    }
    let (&kind, id) = key.split_first().ok_or(CodecError::UnknownKey)?;
    if kind != CONVERSATION_PREFIX {
        return Err(CodecError::UnknownKey);
    }
    let id: Arc<str> = Arc::from(std::str::from_utf8(id).map_err(|_| CodecError::Malformed("conversation id"))?);
    match value {
        None => Ok(Record::Conversation(id, None)),
        Some(v) => {
            let conv = decode_conversation(id.clone(), v)?;
            Ok(Record::Conversation(id, Some(conv)))
        }
    }
}

fn decode_conversation(id: Arc<str>, v: &[u8]) -> Result<LiveConversation, CodecError> {
    let mut r = Reader(v);
    let format = r.format()?;
    let total_seen = r.uvar()?;
    let last_active_ms = r.ivar()?;
    let last_offset = r.opt()?;
    let policy = PolicyState {
        level: level_from(r.u8()?)?,
        armed_above: level_from(r.u8()?)?,
        last_event: level_from(r.u8()?)?,
        messages_since_event: r.uvar()?,
    };
    let excerpts = match r.u8()? {
        0 => false,
        1 => true,
        _ => return Err(CodecError::Malformed("excerpt flag")),
    };
    let n_senders = r.count()?;
    let mut senders = Vec::with_capacity(n_senders);
    for _ in 0..n_senders {
        senders.push(Box::from(r.str()?));
    }
    let n = r.count()?;
    let mut messages = VecDeque::with_capacity(n);
    let mut excerpt_q = VecDeque::new();
    let mut prev = 0i64;
    for _ in 0..n {
        let msg_id: Box<str> = Box::from(r.str()?);
        let sent_at_ms = prev.wrapping_add(r.ivar()?);
        prev = sent_at_ms;
        let sender = u16::try_from(r.uvar()?).map_err(|_| CodecError::Malformed("sender index"))?;
        if usize::from(sender) >= senders.len() {
            return Err(CodecError::Malformed("sender index"));
        }
        let age = age_from(r.u8()?)?;
        let features = if format == FORMAT_BEFORE_CUE {
            MessageFeatures::from_stage_bytes(r.array()?)
        } else {
            MessageFeatures::from_bytes(r.array()?)
        };
        messages.push_back(Msg { id: msg_id, sent_at_ms, sender, age, features });
        if excerpts {
            excerpt_q.push_back(Box::from(r.str()?));
        }
    }
    r.end()?;
    Ok(LiveConversation {
        id,
        messages,
        excerpts: excerpt_q,
        senders,
        total_seen,
        last_active_ms,
        last_offset,
        policy,
        touched: 0,
        bytes: 0,
    })
}

fn level_code(l: Option<Level>) -> u8 {
    match l {
        None => 0,
        Some(Level::Watch) => 1,
        Some(Level::Alert) => 2,
        Some(Level::Critical) => 3,
    }
}

fn level_from(b: u8) -> Result<Option<Level>, CodecError> {
    Ok(match b {
        0 => None,
        1 => Some(Level::Watch),
        2 => Some(Level::Alert),
        3 => Some(Level::Critical),
        _ => return Err(CodecError::Malformed("level")),
    })
}

fn age_code(a: Option<AgeBand>) -> u8 {
    match a {
        None => 0,
        Some(AgeBand::Under13) => 1,
        Some(AgeBand::From13To15) => 2,
        Some(AgeBand::From16To17) => 3,
        Some(AgeBand::Adult) => 4,
        Some(AgeBand::Unknown) => 5,
    }
}

fn age_from(b: u8) -> Result<Option<AgeBand>, CodecError> {
    Ok(match b {
        0 => None,
        1 => Some(AgeBand::Under13),
        2 => Some(AgeBand::From13To15),
        3 => Some(AgeBand::From16To17),
        4 => Some(AgeBand::Adult),
        5 => Some(AgeBand::Unknown),
        _ => return Err(CodecError::Malformed("age band")),
    })
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, b: u8) {
        self.0.push(b);
    }

    fn uvar(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    fn ivar(&mut self, v: i64) {
        self.uvar(((v << 1) ^ (v >> 63)) as u64);
    }

    fn opt(&mut self, v: Option<i64>) {
        match v {
            None => self.u8(0),
            Some(x) => {
                self.u8(1);
                self.ivar(x);
            }
        }
    }

    fn str(&mut self, s: &str) {
        self.uvar(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn u8(&mut self) -> Result<u8, CodecError> {
        let (&b, rest) = self.0.split_first().ok_or(CodecError::Truncated)?;
        self.0 = rest;
        Ok(b)
    }

    fn format(&mut self) -> Result<u8, CodecError> {
        match self.u8()? {
            f @ (FORMAT | FORMAT_BEFORE_CUE) => Ok(f),
            other => Err(CodecError::Format(other)),
        }
    }

    fn uvar(&mut self) -> Result<u64, CodecError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(CodecError::Malformed("varint"))
    }

    fn ivar(&mut self) -> Result<i64, CodecError> {
        let u = self.uvar()?;
        Ok(((u >> 1) as i64) ^ -((u & 1) as i64))
    }

    fn opt(&mut self) -> Result<Option<i64>, CodecError> {
        match self.u8()? {
            0 => Ok(None),
            1 => Ok(Some(self.ivar()?)),
            _ => Err(CodecError::Malformed("option flag")),
        }
    }

    /// A count of items that each take at least one byte: never more than the bytes left, so a
    /// corrupt count cannot make the decoder reserve gigabytes.
    fn count(&mut self) -> Result<usize, CodecError> {
        let n = usize::try_from(self.uvar()?).map_err(|_| CodecError::Malformed("count"))?;
        if n > self.0.len() {
            return Err(CodecError::Truncated);
        }
        Ok(n)
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        if n > self.0.len() {
            return Err(CodecError::Truncated);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn str(&mut self) -> Result<&'a str, CodecError> {
        let n = self.count()?;
        std::str::from_utf8(self.bytes(n)?).map_err(|_| CodecError::Malformed("string"))
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], CodecError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N)?);
        Ok(out)
    }

    fn end(&self) -> Result<(), CodecError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(CodecError::Malformed("trailing bytes"))
        }
    }
}
