//! Embeddings computed once per distinct normalised text, kept on disk between training runs, and
//! served back through the [`Encoder`] trait so evaluation runs the live [`crate::engine::Engine`]
//! without encoding anything twice.
//!
//! The sentence encoder is frozen, so a text's embedding depends only on the encoder and the text.
//! The cache file is keyed by both: one append-only file per encoder id and width, one record per
//! text (`sha256(text)` then `dim` little-endian `f32`). Appending a batch at a time means an
//! interrupted run loses at most the batch in flight; a torn last record is ignored on reading.

use super::TrainError;
use crate::detector::sanitise_id;
use crate::model::{Encoder, EncoderInfo, ModelError, TokenBatch};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Texts encoded per encoder call: the batch size the encoder is fastest at on this hardware.
const ENCODE_BATCH: usize = 64;

type Key = [u8; 32];

/// Embeddings by sha256 of the normalised text.
pub struct EmbeddingCache {
    path: Option<PathBuf>,
    info: EncoderInfo,
    map: Arc<HashMap<Key, Vec<f32>>>,
}

/// What [`EmbeddingCache::ensure`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct EnsureStats {
    /// Distinct texts asked for.
    pub distinct: usize,
    /// Of those, found in the cache.
    pub hits: usize,
    /// Encoded now.
    pub encoded: usize,
}

impl EmbeddingCache {
    /// Opens (or starts) the cache of `encoder_info` under `dir`; `None` keeps it in memory only.
    pub fn open(dir: Option<&Path>, info: &EncoderInfo) -> Result<Self, TrainError> {
        let path = dir.map(|d| d.join(format!("embeddings-{}-d{}.bin", sanitise_id(&info.id), info.dim)));
        let mut map = HashMap::new();
        if let Some(p) = &path {
            match std::fs::read(p) {
                Ok(bytes) => {
                    for rec in bytes.chunks_exact(32 + 4 * info.dim) {
                        let mut key = [0u8; 32];
                        key.copy_from_slice(&rec[..32]);
                        let v =
                            rec[32..].chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
                        map.insert(key, v);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(TrainError::Io { path: p.clone(), source: e }),
            }
        }
        Ok(EmbeddingCache { path, info: info.clone(), map: Arc::new(map) })
    }

    fn key(text: &str) -> Key {
        Sha256::digest(text.as_bytes()).into()
    }

    pub fn get(&self, text: &str) -> Option<&[f32]> {
        self.map.get(&Self::key(text)).map(Vec::as_slice)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Encodes the texts not cached yet (shortest first, so batches pad little) and appends them
    /// to the cache file. `encoder` must be the encoder the cache was opened for.
    pub fn ensure<'a>(
        &mut self,
        encoder: &dyn Encoder,
        texts: impl IntoIterator<Item = &'a str>,
    ) -> Result<EnsureStats, TrainError> {
        if encoder.info() != &self.info {
            return Err(TrainError::Invalid(format!(
                "embedding cache is for `{}` (d{}), the encoder is `{}` (d{})",
                self.info.id,
                self.info.dim,
                encoder.info().id,
                encoder.info().dim
            )));
        }
        let mut seen: HashMap<Key, &str> = HashMap::new();
        for t in texts {
            seen.entry(Self::key(t)).or_insert(t);
        }
        let distinct = seen.len();
        let mut todo: Vec<(Key, &str)> = seen.into_iter().filter(|(k, _)| !self.map.contains_key(k)).collect();
        todo.sort_by(|a, b| (a.1.len(), a.1).cmp(&(b.1.len(), b.1)));
        let stats = EnsureStats { distinct, hits: distinct - todo.len(), encoded: todo.len() };
        if todo.is_empty() {
            return Ok(stats);
        }
        let io = |p: &Path, e: std::io::Error| TrainError::Io { path: p.to_path_buf(), source: e };
        let mut file = match &self.path {
            Some(p) => {
                if let Some(parent) = p.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
                }
                Some(std::fs::OpenOptions::new().create(true).append(true).open(p).map_err(|e| io(p, e))?)
            }
            None => None,
        };
        let map = Arc::make_mut(&mut self.map);
        let started = std::time::Instant::now();
        let total = todo.len();
        for (bi, chunk) in todo.chunks(ENCODE_BATCH).enumerate() {
            let refs: Vec<&str> = chunk.iter().map(|(_, t)| *t).collect();
            let embs = encoder.embed(&encoder.tokenize(&refs)?)?;
            if embs.len() != chunk.len() || embs.iter().any(|e| e.len() != self.info.dim) {
                return Err(TrainError::Invalid("the encoder returned the wrong number or width of embeddings".into()));
            }
            let mut buf = Vec::with_capacity(chunk.len() * (32 + 4 * self.info.dim));
            for ((k, _), e) in chunk.iter().zip(embs) {
                buf.extend_from_slice(k);
                buf.extend(e.iter().flat_map(|f| f.to_le_bytes()));
                map.insert(*k, e);
            }
            if let (Some(f), Some(p)) = (file.as_mut(), &self.path) {
                f.write_all(&buf).map_err(|e| io(p, e))?;
            }
            if bi % 10 == 9 {
                let done = ((bi + 1) * ENCODE_BATCH).min(total);
                tracing::info!(done, total, secs = started.elapsed().as_secs(), "encoding texts");
            }
        }
        Ok(stats)
    }

    /// An [`Encoder`] answering from this cache (as it is now) under the real encoder's id, so a
    /// [`crate::detector::Detector`] and an [`crate::engine::Engine`] built on it behave exactly
    /// as with the real encoder, for texts already ensured. A text that is not cached is an error:
    /// evaluation never encodes behind the caller's back.
    pub fn encoder(&self) -> CachedEncoder {
        CachedEncoder { info: self.info.clone(), map: Arc::clone(&self.map), pending: Mutex::new(Pending::default()) }
    }
}

#[derive(Default)]
struct Pending {
    next: u32,
    keys: HashMap<u32, Key>,
}

/// See [`EmbeddingCache::encoder`]. Token ids are tickets into the texts of `tokenize` calls
/// whose `embed` has not run yet.
pub struct CachedEncoder {
    info: EncoderInfo,
    map: Arc<HashMap<Key, Vec<f32>>>,
    pending: Mutex<Pending>,
}

impl Encoder for CachedEncoder {
    fn info(&self) -> &EncoderInfo {
        &self.info
    }

