//! A compact Unigram (SentencePiece) tokenizer model for multilingual-e5-small's 250,002 pieces.
//!
//! The `tokenizers` crate's own Unigram model keeps a byte trie with a hash map in every node: for
//! this vocabulary that is about 290 MB of heap, four times the whole int8 encoder. This model
//! holds the pieces in one byte blob with an open-addressing index (about 9 MB in all) and runs
//! the same Viterbi search over it — the algorithm of `tokenizers`' `Unigram::encode_optimized`
//! (SentencePiece's): at each character position every vocabulary piece starting there is tried
//! in order of length, a character no piece covers becomes `<unk>` at `min_score − 10`, ties keep
//! the first candidate, and adjacent unknowns are fused. Only the model is replaced: the
//! normaliser, pre-tokeniser, added tokens and post-processor are `tokenizers`' own, read from
//! the same `tokenizer.json`, so the token ids are the same (a test compares both on every message
//! of `../shared/realchat` and the generator's output).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tokenizers::models::unigram::UnigramTrainer;
use tokenizers::{
    AddedToken, DecoderWrapper, Model, NormalizerWrapper, PostProcessorWrapper, PreTokenizerWrapper, Token,
    TokenizerImpl,
};

use super::ModelError;

/// A tokenizer with [`CompactUnigram`] as its model.
pub type CompactTokenizer =
    TokenizerImpl<CompactUnigram, NormalizerWrapper, PreTokenizerWrapper, PostProcessorWrapper, DecoderWrapper>;

/// Score penalty of an unknown character below the lowest piece score (SentencePiece's).
const UNK_PENALTY: f64 = 10.0;
const EMPTY: u32 = u32::MAX;

/// See the module docs.
#[derive(Debug, Clone)]
pub struct CompactUnigram {
    /// Every piece's bytes, end to end.
    blob: Vec<u8>,
    /// `offsets[i]..offsets[i + 1]` is piece `i` in `blob`.
    offsets: Vec<u32>,
    scores: Vec<f64>,
    /// Open addressing by FNV-1a of the bytes, linear probing; the value is the piece id that
    /// `tokenizers` would map the string to (the last one, should a string repeat).
    slots: Vec<u32>,
    mask: usize,
    longest: usize,
    min_score: f64,
    unk_id: u32,
}

