//! Training on a tiny set with a bag-of-words encoder: what the pipeline guarantees, not how good
//! the heads are (that is measured with the real encoder, see the model card).

use super::*;
use crate::dataset::{Label, LabelledMessage};
use crate::detector::exemplars::encode_texts;
use crate::detector::test_encoder::WordHashEncoder;
use crate::detector::MAX_EVIDENCE;
use crate::window::{ConversationWindow, WindowMessage};

fn conv(
    id: &str,
    family: &str,
    lines: &[(&str, &str, &[Stage])],
    suspect: Option<(&str, usize)>,
) -> LabelledConversation {
    LabelledConversation {
        conversation_id: id.into(),
        language: Language::En,
        label: if suspect.is_some() { Label::Grooming } else { Label::Benign },
        onset: suspect.map(|s| s.1),
        suspect: suspect.map(|s| s.0.to_string()),
        stages: Vec::new(),
        hard_negative: false,
        messages: lines
            .iter()
            .enumerate()
            .map(|(i, (s, t, _))| LabelledMessage {
                sender_id: s.to_string(),
                sent_at: format!("2026-03-01T10:{:02}:00Z", i),
                text: t.to_string(),
                sender_age_band: None,
            })
            .collect(),
        family: Some(family.into()),
        message_stages: Some(lines.iter().map(|l| l.2.to_vec()).collect()),
        message_groups: None,
    }
}

/// A tiny synthetic set: one-sided multi-stage grooming vs ordinary chat, six families each.
fn tiny_set() -> Vec<LabelledConversation> {
    use Stage::*;
    let mut out = Vec::new();
    let names = ["ana", "bo", "cy", "di", "ed", "fu"];
    for (k, n) in names.iter().enumerate() {
        let g = format!("g{n}");
        let v = format!("v{n}");
        out.push(conv(
            &format!("groom-{k}"),
            &format!("fam-g{}", k % 3),
            &[
                (&g, "hey nice game today", &[]),
                (&v, "thanks it was fun", &[]),
                (&g, "how old are you exactly", &[AgeProbing]),
                (&v, "i am thirteen", &[]),
                (&g, "you are so mature for your age", &[Flattery]),
                (&g, "dont tell your parents about us", &[Secrecy]),
                (&v, "ok", &[]),
                (&g, "i will send you gift card money", &[GiftsMoney]),
                (&g, "add me on the other private app", &[PlatformMove]),
            ],
            Some((&g, 2)),
        ));
        out.push(conv(
            &format!("benign-{k}"),
            &format!("fam-b{}", k % 3),
            &[
                (&g, "did you finish the homework", &[]),
                (&v, "almost the math part is hard", &[]),
                (&g, "lets do it together after school", &[]),
                (&v, "sure see you at the library", &[]),
                (&g, "bring the notes please", &[]),
                (&v, "ok cool", &[]),
            ],
            None,
        ));
    }
    out
}

/// Real-chat-like background: adults chatting about their age and meeting for coffee. Record
/// numbers 4 and 8 fall in the validation part.
fn background_set() -> Vec<LabelledConversation> {
    (1..=8)
        .map(|n| {
            let mut c = conv(
                &format!("rc-test-{n:04}"),
                "unused",
                &[
                    ("a", "i am thirty and work in a bank", &[]),
                    ("b", "nice i am a nurse how old are you exactly", &[]),
                    ("a", "thirty two you are so mature for your age haha", &[]),
                    ("b", "we should meet for coffee sometime", &[]),
                    ("a", "sure the cafe near the station", &[]),
                ],
                None,
            );
            c.family = None;
            c.message_stages = None;
            c
        })
        .collect()
}

fn exemplar_dir(dir: &Path) -> PathBuf {
    let ex = dir.join("exemplars");
    std::fs::create_dir_all(&ex).unwrap();
    let phrases = |s: Stage| match s {
        Stage::AgeProbing => "\"how old are you\", \"what grade are you in\"",
        Stage::Flattery => "\"you are so mature\", \"you are special\"",
        Stage::Secrecy => "\"dont tell your parents\", \"keep it secret\"",
        Stage::GiftsMoney => "\"i will send you money\", \"gift card for you\"",
        Stage::PlatformMove => "\"add me on another app\", \"private app\"",
        _ => "\"some unrelated words here\"",
    };
    for s in Stage::ALL {
        std::fs::write(ex.join(format!("{s}.toml")), format!("bank = \"{s}\"\nphrases = [{}]\n", phrases(s))).unwrap();
    }
    std::fs::write(
        ex.join("benign.toml"),
        "bank = \"benign\"\nphrases = [\"homework together\", \"see you at school\"]\n",
    )
    .unwrap();
    ex
}

