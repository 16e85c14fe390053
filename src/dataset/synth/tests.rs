use super::*;
use crate::dataset::Label;
use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

fn opts(seed: u64, n: usize) -> SynthOptions {
    SynthOptions { seed, conversations: n, ..SynthOptions::default() }
}

/// One shared large run (generation is the slow part of these tests).
fn corpus() -> &'static [LabelledConversation] {
    static C: OnceLock<Vec<LabelledConversation>> = OnceLock::new();
    C.get_or_init(|| generate(&SynthOptions { obfuscate_fraction: 0.0, ..opts(42, 5000) }))
}

fn words(text: &str) -> Vec<String> {
    text.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

#[test]
fn same_seed_same_output_other_seed_other_output() {
    let a = generate(&opts(7, 60));
    assert_eq!(a, generate(&opts(7, 60)));
    let b = generate(&opts(8, 60));
    assert_ne!(a, b);
    // Conversation n only depends on (seed, n): a longer run extends a shorter one.
    assert_eq!(&generate(&opts(7, 80))[..60], &a[..]);
    assert_eq!(a[3].conversation_id, "syn-7-3");
}

#[test]
fn every_conversation_is_valid_and_consistently_labelled() {
    for c in corpus() {
        c.validate().unwrap_or_else(|e| panic!("{}: {e}", c.conversation_id));
        assert!(
            (MIN_MESSAGES..=MAX_MESSAGES).contains(&c.messages.len()),
            "{} has {}",
            c.conversation_id,
            c.messages.len()
        );
        let ms = c.message_stages.as_ref().expect("message_stages");
        let union: Vec<Stage> = Stage::ALL.into_iter().filter(|s| ms.iter().any(|m| m.contains(s))).collect();
        assert_eq!(c.stages, union, "{}", c.conversation_id);
        assert!(c.family.as_deref().is_some_and(|f| families().contains(&f)));
        let mut prev = None;
        for m in &c.messages {
            assert!(m.sender_id.starts_with("u_"));
            assert!(!m.text.trim().is_empty(), "{}: empty message", c.conversation_id);
            let t = crate::message::parse_timestamp(&m.sent_at).unwrap();
            assert!(prev.is_none_or(|p| p < t), "{}: timestamps not increasing", c.conversation_id);
            prev = Some(t);
        }
        match c.label {
            Label::Grooming => {
                let onset = c.onset.expect("onset");
                let suspect = c.suspect.as_deref().expect("suspect");
                assert!(!ms[onset].is_empty(), "{}: onset message has no stage", c.conversation_id);
                assert_eq!(c.messages[onset].sender_id, suspect);
                assert!(ms[..onset].iter().all(Vec::is_empty), "{}: a stage before the onset", c.conversation_id);
                assert!(c.stages.len() >= 2, "{}: {:?}", c.conversation_id, c.stages);
                // Only the suspect's messages carry stages.
                for (m, s) in c.messages.iter().zip(ms) {
                    assert!(s.is_empty() || m.sender_id == suspect);
                }
                assert!(!c.hard_negative);
            }
            Label::Benign => {
                assert!(c.onset.is_none() && c.suspect.is_none() && c.stages.is_empty());
                assert!(ms.iter().all(Vec::is_empty));
            }
        }
    }
}

/// Words grooming is often spotted by; a hard negative must use some of them innocently.
const SURFACE_CUES: &[&str] = &[
    "secret",
    "rahasia",
    "rahasiain",
    "rahasiakan",
    "tell",
    "bilang",
    "kasih",
    "umur",
    "old",
    "age",
    "kelas",
    "grade",
    "foto",
    "photo",
    "pic",
    "selfie",
    "pap",
    "wa",
    "whatsapp",
    "telegram",
    "ig",
    "snap",
    "discord",
    "number",
    "nomor",
    "diamond",
    "diamonds",
    "pulsa",
    "kuota",
    "data",
    "transfer",
    "tf",
    "gopay",
    "ovo",
    "dana",
    "money",
    "uang",
    "jajan",
    "ketemu",
    "meet",
    "jemput",
    "pick",
    "mall",
    "cafe",
    "kafe",
    "screenshot",
    "ss",
    "cute",
    "lucu",
    "stranger",
    "date",
    "born",
    "lahir",
    "topped",
    "top",
    "dm",
    "dms",
    "everyone",
    "usia",
    "cantik",
    "parents",
    "ortu",
    "orang",
    "mom",
    "mama",
    "alone",
    "sendiri",
    "jemput",
    "pick",
    "picking",
    "kumpul",
    "trial",
    "seleksi",
    "password",
    "code",
    "kode",
    "otp",
    "fee",
    "biaya",
    "prize",
    "hadiah",
    "link",
    "rekening",
    "schedule",
    "jadwal",
    "bring",
    "bawa",
];

#[test]
fn hard_negatives_have_no_stages_but_share_surface_words() {
    let cues: HashSet<&str> = SURFACE_CUES.iter().copied().collect();
    let hard: Vec<_> = corpus().iter().filter(|c| c.hard_negative).collect();
    assert!(hard.len() > 500, "{} hard negatives", hard.len());
    let mut missing = Vec::new();
    for c in &hard {
        assert_eq!(c.label, Label::Benign);
        assert!(c.message_stages.as_ref().is_some_and(|ms| ms.iter().all(Vec::is_empty)));
        // Whole words, or a longer cue inside a word ("dijemput", "telling").
        let cue = |w: &String| cues.contains(w.as_str()) || cues.iter().any(|c| c.len() >= 4 && w.contains(c));
        if !c.messages.iter().flat_map(|m| words(&m.text)).any(|w| cue(&w)) {
            missing.push((c.conversation_id.as_str(), c.family.as_deref()));
        }
    }
    // A typo can hide the one cue of a short conversation ("monney"), so allow a few.
    assert!(
        missing.len() * 100 <= hard.len() * 2,
        "{} of {} share no surface cue: {:?}",
        missing.len(),
        hard.len(),
        &missing[..missing.len().min(10)]
    );
}

#[test]
fn every_family_language_and_label_is_well_represented() {
    let convs = &corpus()[..2000];
    let mut per_family: BTreeMap<&str, usize> = BTreeMap::new();
    let mut per_lang_label: BTreeMap<(Language, bool), usize> = BTreeMap::new();
    for c in convs {
        *per_family.entry(c.family.as_deref().unwrap_or("")).or_default() += 1;
        *per_lang_label.entry((c.language, c.is_grooming())).or_default() += 1;
    }
    for f in families() {
        let n = per_family.get(f).copied().unwrap_or(0);
        assert!(n >= 15, "family {f} has only {n} of 2000");
    }
    for lang in Language::ALL {
        for g in [true, false] {
            let n = per_lang_label.get(&(lang, g)).copied().unwrap_or(0);
            assert!(n >= 150, "{lang:?} grooming={g}: {n}");
        }
    }
    let grooming = convs.iter().filter(|c| c.is_grooming()).count() as f64 / convs.len() as f64;
    assert!((0.35..0.45).contains(&grooming), "grooming share {grooming}");
    let banded = convs.iter().filter(|c| c.messages[0].sender_age_band.is_some()).count() as f64 / 2000.0;
    assert!((0.15..0.25).contains(&banded), "age-band share {banded}");
}

#[test]
fn family_names_are_unique_and_in_range() {
    let f = families();
    assert!((25..=40).contains(&f.len()), "{} families", f.len());
    assert_eq!(f.iter().collect::<HashSet<_>>().len(), f.len());
}

/// Sexual terms (EN and ID) that must never be generated: the data expresses grooming only
/// through manipulation patterns. Checked word by word so "nobody" does not trip "body".
const DENY: &[&str] = &[
    "sex",
    "sexy",
    "seks",
    "seksi",
    "nude",
    "nudes",
    "naked",
    "telanjang",
    "bugil",
    "porn",
    "porno",
    "bokep",
    "horny",
    "sange",
    "bra",
    "underwear",
    "lingerie",
    "bikini",
    "kiss",
    "kisses",
    "cium",
    "ciuman",
    "body",
    "badan",
    "tubuh",
    "bed",
    "kasur",
    "ranjang",
    "mandi",
    "shower",
    "bath",
    "touch",
    "sentuh",
    "pegang",
    "undress",
    "clothes",
    "baju",
    "pakaian",
    "celana",
    "panties",
    "boobs",
    "dada",
    "paha",
    "hot",
    "seduce",
    "intim",
    "vcs",
    "bf",
    "gf",
];

#[test]
fn no_sexual_term_is_ever_generated() {
    let deny: HashSet<&str> = DENY.iter().copied().collect();
    let mut scanned = 0;
    for c in corpus() {
        for m in &c.messages {
            for w in words(&m.text) {
                assert!(!deny.contains(w.as_str()), "{}: denied word {w:?}", c.conversation_id);
            }
            scanned += 1;
        }
    }
    assert!(scanned > 50_000);
    // The banks themselves, every alternative spelled out, are clean too.
    for b in lexicon::all() {
        for t in b.en.iter().chain(b.id).chain(b.mx) {
            for w in words(t) {
                assert!(!deny.contains(w.as_str()), "bank {}: denied word {w:?}", b.name);
            }
        }
    }
}

/// Distinct messages over all messages. Short replies ("ok", "13", "hmm") and stock small talk
/// ("how was school today") repeat verbatim in real chat too, so no ratio can be near 1 without
/// artificial noise; what matters is that nothing dominates. Measured at seed 42 over 5000
/// conversations: all 0.46, messages of 4+ words 0.62, stage messages 0.79, and the most frequent
/// stage message under 0.2 % of them. Small talk (which pads benign chats to grooming lengths)
/// is the most repetitive part. The thresholds sit a few points below, so a change that
/// collapses variety (a bank shrinking to one template, a family dominating) fails.
#[test]
fn lexical_diversity_is_high() {
    let mut all = HashSet::new();
    let mut long = HashSet::new();
    let mut stage = HashSet::new();
    let (mut n_all, mut n_long, mut n_stage) = (0usize, 0usize, 0usize);
    let mut vocab = HashSet::new();
    for c in corpus() {
        let ms = c.message_stages.as_ref().expect("message_stages");
        for (m, s) in c.messages.iter().zip(ms) {
            n_all += 1;
            all.insert(m.text.as_str());
            if m.text.split_whitespace().count() >= 4 {
                n_long += 1;
                long.insert(m.text.as_str());
            }
            if !s.is_empty() {
                n_stage += 1;
                stage.insert(m.text.as_str());
            }
            vocab.extend(words(&m.text));
        }
    }
    let r_all = all.len() as f64 / n_all as f64;
    let r_long = long.len() as f64 / n_long as f64;
    let r_stage = stage.len() as f64 / n_stage as f64;
    println!(
        "diversity over {} conversations: all {r_all:.3} ({}/{n_all}), >=4 words {r_long:.3} ({}/{n_long}), \
         stage messages {r_stage:.3} ({}/{n_stage}), vocabulary {} words",
        corpus().len(),
        all.len(),
        long.len(),
        stage.len(),
        vocab.len()
    );
    assert!(r_all > 0.42, "all-message diversity {r_all:.3}");
    assert!(r_long > 0.58, "long-message diversity {r_long:.3}");
    assert!(r_stage > 0.75, "stage-message diversity {r_stage:.3}");
    // No single stage message dominates: the most frequent one is under 0.5 % of them.
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for c in corpus() {
        for (m, s) in c.messages.iter().zip(c.message_stages.as_ref().expect("message_stages")) {
            if !s.is_empty() {
                *counts.entry(m.text.as_str()).or_default() += 1;
            }
        }
    }
    let top = counts.values().max().copied().unwrap_or(0);
    assert!((top as f64) < 0.005 * n_stage as f64, "a stage message repeats {top} times");
}

#[test]
fn mixed_conversations_mix_both_languages() {
    const EN: &[&str] = &["you", "u", "ur", "the", "is", "what", "my", "just", "lol", "dont", "how", "and", "ok"];
    const ID: &[&str] = &["aku", "kamu", "yg", "ga", "gak", "udah", "ya", "dong", "sih", "aja", "kak", "yuk", "deh"];
    let mixed: Vec<_> = corpus().iter().filter(|c| c.language == Language::Mixed).collect();
    let both = mixed
        .iter()
        .filter(|c| {
            let ws: HashSet<String> = c.messages.iter().flat_map(|m| words(&m.text)).collect();
            EN.iter().any(|w| ws.contains(*w)) && ID.iter().any(|w| ws.contains(*w))
        })
        .count();
    assert!(both as f64 > 0.8 * mixed.len() as f64, "{both} of {} mixed conversations mix", mixed.len());
}

#[test]
fn obfuscation_is_applied_to_the_requested_share() {
    let convs = generate(&SynthOptions { obfuscate_fraction: 1.0, ..opts(3, 300) });
    let plain = generate(&SynthOptions { obfuscate_fraction: 0.0, ..opts(3, 300) });
    let changed = convs.iter().zip(&plain).filter(|(a, b)| a.messages != b.messages).count();
    assert!(changed >= 295, "{changed} of 300 obfuscated");
    // Labels are untouched by obfuscation.
    assert!(convs.iter().zip(&plain).all(|(a, b)| a.stages == b.stages && a.onset == b.onset));
}

#[test]
fn options_restrict_languages_and_labels() {
    let only_id = generate(&SynthOptions { languages: vec![Language::Id], grooming_fraction: 1.0, ..opts(5, 100) });
    assert!(only_id.iter().all(|c| c.language == Language::Id && c.is_grooming()));
    let benign = generate(&SynthOptions { grooming_fraction: 0.0, hard_negative_fraction: 1.0, ..opts(5, 100) });
    assert!(benign.iter().all(|c| !c.is_grooming() && c.hard_negative));
}

/// Writes a small sample for reading by eye: `cargo test --lib synth::tests::write_sample --
/// --ignored` then read `target/synth-sample.jsonl`.
#[test]
#[ignore]
fn write_sample() {
    let seed = std::env::var("JAGA_SYNTH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    let n = std::env::var("JAGA_SYNTH_N").ok().and_then(|s| s.parse().ok()).unwrap_or(40);
    let convs = generate(&SynthOptions { obfuscate_fraction: 0.0, ..opts(seed, n) });
    let dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let f = std::fs::File::create(format!("{dir}/synth-sample.jsonl")).unwrap();
    crate::dataset::write_jsonl(f, &convs).unwrap();
}
