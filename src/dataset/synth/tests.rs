use super::*;
use crate::dataset::Label;
use stats::words;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::OnceLock;

fn opts(seed: u64, n: usize) -> SynthOptions {
    SynthOptions { seed, conversations: n, ..SynthOptions::default() }
}

/// One shared large run (generation is the slow part of these tests).
fn corpus() -> &'static [LabelledConversation] {
    static C: OnceLock<Vec<LabelledConversation>> = OnceLock::new();
    C.get_or_init(|| generate(&SynthOptions { obfuscate_fraction: 0.0, ..opts(42, 5000) }))
}

fn corpus_stats() -> &'static stats::CorpusStats {
    static S: OnceLock<stats::CorpusStats> = OnceLock::new();
    S.get_or_init(|| stats::corpus_stats(corpus()))
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
        for (m, s) in c.messages.iter().zip(ms) {
            assert!(m.sender_id.starts_with("u_"));
            // Empty and media-only messages exist, and never carry a stage.
            if is_media(m.text.trim()) || m.text.is_empty() {
                assert!(s.is_empty(), "{}: a labelled media message", c.conversation_id);
            }
            assert!(!m.text.contains(EMPTY), "{}: the empty marker leaked", c.conversation_id);
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
                // The onset is the suspect's first stage message (the child may ask an age first).
                let suspect_before =
                    c.messages[..onset].iter().zip(ms).any(|(m, s)| m.sender_id == suspect && !s.is_empty());
                assert!(!suspect_before, "{}: a suspect stage before the onset", c.conversation_id);
                let suspect_stages: BTreeSet<Stage> = c
                    .messages
                    .iter()
                    .zip(ms)
                    .filter(|(m, _)| m.sender_id == suspect)
                    .flat_map(|(_, s)| s.iter().copied())
                    .collect();
                assert!(suspect_stages.len() >= 2, "{}: {:?}", c.conversation_id, suspect_stages);
                assert!(!c.hard_negative);
            }
            Label::Benign => assert!(c.onset.is_none() && c.suspect.is_none()),
        }
    }
}

/// Labels follow meaning: benign families carry the stages their lines express (the parent's
/// surprise is secrecy), messages can carry several stages, and stages are not only the
/// suspect's.
#[test]
fn labels_follow_meaning_in_every_family() {
    let convs = corpus();
    let benign: Vec<_> = convs.iter().filter(|c| !c.is_grooming()).collect();
    let labelled = benign.iter().filter(|c| !c.stages.is_empty()).count();
    assert!(labelled * 10 >= benign.len() * 4, "{labelled} of {} benign conversations carry a stage", benign.len());
    let hard: Vec<_> = benign.iter().filter(|c| c.hard_negative).collect();
    let hard_labelled = hard.iter().filter(|c| !c.stages.is_empty()).count();
    assert!(hard_labelled * 10 >= hard.len() * 8, "{hard_labelled} of {} hard negatives carry a stage", hard.len());
    // Every stage occurs in benign conversations, so no stage is a grooming label by itself.
    for st in Stage::ALL {
        let n = benign.iter().filter(|c| c.stages.contains(&st)).count();
        assert!(n >= 20, "{st}: in only {n} benign conversations");
    }
    // Multi-label messages, in both classes.
    for g in [true, false] {
        let multi = convs
            .iter()
            .filter(|c| c.is_grooming() == g)
            .flat_map(|c| c.message_stages.as_ref().expect("message_stages"))
            .filter(|s| s.len() >= 2)
            .count();
        assert!(multi >= 100, "grooming={g}: {multi} multi-stage messages");
    }
    // The child's side can carry a stage too (asking the contact's age).
    let child_labelled = convs
        .iter()
        .filter(|c| c.is_grooming())
        .filter(|c| {
            let ms = c.message_stages.as_ref().expect("message_stages");
            c.messages.iter().zip(ms).any(|(m, s)| Some(m.sender_id.as_str()) != c.suspect.as_deref() && !s.is_empty())
        })
        .count();
    assert!(child_labelled >= 20, "{child_labelled} grooming conversations with a labelled non-suspect line");
}