fn options(out: &Path, seed: u64) -> TrainOptions {
    TrainOptions {
        seed,
        epochs: 60,
        holdout_families: vec!["fam-g0".into(), "fam-b0".into()],
        out_dir: out.to_path_buf(),
        exemplars_dir: exemplar_dir(out),
        cache_dir: Some(out.join("cache")),
        ..TrainOptions::default()
    }
}

fn train_tiny(out: &Path, seed: u64, background: &[LabelledConversation]) -> TrainReport {
    let enc = WordHashEncoder::new("word-hash-test");
    train(&tiny_set(), background, &enc, &options(out, seed)).unwrap()
}

fn window(det: &Detector, enc: &WordHashEncoder, lines: &[(&str, &str)]) -> ConversationWindow {
    let texts: Vec<String> = lines.iter().map(|l| crate::normalize::normalize(l.1)).collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let feats = det.message_features(&refs, &encode_texts(enc, &texts).unwrap());
    let t0 = parse_timestamp("2026-03-01T10:00:00Z").unwrap();
    let messages = lines
        .iter()
        .zip(feats)
        .enumerate()
        .map(|(i, ((s, _), features))| WindowMessage {
            message_id: format!("m{i}"),
            sender_id: s.to_string(),
            sent_at: t0 + chrono::Duration::minutes(i as i64),
            age_band: None,
            features,
            excerpt: None,
            source: None,
        })
        .collect();
    ConversationWindow {
        conversation_id: "c".into(),
        messages,
        total_seen: lines.len() as u64,
        last_active: t0,
        policy: Default::default(),
    }
}

#[test]
fn one_sided_multi_stage_grooming_outranks_symmetric_and_single_stage_chat() {
    let dir = tempfile::tempdir().unwrap();
    let report = train_tiny(dir.path(), 3, &[]);
    assert!(report.version.starts_with("jaga-0.1+word-hash-test+"));
    let enc = WordHashEncoder::new("word-hash-test");
    let det = Detector::load(dir.path(), &enc).unwrap();
    let one_sided = window(
        &det,
        &enc,
        &[
            ("kid", "hi"),
            ("adult", "how old are you exactly"),
            ("kid", "thirteen"),
            ("adult", "you are so mature for your age"),
            ("adult", "dont tell your parents about us"),
            ("adult", "add me on the other private app"),
        ],
    );
    let symmetric = window(
        &det,
        &enc,
        &[
            ("a", "you are so mature for your age"),
            ("b", "you are so mature for your age"),
            ("a", "did you finish the homework"),
            ("b", "almost the math part is hard"),
        ],
    );
    let single = window(&det, &enc, &[("a", "did you finish the homework"), ("b", "you are so mature for your age")]);
    let g = det.score(&one_sided).unwrap();
    let s = det.score(&symmetric).unwrap();
    let one = det.score(&single).unwrap();
    assert!(g.risk > s.risk && g.risk > one.risk, "{} vs {} / {}", g.risk, s.risk, one.risk);
    assert_eq!(g.suspect, "adult");
    assert!(!g.evidence.is_empty() && g.evidence.len() <= MAX_EVIDENCE);
    for e in &g.evidence {
        assert_eq!(one_sided.messages[e.index].sender_id, "adult");
        assert!(e.score >= 0.3);
    }
    assert!(g.evidence.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(g.stages[Stage::Secrecy.index()] > g.stages[Stage::Meeting.index()], "{:?}", g.stages);
}

#[test]
fn training_is_deterministic_for_a_seed_and_reuses_the_cache() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let bg = background_set();
    let ra = train_tiny(a.path(), 11, &bg);
    let rb = train_tiny(b.path(), 11, &bg);
    for f in ["stage_head.safetensors", "conv_head.safetensors", "meta.json", "report.json"] {
        let fa = std::fs::read(ra.heads_dir.join(f)).unwrap();
        let fb = std::fs::read(rb.heads_dir.join(f)).unwrap();
        assert_eq!(fa, fb, "{f} differs");
    }
    assert_eq!(ra.version, rb.version);
    let profile = |d: &Path| std::fs::read_to_string(d.join("profiles/default.toml")).unwrap();
    let (pa, pb) = (profile(a.path()), profile(b.path()));
    let strip = |s: &str| s.lines().filter(|l| !l.starts_with("created")).collect::<Vec<_>>().join("\n");
    assert_eq!(strip(&pa), strip(&pb));
    // A second run of the same data encodes nothing and rewrites nothing.
    let again = train_tiny(a.path(), 11, &bg);
    assert_eq!(again.encoding.encoded, 0);
    assert_eq!(again.encoding.hits, again.encoding.distinct);
    assert_eq!(profile(a.path()), pa);
}