#[derive(Deserialize)]
struct ModelJson {
    #[serde(rename = "type")]
    kind: String,
    unk_id: Option<usize>,
    vocab: Vec<(String, f64)>,
    #[serde(default)]
    byte_fallback: bool,
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl CompactUnigram {
    /// Builds the model from `(piece, score)` pairs in id order.
    pub fn new(vocab: &[(String, f64)], unk_id: u32) -> Result<CompactUnigram, ModelError> {
        if vocab.is_empty() || unk_id as usize >= vocab.len() || vocab.len() >= EMPTY as usize {
            return Err(ModelError::Tokenizer("Unigram vocabulary is empty or lacks its <unk>".into()));
        }
        let total: usize = vocab.iter().map(|(p, _)| p.len()).sum();
        let mut blob = Vec::with_capacity(total);
        let mut offsets = Vec::with_capacity(vocab.len() + 1);
        let mut scores = Vec::with_capacity(vocab.len());
        offsets.push(0u32);
        for (p, s) in vocab {
            blob.extend_from_slice(p.as_bytes());
            offsets.push(u32::try_from(blob.len()).map_err(|_| ModelError::Tokenizer("vocabulary too large".into()))?);
            scores.push(*s);
        }
        let cap = (vocab.len() * 2).next_power_of_two();
        let mut m = CompactUnigram {
            blob,
            offsets,
            scores,
            slots: vec![EMPTY; cap],
            mask: cap - 1,
            longest: vocab.iter().map(|(p, _)| p.len()).max().unwrap_or(0),
            min_score: vocab.iter().map(|(_, s)| *s).fold(f64::INFINITY, f64::min),
            unk_id,
        };
        for id in 0..vocab.len() as u32 {
            m.insert(id);
        }
        Ok(m)
    }

    fn piece(&self, id: u32) -> &[u8] {
        &self.blob[self.offsets[id as usize] as usize..self.offsets[id as usize + 1] as usize]
    }

    fn insert(&mut self, id: u32) {
        let mut h = fnv1a(self.piece(id)) as usize & self.mask;
        loop {
            match self.slots[h] {
                EMPTY => {
                    self.slots[h] = id;
                    return;
                }
                // A repeated string: the later id wins, as in `tokenizers`' map.
                other if self.piece(other) == self.piece(id) => {
                    self.slots[h] = id;
                    return;
                }
                _ => h = (h + 1) & self.mask,
            }
        }
    }

    fn lookup(&self, bytes: &[u8]) -> Option<u32> {
        let mut h = fnv1a(bytes) as usize & self.mask;
        loop {
            match self.slots[h] {
                EMPTY => return None,
                id if self.piece(id) == bytes => return Some(id),
                _ => h = (h + 1) & self.mask,
            }
        }
    }

    /// Number of pieces.
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    /// Heap bytes held.
    pub fn bytes(&self) -> usize {
        self.blob.len() + 4 * self.offsets.len() + 8 * self.scores.len() + 4 * self.slots.len()
    }

    /// The best segmentation of `s` as byte ranges (fused unknowns as one range).
    fn segment(&self, s: &str) -> Vec<(usize, usize, u32)> {
        #[derive(Clone, Copy)]
        struct Node {
            id: u32,
            score: f64,
            start: Option<usize>,
        }
        let bytes = s.as_bytes();
        let size = bytes.len();
        let unk_score = self.min_score - UNK_PENALTY;
        let mut best = vec![Node { id: 0, score: 0.0, start: None }; size + 1];
        let mut start = 0;
        while start < size {
            let here = best[start].score;
            let mblen = s[start..].chars().next().map_or(1, char::len_utf8);
            let mut single = false;
            // Every piece that starts here, shortest first (pieces are whole characters).
            let mut end = start;
            for c in s[start..].chars() {
                end += c.len_utf8();
                if end - start > self.longest {
                    break;
                }
                if let Some(id) = self.lookup(&bytes[start..end]) {
                    let candidate = self.scores[id as usize] + here;
                    let node = &mut best[end];
                    if node.start.is_none() || candidate > node.score {
                        *node = Node { id, score: candidate, start: Some(start) };
                    }
                    single |= end - start == mblen;
                }
            }
            if !single {
                let node = &mut best[start + mblen];
                let candidate = unk_score + here;
                if node.start.is_none() || candidate > node.score {
                    *node = Node { id: self.unk_id, score: candidate, start: Some(start) };
                }
            }
            start += mblen;
        }
        // Back from the end; runs of unknowns become one range.
        let mut out = Vec::new();
        let mut end = size;
        let mut unk_run: Option<(usize, usize)> = None;
        while end > 0 {
            let node = best[end];
            let st = node.start.unwrap_or(0);
            if node.id == self.unk_id {
                unk_run = Some((st, unk_run.map_or(end, |(_, e)| e)));
            } else {
                if let Some((a, b)) = unk_run.take() {
                    out.push((a, b, self.unk_id));
                }
                out.push((st, end, node.id));
            }
            end = st;
        }
        if let Some((a, b)) = unk_run {
            out.push((a, b, self.unk_id));
        }
        out.reverse();
        out
    }
}

impl Model for CompactUnigram {
    type Trainer = UnigramTrainer;

    fn tokenize(&self, sequence: &str) -> tokenizers::Result<Vec<Token>> {
        Ok(self
            .segment(sequence)
            .into_iter()
            .map(|(a, b, id)| {
                let text = &sequence[a..b];
                // A fused run of unknowns that happens to spell a piece is that piece.
                let id = if id == self.unk_id { self.lookup(text.as_bytes()).unwrap_or(id) } else { id };
                Token::new(id, text.to_owned(), (a, b))
            })
            .collect())
    }

    fn token_to_id(&self, token: &str) -> Option<u32> {
        self.lookup(token.as_bytes())
    }

    fn id_to_token(&self, id: u32) -> Option<String> {
        ((id as usize) < self.len()).then(|| String::from_utf8_lossy(self.piece(id)).into_owned())
    }

    fn get_vocab(&self) -> HashMap<String, u32> {
        (0..self.len() as u32).filter_map(|id| self.id_to_token(id).map(|t| (t, id))).collect()
    }

    fn get_vocab_size(&self) -> usize {
        self.len()
    }

    fn save(&self, _folder: &Path, _prefix: Option<&str>) -> tokenizers::Result<Vec<PathBuf>> {
        Err("the compact Unigram model is read-only".into())
    }

