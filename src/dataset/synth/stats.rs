//! Shape statistics of a labelled corpus, and the shortcuts a model could learn from it.
//!
//! A detector trained on synthetic chat is only as good as the cues it is forced to use. If the
//! grooming conversations are longer, have fewer participants or use words the benign ones never
//! do, a model can score well on held-out synthetic data by reading those cues and still fail on
//! human chat. `jaga synth --stats` prints this report so a change to the generator (or a
//! platform's own labelled data) can be checked for such shortcuts before anyone trains on it.

use crate::dataset::{Label, LabelledConversation, Language};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Words of a message as the shortcut analysis sees them: lower-cased alphanumeric runs.
pub fn words(text: &str) -> Vec<String> {
    text.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// Message and conversation shape of one (label, language) cell.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Shape {
    pub conversations: usize,
    pub messages: usize,
    /// Mean whitespace-separated words per message (empty messages count as 0).
    pub mean_words: f64,
    pub median_words: f64,
    pub p90_words: f64,
    /// Share of messages of at most two words ("ok", "hahaha iya", a sticker).
    pub short_share: f64,
    /// Share of messages of 15 words or more.
    pub long_share: f64,
    /// Share of messages that are empty or only a media placeholder.
    pub media_or_empty_share: f64,
    pub mean_messages_per_conversation: f64,
    /// Share of conversations by number of distinct senders ("2", "3", "4", "5+").
    pub participants: BTreeMap<String, f64>,
}

/// How many templates the generator has for one stage in one template language.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TemplateCount {
    pub stage: crate::event::Stage,
    /// `en`, `id` or `mx` (code-mixed).
    pub language: &'static str,
    /// Distinct templates, before alternation expansion.
    pub templates: usize,
    /// Surface forms their `[..|..]` alternatives spell out (nested `{bank}` slots count once).
    pub surface_forms: f64,
}

/// A token that is common in grooming conversations and (almost) absent from benign ones.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Shortcut {
    pub token: String,
    /// Grooming conversations containing the token.
    pub grooming: usize,
    /// Benign conversations containing the token.
    pub benign: usize,
}

/// The whole report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CorpusStats {
    /// `"grooming"` / `"benign"` → language (`"en"`, `"id"`, `"mixed"`, `"all"`) → shape.
    pub shape: BTreeMap<String, BTreeMap<String, Shape>>,
    pub shortcuts: Vec<Shortcut>,
    /// The thresholds the shortcut list was computed with.
    pub shortcut_min_grooming_share: f64,
    pub shortcut_max_benign_ratio: f64,
}

/// Media placeholders the generator writes (and that platforms commonly put in exports).
pub const MEDIA_PLACEHOLDERS: &[&str] = &[
    "<image>",
    "<sticker>",
    "<video>",
    "<audio>",
    "<gif>",
    "<media omitted>",
    "<Media omitted>",
    "<Media tidak disertakan>",
    "[foto]",
    "[stiker]",
    "[sticker]",
    "[video]",
    "[voice note]",
    "[pesan suara]",
    "[gambar]",
];

fn is_media_or_empty(text: &str) -> bool {
    let t = text.trim();
    t.is_empty() || MEDIA_PLACEHOLDERS.iter().any(|p| t.eq_ignore_ascii_case(p))
}

fn quantile(sorted: &[usize], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i] as f64
}

fn shape_of(convs: &[&LabelledConversation]) -> Shape {
    let mut lens: Vec<usize> = Vec::new();
    let mut media = 0usize;
    let mut participants: BTreeMap<String, usize> = BTreeMap::new();
    for c in convs {
        for m in &c.messages {
            lens.push(m.text.split_whitespace().count());
            media += usize::from(is_media_or_empty(&m.text));
        }
        let senders: BTreeSet<&str> = c.messages.iter().map(|m| m.sender_id.as_str()).collect();
        let key = match senders.len() {
            0..=2 => "2".to_string(),
            n @ 3..=4 => n.to_string(),
            _ => "5+".to_string(),
        };
        *participants.entry(key).or_default() += 1;
    }
    lens.sort_unstable();
    let n = lens.len().max(1) as f64;
    let nc = convs.len().max(1) as f64;
    Shape {
        conversations: convs.len(),
        messages: lens.len(),
        mean_words: lens.iter().sum::<usize>() as f64 / n,
        median_words: quantile(&lens, 0.5),
        p90_words: quantile(&lens, 0.9),
        short_share: lens.iter().filter(|&&l| l <= 2).count() as f64 / n,
        long_share: lens.iter().filter(|&&l| l >= 15).count() as f64 / n,
        media_or_empty_share: media as f64 / n,
        mean_messages_per_conversation: lens.len() as f64 / nc,
        participants: participants.into_iter().map(|(k, v)| (k, v as f64 / nc)).collect(),
    }
}