#[test]
fn background_rows_reach_both_heads_and_the_validation_part_stays_out() {
    let dir = tempfile::tempdir().unwrap();
    let bg = background_set();
    let with = train_tiny(dir.path(), 5, &bg);
    let without_dir = tempfile::tempdir().unwrap();
    let without = train_tiny(without_dir.path(), 5, &[]);
    // Records 4 and 8 are validation; the six others are trained on, 5 messages each.
    assert_eq!(with.data.background_train_conversations, 6);
    assert_eq!(with.data.background_validation_conversations, 2);
    assert_eq!(with.data.background_train_messages, 30);
    // Each background message once with every output, once more for the cue alone.
    assert_eq!(with.data.stage_rows, without.data.stage_rows + 2 * 30);
    // Every prefix of a two-party background chat gives a row per participant present: 1 + 2 * 4.
    assert_eq!(with.data.conv_rows, without.data.conv_rows + 6 * 9);
    // Measured on the validation part, by language.
    assert_eq!(with.background_validation[&Language::En].conversations, 2);
    assert_eq!(with.background_train_out_of_fold[&Language::En].conversations, 6);
    assert!(without.background_validation.is_empty());
    // What the background says ("how old are you exactly" between adults) weighs less as a stage.
    let enc = WordHashEncoder::new("word-hash-test");
    let p = |d: &Path| {
        let det = Detector::load(d, &enc).unwrap();
        let t = crate::normalize::normalize("nice i am a nurse how old are you exactly");
        det.message_features(&[t.as_str()], &encode_texts(&enc, std::slice::from_ref(&t)).unwrap())[0].probs()
            [Stage::AgeProbing.index()]
    };
    assert!(p(dir.path()) < p(without_dir.path()), "{} vs {}", p(dir.path()), p(without_dir.path()));
}

#[test]
fn held_out_figures_are_what_jaga_eval_reports() {
    let dir = tempfile::tempdir().unwrap();
    let bg = background_set();
    let report = train_tiny(dir.path(), 9, &bg);
    // What `jaga eval` does: the real encoder, heads and profile from disk, the live engine.
    let enc = WordHashEncoder::new("word-hash-test");
    let det = Detector::load(dir.path(), &enc).unwrap();
    let profile = Profile::load("default", &dir.path().join("profiles")).unwrap();
    assert_eq!(profile.provenance.as_ref().unwrap().model_version, report.version);
    let mut engine = Engine::new(Box::new(enc), det, profile.clone(), EngineOptions::default());
    let held: Vec<LabelledConversation> =
        tiny_set().into_iter().filter(|c| report.data.holdout_families.contains(c.family.as_ref().unwrap())).collect();
    assert_eq!(held.len(), 4);
    let results = score_conversations(&mut engine, &held, &ProgressBar::hidden()).unwrap();
    let eval = EvalReport::compute(&results, &profile, engine.model_version(), DEFAULT_K_HALF).unwrap();
    assert_eq!(report.holdout.as_ref(), Some(&eval));
    let validation: Vec<LabelledConversation> =
        bg.into_iter().filter(|c| part_of(&c.conversation_id) == Part::Validation).collect();
    let val = score_conversations(&mut engine, &validation, &ProgressBar::hidden()).unwrap();
    assert_eq!(report.background_validation, false_alerts(&val, profile.min_messages as usize));
    // The obfuscated copies were measured too, through the same path.
    assert_eq!(report.holdout_obfuscated.as_ref().map(|r| r.overall.conversations), Some(4));
    let stored: HeadsMeta =
        serde_json::from_slice(&std::fs::read(report.heads_dir.join("meta.json")).unwrap()).unwrap();
    assert_eq!(stored.holdout_families, report.data.holdout_families);
}

