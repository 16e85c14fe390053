//! An LRU of normalised text → embedding, bounded in bytes, in front of any [`Encoder`].
//!
//! Chat repeats itself: "ok", "wkwk", "haha", "otw", stickers (empty texts), greetings. An
//! embedding depends only on its text (the encoder packs tokens and never pads, see
//! [`super::packed_bert`]), so a cached vector is exactly what the encoder would compute again,
//! and a hit skips tokenisation and the forward pass. Keys are the *normalised* texts the engine
//! passes in; the cache holds them in memory only (never on disk, never in logs), for as long as
//! the budget allows.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{Encoder, EncoderInfo, ModelError, TokenBatch};

/// Bookkeeping bytes per entry on top of the text and the vector (map and order entries, `Arc`).
const ENTRY_OVERHEAD: usize = 96;

/// Counters of a [`CachingEncoder`], readable from any thread (metrics).
#[derive(Debug, Default)]
pub struct CacheStats {
    pub hits: AtomicU64,
    pub misses: AtomicU64,
    /// Bytes held now.
    pub bytes: AtomicU64,
    pub entries: AtomicU64,
}

impl CacheStats {
    /// Hits / lookups so far, 0 before the first lookup.
    pub fn hit_rate(&self) -> f64 {
        let (h, m) = (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed));
        if h + m == 0 {
            0.0
        } else {
            h as f64 / (h + m) as f64
        }
    }
}

struct Slot {
    embedding: Arc<[f32]>,
    tick: u64,
}

struct Lru {
    map: HashMap<Arc<str>, Slot>,
    /// Recency order: tick → key; the first is the least recently used.
    order: BTreeMap<u64, Arc<str>>,
    tick: u64,
    bytes: usize,
    budget: usize,
}

impl Lru {
    fn entry_bytes(key: &str, dim: usize) -> usize {
        key.len() + 4 * dim + ENTRY_OVERHEAD
    }

    fn get(&mut self, key: &str) -> Option<Arc<[f32]>> {
        let slot = self.map.get_mut(key)?;
        let k = self.order.remove(&slot.tick)?;
        self.tick += 1;
        slot.tick = self.tick;
        self.order.insert(self.tick, k);
        Some(slot.embedding.clone())
    }

    fn insert(&mut self, key: &str, embedding: Arc<[f32]>) {
        let size = Self::entry_bytes(key, embedding.len());
        if size > self.budget || self.map.contains_key(key) {
            return;
        }
        while self.bytes + size > self.budget {
            let Some((_, victim)) = self.order.pop_first() else { break };
            if let Some(old) = self.map.remove(&victim) {
                self.bytes -= Self::entry_bytes(&victim, old.embedding.len());
            }
        }
        self.tick += 1;
        let k: Arc<str> = Arc::from(key);
        self.order.insert(self.tick, k.clone());
        self.map.insert(k, Slot { embedding, tick: self.tick });
        self.bytes += size;
    }
}

/// An [`Encoder`] that answers repeated texts from an LRU (see the module docs).
pub struct CachingEncoder {
    inner: Box<dyn Encoder>,
    lru: Mutex<Lru>,
    stats: Arc<CacheStats>,
}

impl CachingEncoder {
    /// Wraps `inner` with a cache of at most `budget_bytes` (texts, vectors and bookkeeping).
    pub fn new(inner: Box<dyn Encoder>, budget_bytes: usize) -> CachingEncoder {
        let lru = Lru { map: HashMap::new(), order: BTreeMap::new(), tick: 0, bytes: 0, budget: budget_bytes };
        CachingEncoder { inner, lru: Mutex::new(lru), stats: Arc::default() }
    }

    fn publish(&self, lru: &Lru) {
        self.stats.bytes.store(lru.bytes as u64, Ordering::Relaxed);
        self.stats.entries.store(lru.map.len() as u64, Ordering::Relaxed);
    }
}

impl Encoder for CachingEncoder {
    fn info(&self) -> &EncoderInfo {
        self.inner.info()
    }

    fn tokenize(&self, texts: &[&str]) -> Result<TokenBatch, ModelError> {
        self.inner.tokenize(texts)
    }

    fn embed(&self, batch: &TokenBatch) -> Result<Vec<Vec<f32>>, ModelError> {
        self.inner.embed(batch)
    }

    fn cache_stats(&self) -> Option<Arc<CacheStats>> {
        Some(self.stats.clone())
    }