/// Tokens found in at least `min_grooming_share` of the grooming conversations whose share of
/// benign conversations is at most `max_benign_ratio` times their grooming share: the words a
/// model could flag grooming by without reading the conversation. Sorted by grooming count.
pub fn shortcut_tokens(
    convs: &[LabelledConversation],
    min_grooming_share: f64,
    max_benign_ratio: f64,
) -> Vec<Shortcut> {
    let mut df: HashMap<String, (usize, usize)> = HashMap::new();
    let (mut ng, mut nb) = (0usize, 0usize);
    for c in convs {
        let grooming = c.label == Label::Grooming;
        if grooming {
            ng += 1;
        } else {
            nb += 1;
        }
        let toks: BTreeSet<String> = c.messages.iter().flat_map(|m| words(&m.text)).collect();
        for t in toks {
            let e = df.entry(t).or_default();
            if grooming {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
    }
    if ng == 0 || nb == 0 {
        return Vec::new();
    }
    let mut out: Vec<Shortcut> = df
        .into_iter()
        .filter(|(_, (g, b))| {
            let gs = *g as f64 / ng as f64;
            let bs = *b as f64 / nb as f64;
            gs >= min_grooming_share && bs <= max_benign_ratio * gs
        })
        .map(|(token, (grooming, benign))| Shortcut { token, grooming, benign })
        .collect();
    out.sort_by(|a, b| b.grooming.cmp(&a.grooming).then_with(|| a.token.cmp(&b.token)));
    out
}

/// Default shortcut thresholds: in 1 % of grooming conversations or more, and in benign ones at
/// less than a tenth of that rate.
pub const SHORTCUT_MIN_GROOMING_SHARE: f64 = 0.01;
pub const SHORTCUT_MAX_BENIGN_RATIO: f64 = 0.1;

/// Computes the full report.
pub fn corpus_stats(convs: &[LabelledConversation]) -> CorpusStats {
    let mut shape = BTreeMap::new();
    for (label, name) in [(Label::Grooming, "grooming"), (Label::Benign, "benign")] {
        let mut per_lang = BTreeMap::new();
        let of_label: Vec<&LabelledConversation> = convs.iter().filter(|c| c.label == label).collect();
        for lang in Language::ALL {
            let sub: Vec<&LabelledConversation> = of_label.iter().copied().filter(|c| c.language == lang).collect();
            per_lang.insert(lang.as_str().to_string(), shape_of(&sub));
        }
        per_lang.insert("all".to_string(), shape_of(&of_label));
        shape.insert(name.to_string(), per_lang);
    }
    CorpusStats {
        shape,
        shortcuts: shortcut_tokens(convs, SHORTCUT_MIN_GROOMING_SHARE, SHORTCUT_MAX_BENIGN_RATIO),
        shortcut_min_grooming_share: SHORTCUT_MIN_GROOMING_SHARE,
        shortcut_max_benign_ratio: SHORTCUT_MAX_BENIGN_RATIO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::LabelledMessage;

    fn conv(label: Label, texts: &[(&str, &str)]) -> LabelledConversation {
        LabelledConversation {
            conversation_id: "c".into(),
            language: Language::En,
            label,
            onset: (label == Label::Grooming).then_some(0),
            suspect: None,
            stages: Vec::new(),
            hard_negative: false,
            messages: texts
                .iter()
                .map(|(s, t)| LabelledMessage {
                    sender_id: s.to_string(),
                    sent_at: "2026-01-01T00:00:00Z".into(),
                    text: t.to_string(),
                    sender_age_band: None,
                })
                .collect(),
            family: None,
            message_stages: None,
            message_groups: None,
        }
    }

    #[test]
    fn shortcuts_are_grooming_only_tokens() {
        let convs = vec![
            conv(Label::Grooming, &[("a", "dont tell anyone"), ("b", "ok")]),
            conv(Label::Grooming, &[("a", "dont tell ur mom"), ("b", "ok")]),
            conv(Label::Benign, &[("a", "ok see you"), ("b", "ok")]),
        ];
        let s = shortcut_tokens(&convs, 0.5, 0.1);
        let toks: Vec<&str> = s.iter().map(|x| x.token.as_str()).collect();
        assert_eq!(toks, vec!["dont", "tell", "anyone", "mom", "ur"]);
        assert_eq!(s[0].grooming, 2);
        assert!(!toks.contains(&"ok"));
    }

    #[test]
    fn shape_counts_words_media_and_participants() {
        let convs = vec![conv(Label::Benign, &[("a", "<sticker>"), ("b", "one two three four"), ("c", "")])];
        let st = corpus_stats(&convs);
        let sh = &st.shape["benign"]["en"];
        assert_eq!(sh.messages, 3);
        assert!((sh.mean_words - 5.0 / 3.0).abs() < 1e-9);
        assert!((sh.media_or_empty_share - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(sh.participants.get("3"), Some(&1.0));
        assert_eq!(st.shape["grooming"]["all"].conversations, 0);
    }
}