/// The out-of-fold pass and the clause experiment stream stored features through the engine
/// (`eval::score_with_features`); with the features the engine would compute itself, every risk,
/// level, evidence item and event is the same.
#[test]
fn stored_features_score_a_conversation_exactly_like_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    train_tiny(dir.path(), 4, &[]);
    let enc = WordHashEncoder::new("word-hash-test");
    let profile = Profile::load("default", &dir.path().join("profiles")).unwrap();
    let convs = tiny_set();
    let det = Detector::load(dir.path(), &enc).unwrap();
    let window = WindowConfig { max_messages: 4, ..WindowConfig::default() };
    let new_engine = || {
        Engine::new(
            Box::new(WordHashEncoder::new("word-hash-test")),
            Detector::load(dir.path(), &enc).unwrap(),
            profile.clone(),
            EngineOptions { window: window.clone(), ..EngineOptions::default() },
        )
    };
    let live = score_conversations(&mut new_engine(), &convs, &ProgressBar::hidden()).unwrap();
    let mut engine = new_engine();
    for (c, l) in convs.iter().zip(&live) {
        let texts: Vec<String> = c.messages.iter().map(|m| crate::normalize::normalize(&m.text)).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let feats = det.message_features(&refs, &encode_texts(&enc, &texts).unwrap());
        let emulated = crate::eval::score_with_features(&mut engine, c, feats).unwrap();
        assert_eq!(emulated.risk, l.risk);
        assert_eq!(emulated.levels, l.levels);
        assert_eq!(emulated.evidence, l.evidence);
        let ev = |r: &ConvResult| r.events.iter().map(|e| (e.index, e.level, e.event_id.clone())).collect::<Vec<_>>();
        assert_eq!(ev(&emulated), ev(l));
    }
}

#[test]
fn load_rejects_heads_for_another_encoder_or_layout() {
    let dir = tempfile::tempdir().unwrap();
    let r = train_tiny(dir.path(), 5, &[]);
    let other = WordHashEncoder::new("other-encoder");
    match Detector::load(dir.path(), &other) {
        Err(DetectorError::HeadsMissing { .. }) => {}
        other => panic!("expected HeadsMissing, got {:?}", other.err()),
    }
    // Heads copied under the other encoder's directory are still refused by their meta.
    let fake = heads_dir(dir.path(), "other-encoder");
    std::fs::create_dir_all(&fake).unwrap();
    for f in ["stage_head.safetensors", "conv_head.safetensors", "meta.json"] {
        std::fs::copy(r.heads_dir.join(f), fake.join(f)).unwrap();
    }
    assert!(matches!(Detector::load(dir.path(), &other), Err(DetectorError::EncoderMismatch { .. })));
    // A changed feature layout is refused.
    let meta_path = r.heads_dir.join("meta.json");
    let mut meta: HeadsMeta = serde_json::from_slice(&std::fs::read(&meta_path).unwrap()).unwrap();
    meta.conv_features.pop();
    std::fs::write(&meta_path, serde_json::to_vec(&meta).unwrap()).unwrap();
    let enc = WordHashEncoder::new("word-hash-test");
    assert!(matches!(Detector::load(dir.path(), &enc), Err(DetectorError::LayoutMismatch(_))));
}

#[test]
fn evidence_dropout_adds_one_partial_copy_of_each_labelled_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let enc = WordHashEncoder::new("word-hash-test");
    let background = background_set();
    let plain = train(&tiny_set(), &background, &enc, &options(dir.path(), 1)).unwrap();
    let opts = TrainOptions { conv_evidence_dropout: 0.5, ..options(dir.path(), 1) };
    let copied = train(&tiny_set(), &background, &enc, &opts).unwrap();
    // Background rows stay as they were; every labelled row gets a twin.
    let labelled_rows = copied.data.conv_rows - plain.data.conv_rows;
    assert!(labelled_rows > 0 && labelled_rows < plain.data.conv_rows, "{labelled_rows} of {}", plain.data.conv_rows);
    assert_ne!(plain.version, copied.version, "the copies change what the head learns");
}