    fn encode_timed(&self, texts: &[&str]) -> Result<(Vec<Vec<f32>>, Duration, Duration), ModelError> {
        let mut out: Vec<Option<Vec<f32>>> = vec![None; texts.len()];
        // Misses, each distinct text once, with every position that wants it.
        let mut todo: Vec<(&str, Vec<usize>)> = Vec::new();
        {
            let mut lru = self.lru.lock().unwrap_or_else(|p| p.into_inner());
            let mut pending: HashMap<&str, usize> = HashMap::new();
            for (i, t) in texts.iter().enumerate() {
                if let Some(&k) = pending.get(t) {
                    todo[k].1.push(i);
                    self.stats.hits.fetch_add(1, Ordering::Relaxed);
                } else if let Some(e) = lru.get(t) {
                    out[i] = Some(e.to_vec());
                    self.stats.hits.fetch_add(1, Ordering::Relaxed);
                } else {
                    pending.insert(t, todo.len());
                    todo.push((t, vec![i]));
                    self.stats.misses.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        let (mut tok, mut enc) = (Duration::ZERO, Duration::ZERO);
        if !todo.is_empty() {
            let miss_texts: Vec<&str> = todo.iter().map(|(t, _)| *t).collect();
            let (vectors, t, e) = self.inner.encode_timed(&miss_texts)?;
            (tok, enc) = (t, e);
            let mut lru = self.lru.lock().unwrap_or_else(|p| p.into_inner());
            for ((text, positions), v) in todo.iter().zip(vectors) {
                let shared: Arc<[f32]> = Arc::from(v);
                lru.insert(text, shared.clone());
                for &i in positions {
                    out[i] = Some(shared.to_vec());
                }
            }
            self.publish(&lru);
        }
        let out = out
            .into_iter()
            .map(|v| v.ok_or_else(|| ModelError::Inference("a cached text got no embedding".into())))
            .collect::<Result<_, _>>()?;
        Ok((out, tok, enc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HashingEncoder;

    #[test]
    fn hits_return_exactly_what_the_encoder_computes() {
        let plain = HashingEncoder::new();
        let cached = CachingEncoder::new(Box::new(HashingEncoder::new()), 1 << 20);
        let texts = ["ok", "wkwk", "ok", "otw kak", "wkwk", "ok"];
        let (a, _, _) = cached.encode_timed(&texts).unwrap();
        let (b, _, _) = plain.encode_timed(&texts).unwrap();
        assert_eq!(a, b);
        let stats = cached.cache_stats().unwrap();
        // Three distinct texts encoded; the three repeats within the batch are hits.
        assert_eq!((stats.hits.load(Ordering::Relaxed), stats.misses.load(Ordering::Relaxed)), (3, 3));
        let (c, _, _) = cached.encode_timed(&["otw kak", "baru"]).unwrap();
        assert_eq!(c, plain.encode_timed(&["otw kak", "baru"]).unwrap().0);
        assert_eq!(stats.hits.load(Ordering::Relaxed), 4);
        assert!((stats.hit_rate() - 0.5).abs() < 1e-9);
    }

    #[test]
    fn the_byte_budget_evicts_the_least_recently_used() {
        let one = Lru::entry_bytes("aa", 384);
        let cached = CachingEncoder::new(Box::new(HashingEncoder::new()), 2 * one);
        cached.encode_timed(&["aa", "bb"]).unwrap();
        cached.encode_timed(&["aa"]).unwrap(); // "bb" is now the least recently used
        cached.encode_timed(&["cc"]).unwrap(); // evicts "bb"
        let stats = cached.cache_stats().unwrap();
        assert_eq!(stats.entries.load(Ordering::Relaxed), 2);
        assert!(stats.bytes.load(Ordering::Relaxed) as usize <= 2 * one);
        let misses = stats.misses.load(Ordering::Relaxed);
        cached.encode_timed(&["aa", "cc"]).unwrap();
        assert_eq!(stats.misses.load(Ordering::Relaxed), misses, "aa and cc stayed");
        cached.encode_timed(&["bb"]).unwrap();
        assert_eq!(stats.misses.load(Ordering::Relaxed), misses + 1, "bb was evicted");
        // An entry larger than the whole budget is never kept.
        let tiny = CachingEncoder::new(Box::new(HashingEncoder::new()), 10);
        tiny.encode_timed(&["ok"]).unwrap();
        assert_eq!(tiny.cache_stats().unwrap().entries.load(Ordering::Relaxed), 0);
    }
}
