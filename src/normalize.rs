//! Text normalisation (pure): the canonical form the model reads.
//!
//! CONTRACT for implementers: `normalize(text)` must be deterministic, never panic, and keep the
//! meaning readable for a multilingual encoder: NFKC, strip zero-width/bidi/control characters,
//! fold confusable homoglyphs and common leetspeak, collapse letter runs and spaced-out words.
//! The original text is kept elsewhere (for evidence excerpts); this returns the model's input.

/// Returns the canonical text for the model.
pub fn normalize(text: &str) -> String {
    text.to_lowercase()
}