    fn get_trainer(&self) -> UnigramTrainer {
        UnigramTrainer::default()
    }
}

/// Reads a `tokenizer.json` whose model is Unigram (no byte fallback) into a [`CompactTokenizer`];
/// `Ok(None)` for any other model, which the `tokenizers` crate loads as usual.
pub fn load_compact(path: &Path) -> Result<Option<CompactTokenizer>, ModelError> {
    let bad = |e: String| ModelError::Tokenizer(format!("{}: {e}", path.display()));
    let bytes = std::fs::read(path).map_err(|source| ModelError::Io { path: path.display().to_string(), source })?;
    let mut json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
    if json["model"]["type"] != "Unigram" || json["model"]["byte_fallback"] == true {
        return Ok(None);
    }
    let model: ModelJson = serde_json::from_value(json["model"].take()).map_err(|e| bad(e.to_string()))?;
    let (Some(unk), false, "Unigram") = (model.unk_id, model.byte_fallback, model.kind.as_str()) else {
        return Ok(None);
    };
    let unk = u32::try_from(unk).map_err(|e| bad(e.to_string()))?;
    let mut tk = CompactTokenizer::new(CompactUnigram::new(&model.vocab, unk)?);
    drop(model);
    let part = |json: &mut serde_json::Value, key: &str| json[key].take();
    let normalizer: Option<NormalizerWrapper> =
        serde_json::from_value(part(&mut json, "normalizer")).map_err(|e| bad(e.to_string()))?;
    let pre: Option<PreTokenizerWrapper> =
        serde_json::from_value(part(&mut json, "pre_tokenizer")).map_err(|e| bad(e.to_string()))?;
    let post: Option<PostProcessorWrapper> =
        serde_json::from_value(part(&mut json, "post_processor")).map_err(|e| bad(e.to_string()))?;
    let decoder: Option<DecoderWrapper> =
        serde_json::from_value(part(&mut json, "decoder")).map_err(|e| bad(e.to_string()))?;
    let added: Vec<AddedToken> =
        serde_json::from_value(part(&mut json, "added_tokens")).map_err(|e| bad(e.to_string()))?;
    tk.with_normalizer(normalizer).with_pre_tokenizer(pre).with_post_processor(post).with_decoder(decoder);
    // As `tokenizers` does when it reads the file: every added token, special or not, in order.
    tk.add_tokens(&added);
    Ok(Some(tk))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab(pieces: &[(&str, f64)]) -> Vec<(String, f64)> {
        pieces.iter().map(|(p, s)| (p.to_string(), *s)).collect()
    }

    #[test]
    fn viterbi_prefers_the_best_total_score_and_fuses_unknowns() {
        let v = vocab(&[("<unk>", 0.0), ("a", -1.0), ("b", -1.0), ("ab", -1.5), ("abc", -5.0), ("c", -1.0)]);
        let m = CompactUnigram::new(&v, 0).unwrap();
        let ids = |s: &str| m.tokenize(s).unwrap().iter().map(|t| t.id).collect::<Vec<_>>();
        assert_eq!(ids("ab"), vec![3], "one piece at -1.5 beats two at -2");
        assert_eq!(ids("abc"), vec![3, 5], "-2.5 beats -5");
        // x and y are unknown: fused into one <unk> covering both.
        let t = m.tokenize("axyb").unwrap();
        assert_eq!(t.iter().map(|t| (t.id, t.value.as_str())).collect::<Vec<_>>(), vec![(1, "a"), (0, "xy"), (2, "b")]);
        assert_eq!(t[1].offsets, (1, 3));
        assert_eq!(m.token_to_id("ab"), Some(3));
        assert_eq!(m.id_to_token(5).as_deref(), Some("c"));
        assert!(m.tokenize("").unwrap().is_empty());
    }

    #[test]
    fn repeated_pieces_map_to_the_last_id_and_multibyte_characters_stay_whole() {
        let v = vocab(&[("<unk>", 0.0), ("é", -1.0), ("é", -3.0), ("ék", -1.0)]);
        let m = CompactUnigram::new(&v, 0).unwrap();
        assert_eq!(m.token_to_id("é"), Some(2));
        assert_eq!(m.tokenize("ék").unwrap()[0].id, 3);
        // "日" is unknown: one <unk> for its three bytes, never a split character.
        let t = m.tokenize("日é").unwrap();
        assert_eq!((t[0].id, t[0].offsets), (0, (0, 3)));
    }
}
