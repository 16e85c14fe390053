//! The benchmark stream: human-written chat from `../shared/realchat` (read in place, never copied
//! into the repository), the same selection the peer comparison in `benches/peers/` reads.
//!
//! The first 24 conversations of each dialogue file (Topical-Chat, PersonaChat, XPersona-ID) and
//! the first 100 EmoT tweets and 50 NusaX comments as one-message conversations: about 1,400
//! English and Indonesian messages from 2 to 100 words, in conversation order.

use std::path::{Path, PathBuf};

/// `(file, records taken)`, in the order they are streamed.
pub const SELECTION: [(&str, usize); 5] = [
    ("topicalchat_valid.jsonl", 24),
    ("personachat_en_pool.jsonl", 24),
    ("xpersona_id_valid.jsonl", 24),
    ("emot_id_tweets.jsonl", 100),
    ("nusax_senti_id.jsonl", 50),
];

/// `../shared/realchat` next to the checkout, or `$JAGA_REALCHAT_DIR`.
pub fn dir() -> PathBuf {
    std::env::var_os("JAGA_REALCHAT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realchat"))
}

/// The selected records as labelled-conversation JSON lines, or why they are unavailable.
pub fn conversation_lines() -> Result<Vec<String>, String> {
    let dir = dir();
    let mut out = Vec::new();
    for (file, n) in SELECTION {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        out.extend(text.lines().filter(|l| !l.trim().is_empty()).take(n).map(str::to_owned));
    }
    Ok(out)
}