/// Cue phrases that, by meaning, express a stage wherever they occur; a message containing one
/// must carry the stage. Warnings and reported speech ("if someone asks you to keep a secret",
/// "he told the kids not to tell") mention the move without making it and are exempt.
const STAGE_CUES: &[(Stage, &[&str])] = &[
    (
        Stage::Secrecy,
        &[
            "jangan bilang",
            "don't tell",
            "dont tell",
            "our secret",
            "rahasia kita",
            "between us",
            "our little secret",
            "keep it a secret",
        ],
    ),
    (Stage::GiftsMoney, &["i'll top up", "aku top up", "aku topupin", "i topped up", "udah aku isiin", "aku beliin"]),
    (Stage::PlatformMove, &["add me on", "pindah ke wa", "chat di wa aja", "move to whatsapp", "dm me"]),
    (Stage::AgeProbing, &["how old are you", "how old r u", "umur kamu berapa", "kamu kelas berapa"]),
    (Stage::PhotoRequest, &["send me a selfie", "send a selfie", "kirim selfie", "pap dong"]),
];

/// Markers of a warning or of reported speech.
const EXEMPT: &[&str] = &[
    "if someone",
    "if a stranger",
    "kalau ada",
    "kalau orang",
    "kalau dia",
    "red flag",
    "never",
    "jangan pernah",
    "he told",
    "he gave",
    "disuruh",
    "dia kasih",
    "they said",
    "my mom said",
    "kata mama",
    "asks her",
    "minta rahasia",
    "tidak pernah",
    "be careful when",
];

/// True when `cue` occurs in `text` as whole words ("our secret" is not in "your secret").
fn has_phrase(text: &str, cue: &str) -> bool {
    text.match_indices(cue).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + cue.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[test]
fn cue_phrases_carry_their_stage_everywhere() {
    let mut checked = 0;
    let mut missing = Vec::new();
    for c in corpus() {
        let ms = c.message_stages.as_ref().expect("message_stages");
        for (m, s) in c.messages.iter().zip(ms) {
            let t = m.text.to_lowercase();
            if EXEMPT.iter().any(|e| t.contains(e)) {
                continue;
            }
            for (st, cues) in STAGE_CUES {
                if cues.iter().any(|cue| has_phrase(&t, cue)) {
                    checked += 1;
                    if !s.contains(st) {
                        missing.push(format!("{} {:?}: {:?} lacks {st}", c.conversation_id, c.family, m.text));
                    }
                }
            }
        }
    }
    assert!(checked > 500, "only {checked} cue messages");
    // Noise (typos, abbreviations) can turn an unlabelled line into a cue only by accident.
    assert!(missing.len() * 200 <= checked, "{} of {checked}: {:#?}", missing.len(), &missing[..missing.len().min(15)]);
}

/// The detector's exemplar banks follow the same labelling rules as the generator: the same cue
/// phrases carry the same stages there, and a phrase the generator can also write carries the
/// same labels in both.
#[test]
fn exemplar_labels_agree_with_the_generator() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/exemplars");
    let banks = crate::detector::exemplars::ExemplarBanks::load_dir(&dir).unwrap();
    for row in &banks.rows {
        let t = row.text.to_lowercase();
        if EXEMPT.iter().any(|e| t.contains(e)) {
            continue;
        }
        for (st, cues) in STAGE_CUES {
            if cues.iter().any(|cue| has_phrase(&t, cue)) {
                assert!(row.stages.contains(st), "exemplar {:?} lacks {st}", row.text);
            }
        }
    }
    let exemplar: BTreeMap<String, &Vec<Stage>> =
        banks.rows.iter().map(|r| (crate::normalize::normalize(&r.text), &r.stages)).collect();
    let mut same = 0;
    for c in corpus() {
        for (m, s) in c.messages.iter().zip(c.message_stages.as_ref().expect("message_stages")) {
            if let Some(ex) = exemplar.get(&crate::normalize::normalize(&m.text)) {
                same += 1;
                assert_eq!(*ex, s, "{:?}: exemplar {:?}, generator {:?}", m.text, ex, s);
            }
        }
    }
    println!("{same} generated messages are also exemplar phrases");
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
    "parents",
    "ortu",
    "orang",
    "mom",
    "mama",
    "alone",
    "sendiri",
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
    "thr",
    "nomor",
    "confidential",
];