#[test]
fn obfuscated_copies_and_cue_rows_add_stage_rows_and_out_of_fold_scores_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let enc = WordHashEncoder::new("word-hash-test");
    let background = background_set();
    let off = TrainOptions { stage_obfuscated_copies: 0.0, background_cue_weight: 0.0, ..options(dir.path(), 1) };
    let plain = train(&tiny_set(), &background, &enc, &off).unwrap();
    let cue_rows = TrainOptions { background_cue_weight: 1.5, ..off.clone() };
    let with_cue = train(&tiny_set(), &background, &enc, &cue_rows).unwrap();
    // Every background message once more, for the cue alone.
    assert_eq!(with_cue.data.stage_rows - plain.data.stage_rows, plain.data.background_train_messages);
    let oof = dir.path().join("oof.jsonl");
    let copies =
        TrainOptions { stage_obfuscated_copies: 0.5, out_of_fold_scores: Some(oof.clone()), ..cue_rows.clone() };
    let with_copies = train(&tiny_set(), &background, &enc, &copies).unwrap();
    assert!(with_copies.data.stage_rows > with_cue.data.stage_rows, "some messages get an obfuscated copy");
    assert_ne!(with_copies.version, with_cue.version, "the copies change what the head learns");
    // One line per training conversation long enough to score, each with a risk in [0, 1].
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&oof).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let d = &with_copies.data;
    assert!(!lines.is_empty() && lines.len() <= d.labelled_train + d.background_train_conversations);
    assert!(lines.iter().any(|l| l["background"] == true) && lines.iter().any(|l| l["grooming"] == true));
    assert!(lines.iter().all(|l| l["risk"].as_f64().is_some_and(|r| (0.0..=1.0).contains(&r))), "{lines:?}");
}

#[test]
fn bad_inputs_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let enc = WordHashEncoder::new("word-hash-test");
    let opts = options(dir.path(), 1);
    let e = train(&[], &[], &enc, &opts).unwrap_err();
    assert!(e.to_string().contains("no labelled"), "{e}");
    let mut groomy = background_set();
    groomy[0].label = Label::Grooming;
    groomy[0].onset = Some(0);
    let e = train(&tiny_set(), &groomy, &enc, &opts).unwrap_err();
    assert!(e.to_string().contains("labelled grooming"), "{e}");
    for bad in [
        TrainOptions { conv_evidence_dropout: 1.0, ..opts.clone() },
        TrainOptions { stage_input_dropout: -0.1, ..opts.clone() },
        TrainOptions { stage_obfuscated_copies: 1.5, ..opts.clone() },
    ] {
        let e = train(&tiny_set(), &[], &enc, &bad).unwrap_err();
        assert!(e.to_string().contains("must be in [0, 1)"), "{e}");
    }
    for bad in [
        TrainOptions { stage_positive_weight: 0.0, ..opts.clone() },
        TrainOptions { stage_positive_weight: f32::NAN, ..opts.clone() },
        TrainOptions { conv_hidden: 0, ..opts.clone() },
        TrainOptions { bags: 0, ..opts.clone() },
        TrainOptions { background_cue_weight: -1.0, ..opts.clone() },
        TrainOptions { background_stage_weight: f32::INFINITY, ..opts.clone() },
    ] {
        let e = train(&tiny_set(), &[], &enc, &bad).unwrap_err();
        let e = e.to_string();
        assert!(["positive weight", "hidden unit", "bag", "background"].iter().any(|w| e.contains(w)), "{e}");
    }
    let bad_family = TrainOptions { holdout_families: vec!["nope".into()], ..opts };
    let e = train(&tiny_set(), &[], &enc, &bad_family).unwrap_err();
    assert!(e.to_string().contains("nope"), "{e}");
}

#[test]
fn prefix_rows_follow_the_live_window_and_target_the_suspect_from_onset() {
    let c = &tiny_set()[0];
    let stages = vec![MessageFeatures::default(); c.messages.len()];
    let rows = prefix_rows(c, &stages, false, 50);
    // 9 messages, the second participant joins at message 1: 1 + 8 * 2 rows.
    assert_eq!(rows.len(), 17);
    // Positives: the suspect from the onset (message 2) on, 7 prefixes.
    assert_eq!(rows.iter().filter(|r| r.1 == 1.0).count(), 7);
    // A window of 2 messages: the suspect alone in the last two messages gives one row there.
    let narrow = prefix_rows(c, &stages, false, 2);
    assert_eq!(narrow.len(), 1 + 2 * 6 + 1 + 1);
}