    fn tokenize(&self, texts: &[&str]) -> Result<TokenBatch, ModelError> {
        let mut p = self.pending.lock().map_err(|_| ModelError::Tokenizer("cache lock poisoned".into()))?;
        let mut ids = Vec::with_capacity(texts.len());
        for t in texts {
            let key = EmbeddingCache::key(t);
            if !self.map.contains_key(&key) {
                return Err(ModelError::Inference(format!(
                    "a text of {} bytes is not in the embedding cache (ensure it before evaluating)",
                    t.len()
                )));
            }
            let id = p.next;
            p.next = p.next.wrapping_add(1);
            p.keys.insert(id, key);
            ids.push(id);
        }
        Ok(TokenBatch { mask: vec![1; ids.len()], ids, batch: texts.len(), seq_len: 1 })
    }

    fn embed(&self, batch: &TokenBatch) -> Result<Vec<Vec<f32>>, ModelError> {
        let mut p = self.pending.lock().map_err(|_| ModelError::Inference("cache lock poisoned".into()))?;
        batch
            .ids
            .iter()
            .map(|id| {
                let key = p.keys.remove(id).ok_or_else(|| ModelError::Inference("unknown cache ticket".into()))?;
                self.map.get(&key).cloned().ok_or_else(|| ModelError::Inference("text left the cache".into()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detector::test_encoder::WordHashEncoder;

    #[test]
    fn ensure_encodes_each_text_once_and_persists() {
        let dir = tempfile::tempdir().unwrap();
        let enc = WordHashEncoder::new("wh");
        let mut c = EmbeddingCache::open(Some(dir.path()), enc.info()).unwrap();
        let s = c.ensure(&enc, ["a b", "c", "a b"]).unwrap();
        assert_eq!(s, EnsureStats { distinct: 2, hits: 0, encoded: 2 });
        let again = EmbeddingCache::open(Some(dir.path()), enc.info()).unwrap();
        assert_eq!(again.len(), 2);
        assert_eq!(again.get("a b"), c.get("a b"));
        let mut again = again;
        assert_eq!(again.ensure(&enc, ["c", "d"]).unwrap(), EnsureStats { distinct: 2, hits: 1, encoded: 1 });
        // Another encoder id never reads these records.
        let other = WordHashEncoder::new("other");
        assert!(EmbeddingCache::open(Some(dir.path()), other.info()).unwrap().is_empty());
        assert!(again.ensure(&other, ["x"]).is_err());
    }

    #[test]
    fn the_cached_encoder_answers_like_the_real_one_and_refuses_unknown_texts() {
        let enc = WordHashEncoder::new("wh");
        let mut c = EmbeddingCache::open(None, enc.info()).unwrap();
        c.ensure(&enc, ["hello there", "bye"]).unwrap();
        let cached = c.encoder();
        assert_eq!(cached.info(), enc.info());
        let b1 = cached.tokenize(&["bye", "hello there"]).unwrap();
        let b2 = cached.tokenize(&["bye"]).unwrap();
        let real = enc.embed(&enc.tokenize(&["bye", "hello there"]).unwrap()).unwrap();
        assert_eq!(cached.embed(&b1).unwrap(), real);
        assert_eq!(cached.embed(&b2).unwrap(), vec![real[0].clone()]);
        assert!(cached.embed(&b2).is_err(), "a ticket is used once");
        assert!(cached.tokenize(&["never seen"]).is_err());
    }
}