#[test]
fn hard_negatives_share_surface_words() {
    let cues: HashSet<&str> = SURFACE_CUES.iter().copied().collect();
    let hard: Vec<_> = corpus().iter().filter(|c| c.hard_negative).collect();
    assert!(hard.len() > 500, "{} hard negatives", hard.len());
    let mut missing = Vec::new();
    for c in &hard {
        assert_eq!(c.label, Label::Benign);
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
    let convs = &corpus()[..3000];
    let mut per_family: BTreeMap<&str, usize> = BTreeMap::new();
    let mut per_lang_label: BTreeMap<(Language, bool), usize> = BTreeMap::new();
    for c in convs {
        *per_family.entry(c.family.as_deref().unwrap_or("")).or_default() += 1;
        *per_lang_label.entry((c.language, c.is_grooming())).or_default() += 1;
    }
    for f in families() {
        let n = per_family.get(f).copied().unwrap_or(0);
        assert!(n >= 15, "family {f} has only {n} of 3000");
    }
    for lang in Language::ALL {
        for g in [true, false] {
            let n = per_lang_label.get(&(lang, g)).copied().unwrap_or(0);
            assert!(n >= 250, "{lang:?} grooming={g}: {n}");
        }
    }
    let grooming = convs.iter().filter(|c| c.is_grooming()).count() as f64 / convs.len() as f64;
    assert!((0.35..0.45).contains(&grooming), "grooming share {grooming}");
    let banded = convs.iter().filter(|c| c.messages[0].sender_age_band.is_some()).count() as f64 / 3000.0;
    assert!((0.15..0.25).contains(&banded), "age-band share {banded}");
}

#[test]
fn family_names_are_unique_and_in_range() {
    let f = families();
    assert!((50..=75).contains(&f.len()), "{} families", f.len());
    assert_eq!(f.iter().collect::<HashSet<_>>().len(), f.len());
    let held = heldout_families();
    assert!(held.iter().all(|h| f.contains(h)));
    assert!(held.len() >= 10 && held.len() * 3 <= f.len(), "{} held out", held.len());
}

/// The held-out list documented in the module docs is the one the code uses.
#[test]
fn documented_held_out_families_match_the_code() {
    let docs = include_str!("mod.rs");
    let section = docs.split("# Held-out families").nth(1).and_then(|s| s.split("Pass it as").next()).unwrap_or("");
    let documented: BTreeSet<&str> =
        section.split('`').filter(|w| w.starts_with("groom_") || w.starts_with("neg_")).collect();
    let code: BTreeSet<&str> = heldout_families().into_iter().collect();
    assert_eq!(documented, code);
}

/// 100+ distinct templates per stage per language (before alternation expansion).
#[test]
fn every_stage_has_a_hundred_templates_per_language() {
    let counts = lexicon::template_counts();
    for st in Stage::ALL {
        for lang in ["en", "id", "mx"] {
            let (n, variety) = counts.get(&(st, lang)).copied().unwrap_or((0, 0.0));
            assert!(n >= 100, "{st} {lang}: {n} templates");
            assert!(variety >= n as f64, "{st} {lang}: {variety} surface forms of {n}");
        }
    }
}

/// Held-out families draw from their own quarter of every stage bank: every stage bank is large
/// enough to split in every language it has, so no stage template is shared across the pools.
#[test]
fn held_out_pools_share_no_stage_template() {
    for b in lexicon::all().filter(|b| !lexicon::stages_of(b.name).is_empty()) {
        for (lang, list) in [("en", &b.en), ("id", &b.id), ("mx", &b.mx)] {
            assert!(
                list.is_empty() || list.len() >= grammar::SPLIT_MIN,
                "{} {lang}: {} templates cannot be split between the pools",
                b.name,
                list.len()
            );
        }
    }
    // And generated stage messages of held-out families rarely coincide with training ones (short
    // expansions of different templates can still meet).
    let held: HashSet<&str> = heldout_families().into_iter().collect();
    let mut train_texts = HashSet::new();
    let mut held_texts = Vec::new();
    for c in corpus() {
        let is_held = c.family.as_deref().is_some_and(|f| held.contains(f));
        for (m, s) in c.messages.iter().zip(c.message_stages.as_ref().expect("message_stages")) {
            if s.is_empty() || m.text.split_whitespace().count() < 4 {
                continue;
            }
            if is_held {
                held_texts.push(m.text.as_str());
            } else {
                train_texts.insert(m.text.as_str());
            }
        }
    }
    let shared = held_texts.iter().filter(|t| train_texts.contains(*t)).count();
    assert!(held_texts.len() > 500, "{} held-out stage messages", held_texts.len());
    assert!(
        shared * 100 <= held_texts.len() * 2,
        "{shared} of {} held-out stage messages also in training",
        held_texts.len()
    );
}

/// Every message with stage labels names the template it came from (`bank#index`), so training
/// can keep a template's variants on one side of a split; messages without stages name none, and
/// a held-out family's templates are never a training family's.
#[test]
fn stage_messages_name_their_template_and_held_out_ones_are_their_own() {
    let held: HashSet<&str> = heldout_families().into_iter().collect();
    let (mut train_groups, mut held_groups) = (HashSet::new(), HashSet::new());
    let mut variants: std::collections::HashMap<&str, HashSet<&str>> = std::collections::HashMap::new();
    for c in corpus() {
        let groups = c.message_groups.as_ref().expect("message_groups");
        let stages = c.message_stages.as_ref().expect("message_stages");
        assert_eq!(groups.len(), c.messages.len(), "{}", c.conversation_id);
        for ((m, s), g) in c.messages.iter().zip(stages).zip(groups) {
            match g.as_deref() {
                Some(g) => {
                    let (bank, index) = g.split_once('#').unwrap_or_else(|| panic!("{g}: not bank#index"));
                    assert!(!lexicon::stages_of(bank).is_empty(), "{g}: not a stage bank");
                    assert!(index.parse::<usize>().is_ok(), "{g}: no index");
                    variants.entry(g).or_default().insert(m.text.as_str());
                    if c.family.as_deref().is_some_and(|f| held.contains(f)) {
                        held_groups.insert(g);
                    } else {
                        train_groups.insert(g);
                    }
                }
                None => assert!(s.is_empty(), "{}: {:?} without a template", c.conversation_id, m.text),
            }
        }
    }
    assert!(held_groups.len() > 100 && train_groups.len() > 300, "{} / {}", held_groups.len(), train_groups.len());
    let shared: Vec<_> = held_groups.intersection(&train_groups).collect();
    assert!(shared.is_empty(), "templates in both pools: {shared:?}");
    // A group is a template, not a text: its variants differ in alternatives, variables and noise.
    let varied = variants.values().filter(|v| v.len() > 1).count();
    assert!(varied * 2 > variants.len(), "{varied} of {} templates with more than one text", variants.len());
}

/// Shortcut: both labels write messages of the same length, with human-like means (real chat
/// averages about 11 words a message) and both very short replies and long messages.
#[test]
fn message_lengths_match_between_labels_and_look_human() {
    let st = corpus_stats();
    for lang in ["en", "id", "mixed", "all"] {
        let g = &st.shape["grooming"][lang];
        let b = &st.shape["benign"][lang];
        let ratio = g.mean_words / b.mean_words;
        assert!(
            (0.9..=1.1).contains(&ratio),
            "{lang}: words/message grooming {:.2} benign {:.2}",
            g.mean_words,
            b.mean_words
        );
        for sh in [g, b] {
            assert!((8.0..=14.0).contains(&sh.mean_words), "{lang}: mean words/message {:.2}", sh.mean_words);
            assert!(sh.short_share >= 0.08, "{lang}: short-reply share {:.2}", sh.short_share);
            assert!(sh.long_share >= 0.08, "{lang}: long-message share {:.2}", sh.long_share);
        }
        assert!(
            (g.short_share - b.short_share).abs() <= 0.06,
            "{lang}: short shares {:.2} / {:.2}",
            g.short_share,
            b.short_share
        );
        let conv_ratio = g.mean_messages_per_conversation / b.mean_messages_per_conversation;
        assert!((0.9..=1.1).contains(&conv_ratio), "{lang}: messages/conversation ratio {conv_ratio:.2}");
    }
}

/// Shortcut: group chats (3+ participants) occur in both labels at similar rates, and media
/// placeholders and empty messages in both.
#[test]
fn participants_and_media_do_not_give_the_label_away() {
    let st = corpus_stats();
    let group = |label: &str| -> f64 {
        st.shape[label]["all"].participants.iter().filter(|(k, _)| k.as_str() != "2").map(|(_, v)| v).sum()
    };
    let (g, b) = (group("grooming"), group("benign"));
    assert!((0.1..=0.4).contains(&g) && (0.1..=0.4).contains(&b), "group-chat shares: grooming {g:.2}, benign {b:.2}");
    assert!((g - b).abs() <= 0.07, "group-chat shares: grooming {g:.2}, benign {b:.2}");
    let (gm, bm) = (st.shape["grooming"]["all"].media_or_empty_share, st.shape["benign"]["all"].media_or_empty_share);
    assert!(gm > 0.01 && bm > 0.01 && (gm / bm - 1.0).abs() < 0.35, "media shares {gm:.3} / {bm:.3}");
}

/// Shortcut: few tokens occur in grooming conversations and (almost) never in benign ones (in 1 %
/// of grooming conversations or more, in benign ones at under a tenth of that rate). The list is
/// printed by `jaga synth --stats`: 243 tokens before the benign families reused grooming's
/// vocabulary, 11 at seed 42 now; the bound leaves room for the list's churn near the threshold.
#[test]
fn few_tokens_are_grooming_only() {
    let st = corpus_stats();
    let list: Vec<String> = st.shortcuts.iter().map(|s| format!("{} ({}/{})", s.token, s.grooming, s.benign)).collect();
    assert!(st.shortcuts.len() <= 25, "{} grooming-only tokens: {list:?}", st.shortcuts.len());
}

#[test]
fn dialects_terms_of_address_and_openers_vary() {
    let convs = corpus();
    let has = |c: &LabelledConversation, ws: &[&str], who: Option<&str>| {
        c.messages
            .iter()
            .filter(|m| who.is_none_or(|w| m.sender_id == w))
            .flat_map(|m| words(&m.text))
            .any(|w| ws.contains(&w.as_str()))
    };
    for g in [true, false] {
        let of: Vec<_> = convs.iter().filter(|c| c.is_grooming() == g && c.language != Language::En).collect();
        let gue = of.iter().filter(|c| has(c, &["gue", "gw", "lo", "lu", "elu"], None)).count();
        let regional = of
            .iter()
            .filter(|c| has(c, &["kagak", "ndak", "piye", "atuh", "euy", "pisan", "rek", "aje", "wae"], None))
            .count();
        let address = of.iter().filter(|c| has(c, &["om", "kak", "bang", "mas", "mbak", "dek", "tante"], None)).count();
        assert!(gue * 10 >= of.len(), "grooming={g}: gue/lo in {gue} of {}", of.len());
        assert!(regional * 20 >= of.len(), "grooming={g}: regional words in {regional} of {}", of.len());
        assert!(address * 4 >= of.len(), "grooming={g}: terms of address in {address} of {}", of.len());
    }
    // The suspect writes gue/lo too, and the child sometimes opens the chat.
    let grooming: Vec<_> = convs.iter().filter(|c| c.is_grooming()).collect();
    let suspect_gue = grooming.iter().filter(|c| has(c, &["gue", "gw", "lo", "lu"], c.suspect.as_deref())).count();
    assert!(suspect_gue >= 50, "suspect gue/lo in {suspect_gue}");
    let child_first =
        grooming.iter().filter(|c| Some(c.messages[0].sender_id.as_str()) != c.suspect.as_deref()).count();
    assert!(child_first * 5 >= grooming.len(), "the child opens {child_first} of {}", grooming.len());
    let en: Vec<_> = convs.iter().filter(|c| c.language == Language::En).collect();
    let british = en.iter().filter(|c| has(c, &["mum", "maths", "favourite", "mate"], None)).count();
    assert!(british * 20 >= en.len(), "British English in {british} of {}", en.len());
}

/// Sexual terms, and words for bodies, clothing, looks, bedrooms and bedtime (EN and ID), that
/// must never be generated: the data expresses grooming only through manipulation patterns.
/// Checked word by word so "nobody" does not trip "body".
pub(crate) const DENY: &[&str] = &[
    // sexual
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
    "kiss",
    "kisses",
    "cium",
    "ciuman",
    "peluk",
    "pelukan",
    "hug",
    "hugs",
    "seduce",
    "intim",
    "vcs",
    "bf",
    "gf",
    "pacar",
    "pacaran",
    "boyfriend",
    "girlfriend",
    "undress",
    "touch",
    "sentuh",
    "pegang",
    // bodies
    "body",
    "bodies",
    "badan",
    "tubuh",
    "boobs",
    "dada",
    "paha",
    "legs",
    "kaki",
    "lips",
    "bibir",
    "face",
    "faces",
    "muka",
    "wajah",
    "eyes",
    "smile",
    "senyum",
    "senyummu",
    "hair",
    "rambut",
    "tall",
    // clothing
    "clothes",
    "clothing",
    "baju",
    "pakaian",
    "celana",
    "panties",
    "bra",
    "underwear",
    "lingerie",
    "bikini",
    "swimsuit",
    "wear",
    "wearing",
    "outfit",
    "outfits",
    "dress",
    "shirt",
    "skirt",
    "rok",
    "kaos",
    "seragam",
    "uniform",
    "hoodie",
    "jacket",
    "jaket",
    "sweater",
    "pajamas",
    "piyama",
    "shoes",
    "sepatu",
    "sneakers",
    "socks",
    // looks
    "pretty",
    "prettier",
    "cute",
    "cutie",
    "cuter",
    "handsome",
    "beautiful",
    "gorgeous",
    "adorable",
    "attractive",
    "hot",
    "model",
    "models",
    "modelling",
    "modeling",
    "photogenic",
    "cantik",
    "ganteng",
    "cakep",
    "imut",
    "manis",
    "geulis",
    "kasep",
    "bening",
    "gemesin",
    "gemes",
    "gemoy",
    // bedrooms, bedtime, bathing
    "bed",
    "beds",
    "bedroom",
    "bedtime",
    "kasur",
    "ranjang",
    "kamar",
    "kamarmu",
    "kamarku",
    "kamarnya",
    "sleep",
    "sleeping",
    "sleepy",
    "asleep",
    "tidur",
    "bobo",
    "bobok",
    "ngantuk",
    "mandi",
    "shower",
    "bath",
    "selimut",
    "blanket",
];

fn assert_clean(what: &str, text: &str) {
    let deny: HashSet<&str> = DENY.iter().copied().collect();
    for w in words(text) {
        assert!(!deny.contains(w.as_str()), "{what}: denied word {w:?} in {text:?}");
    }
}

#[test]
fn no_denied_word_in_any_bank_file_exemplar_or_generated_message() {
    let mut scanned = 0;
    for c in corpus() {
        for m in &c.messages {
            assert_clean(&c.conversation_id, &m.text);
            scanned += 1;
        }
    }
    assert!(scanned > 50_000);
    // Every template of every generator bank file, unexpanded, so no alternative can ever spell
    // one out (comments, which state the rule, are skipped).
    for (name, text) in lexicon::files() {
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim_start().starts_with('#')) {
            assert_clean(&format!("banks/{name}:{}", i + 1), line);
        }
    }
    // The detector's exemplar banks are written by hand too.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/exemplars");
    let mut files = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            let text = std::fs::read_to_string(&p).unwrap();
            for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim_start().starts_with('#')) {
                assert_clean(&format!("{}:{}", p.display(), i + 1), line);
            }
            files += 1;
        }
    }
    assert!(files >= 10, "{files} exemplar files");
}