#[test]
fn a_phrasing_group_keeps_its_messages_in_one_stage_fold_across_conversations() {
    use Stage::*;
    let mut c = conv(
        "g-1",
        "fam-g0",
        &[("a", "want some diamonds", &[GiftsMoney]), ("b", "ok", &[]), ("a", "want sum diamondz", &[GiftsMoney])],
        Some(("a", 0)),
    );
    c.message_groups = Some(vec![Some("gift.game#3".into()), None, Some("gift.game#3".into())]);
    let group_fold = fold_hash("gift.game#3") % 4;
    // The group's fold wherever the conversation's family falls; ungrouped messages go by family.
    for family_fold in 0..4 {
        assert_eq!(stage_folds(&c, family_fold, 4, true), vec![group_fold, family_fold, group_fold]);
    }
    // Off, or without groups (human-written sets): the conversation's fold throughout.
    assert_eq!(stage_folds(&c, 2, 4, false), vec![2; 3]);
    c.message_groups = None;
    assert_eq!(stage_folds(&c, 2, 4, true), vec![2; 3]);
    // Groups spread over every fold.
    let folds: BTreeSet<usize> = (0..40).map(|i| fold_hash(&format!("gift.game#{i}")) % 4).collect();
    assert_eq!(folds.len(), 4);
}

#[test]
fn phrasing_folds_change_the_heads_only_when_asked_and_the_data_names_its_phrasings() {
    let enc = WordHashEncoder::new("word-hash-test");
    let mut grouped = tiny_set();
    for c in &mut grouped {
        let stages = c.message_stages.clone().unwrap();
        // Each stage message's own text is its phrasing (the tiny set repeats its lines).
        c.message_groups =
            Some(c.messages.iter().zip(&stages).map(|(m, s)| (!s.is_empty()).then(|| m.text.clone())).collect());
    }
    let heads = |data: &[LabelledConversation], by_phrasing: bool| {
        let dir = tempfile::tempdir().unwrap();
        let opts = TrainOptions { stage_folds_by_phrasing: by_phrasing, ..options(dir.path(), 3) };
        let report = train(data, &[], &enc, &opts).unwrap();
        let read = |f: &str| std::fs::read(report.heads_dir.join(f)).unwrap();
        (read("stage_head.safetensors"), read("conv_head.safetensors"))
    };
    let family = heads(&grouped, false);
    // Off, the groups change nothing; on, without groups, nothing either.
    assert_eq!(heads(&tiny_set(), false), family);
    assert_eq!(heads(&tiny_set(), true), family);
    // On, with groups, the stage members learn other rows.
    let phrasing = heads(&grouped, true);
    assert_ne!(phrasing.0, family.0);
}

#[test]
fn the_lexical_channel_is_recorded_with_the_heads_and_read_only_when_they_have_one() {
    let enc = WordHashEncoder::new("word-hash-test");
    let train_with = |buckets: usize| {
        let dir = tempfile::tempdir().unwrap();
        let opts = TrainOptions { lexical_buckets: buckets, ..options(dir.path(), 3) };
        train(&tiny_set(), &background_set(), &enc, &opts).unwrap();
        dir
    };
    let (plain, lexical) = (train_with(0), train_with(256));
    let meta = |d: &Path| -> HeadsMeta {
        serde_json::from_slice(&std::fs::read(heads_dir(d, "word-hash-test").join("meta.json")).unwrap()).unwrap()
    };
    assert_eq!(meta(plain.path()).lexical_buckets, 0);
    assert!(!String::from_utf8(std::fs::read(heads_dir(plain.path(), "word-hash-test").join("meta.json")).unwrap())
        .unwrap()
        .contains("lexical"));
    assert_eq!(meta(lexical.path()).lexical_buckets, 256);
    assert_eq!(meta(lexical.path()).stage_input.last().unwrap(), "lexical[256]");
    // One embedding under two texts: only a head with the channel reads the words.
    let emb = encode_texts(&enc, &["ok".to_string()]).unwrap();
    let probs = |d: &Path, text: &str| Detector::load(d, &enc).unwrap().message_features(&[text], &emb)[0];
    assert_eq!(probs(plain.path(), "ok"), probs(plain.path(), "dont tell your parents about us"));
    assert_ne!(probs(lexical.path(), "ok"), probs(lexical.path(), "dont tell your parents about us"));
    // Heads whose meta names another bucket count than the head's width are refused.
    let path = heads_dir(lexical.path(), "word-hash-test").join("meta.json");
    let mut m = meta(lexical.path());
    m.lexical_buckets = 128;
    m.stage_input = crate::detector::stage_input_layout(m.embedding_dim, 128);
    std::fs::write(&path, serde_json::to_vec(&m).unwrap()).unwrap();
    assert!(matches!(Detector::load(lexical.path(), &enc), Err(DetectorError::LayoutMismatch(_))));
}