#[test]
fn the_deny_list_catches_what_it_should() {
    assert!(has_phrase("ok it's our secret", "our secret") && !has_phrase("tell your secret", "our secret"));
    for bad in ["what are you wearing today", "kamu cantik bgt", "send a cute pic before bed", "fotoin di kamar"] {
        let deny: HashSet<&str> = DENY.iter().copied().collect();
        assert!(words(bad).iter().any(|w| deny.contains(w.as_str())), "{bad:?} passes the deny list");
    }
    assert_clean("ok", "nobody is home, jangan bilang siapa2, send a selfie");
}

/// Distinct messages over all messages. Short replies ("ok", "13", "hmm") and stock small talk
/// repeat verbatim in real chat too, so no ratio can be near 1 without artificial noise; what
/// matters is that nothing dominates. The thresholds sit a few points below the measured values
/// at seed 42 over 5000 conversations, so a change that collapses variety (a bank shrinking to
/// one template, a family dominating) fails.
#[test]
fn lexical_diversity_is_high() {
    let mut all = HashSet::new();
    let mut long = HashSet::new();
    let mut stage = HashSet::new();
    let (mut n_all, mut n_long, mut n_stage) = (0usize, 0usize, 0usize);
    let mut vocab = HashSet::new();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
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
                *counts.entry(m.text.as_str()).or_default() += 1;
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
    assert!(r_all > 0.62, "all-message diversity {r_all:.3}");
    assert!(r_long > 0.76, "long-message diversity {r_long:.3}");
    assert!(r_stage > 0.88, "stage-message diversity {r_stage:.3}");
    assert!(vocab.len() > 9000, "vocabulary {}", vocab.len());
    // No single stage message dominates: the most frequent one is under 0.3 % of them.
    let top = counts.values().max().copied().unwrap_or(0);
    assert!((top as f64) < 0.003 * n_stage as f64, "a stage message repeats {top} times");
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
/// --ignored` then read `$CARGO_TARGET_DIR/synth-sample.jsonl`.
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

/// Prints the generator's shape report: template counts per stage and language, words per
/// message, participants and shortcut tokens. `cargo test --lib synth::tests::print_report --
/// --ignored --nocapture`
#[test]
#[ignore]
fn print_report() {
    for ((st, lang), (n, v)) in lexicon::template_counts() {
        println!("templates {st:<16} {lang}: {n:>4} ({v:.0} surface forms)");
    }
    let st = corpus_stats();
    for (label, per) in &st.shape {
        for (lang, sh) in per {
            println!(
                "{label:<9} {lang:<5} convs {:>5} msgs/conv {:>5.1} words/msg mean {:>5.2} median {:>3} p90 {:>3} \
                 short {:.2} long {:.2} media {:.3} participants {:?}",
                sh.conversations,
                sh.mean_messages_per_conversation,
                sh.mean_words,
                sh.median_words,
                sh.p90_words,
                sh.short_share,
                sh.long_share,
                sh.media_or_empty_share,
                sh.participants
            );
        }
    }
    println!("{} shortcut tokens:", st.shortcuts.len());
    for s in &st.shortcuts {
        println!("  {:<16} grooming {:>5} benign {:>4}", s.token, s.grooming, s.benign);
    }
}
