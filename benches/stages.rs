//! Per-stage costs of the pure stages, without the encoder: `normalize` over realistic chat lines,
//! `WindowStore::push` into a store full of live conversations, `policy::decide`, and the shipped
//! stage head with and without its lexical channel.
//!
//! `cargo bench --bench stages`. Setup (building lines, filling the store) stays out of the timed
//! part (`iter_batched`), so the numbers are the per-message cost the pipeline pays.

use chrono::{DateTime, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use jaga::detector::lexical::{lexical_features, DEFAULT_LEXICAL_BUCKETS};
use jaga::detector::mlp::{Mlp, SplitHead};
use jaga::event::NUM_STAGES;
use jaga::features::MessageFeatures;
use jaga::normalize::normalize;
use jaga::policy::{decide, PolicyState, Profile};
use jaga::window::{SourcePos, WindowConfig, WindowMessage, WindowStore};
use std::hint::black_box;

/// Plain chat lines in English, Indonesian and code-mixed Indonesian, benign and manipulative
/// (synthetic, no sexual content).
const BASE: [&str; 40] = [
    "hai kak, lagi ngapain?",
    "udah makan belum? jangan lupa makan ya",
    "besok ada ulangan matematika, doain ya",
    "lol that video was so funny",
    "wkwk iya bener banget",
    "mau main bareng nanti malam?",
    "my mom says i have to finish homework first",
    "ok see you at school tomorrow",
    "kamu kelas berapa sekarang?",
    "how old are you btw?",
    "umur kamu 13 ya? masih muda banget",
    "you are so mature for your age",
    "kamu beda dari yang lain, lebih dewasa",
    "orang tua kamu pasti gak ngerti kamu kayak aku ngerti",
    "your parents are too strict, i get you better",
    "ini rahasia kita berdua aja ya",
    "don't tell anyone about our chats ok",
    "jangan bilang mama papa ya",
    "aku kirimin pulsa 50rb mau?",
    "i can buy you diamonds for your game",
    "mau top up gratis? nanti aku transfer",
    "chat di app lain aja yuk, lebih aman",
    "add me on the other app, this one is boring",
    "kirim foto kamu dong, buat aku aja",
    "send me a pic just for me",
    "kita ketemuan yuk di mall hari sabtu",
    "let's meet after school, just us two",
    "kalau kamu gak mau, aku kasih tau orang tua kamu soal chat kita",
    "if you stop replying i will show everyone our messages",
    "seru banget tadi main bola sama temen",
    "did you finish the science project?",
    "gue capek banget hari ini",
    "nanti aku jemput di depan sekolah ya",
    "btw tugas bahasa inggris dikumpul kapan?",
    "anyway gimana kabar kucing kamu?",
    "omg the new episode is out",
    "aku sayang kamu, kamu spesial buat aku",
    "you can trust me, i'm not like other people",
    "hapus chat ini ya setelah dibaca",
    "rumah kamu di daerah mana?",
];

/// Deterministic obfuscations of the kind normalisation undoes.
fn obfuscate(line: &str, how: usize) -> String {
    match how {
        0 => line.to_string(),
        // Leetspeak.
        1 => line
            .chars()
            .map(|c| match c {
                'a' => '4',
                'e' => '3',
                'i' => '1',
                'o' => '0',
                _ => c,
            })
            .collect(),
        // Cyrillic look-alikes.
        2 => line
            .chars()
            .map(|c| match c {
                'a' => 'а',
                'e' => 'е',
                'o' => 'о',
                'c' => 'с',
                _ => c,
            })
            .collect(),
        // Zero-width spaces between letters of each word, and a bidi control.
        3 => format!(
            "\u{202A}{}\u{202C}",
            line.split(' ')
                .map(|w| w.chars().map(String::from).collect::<Vec<_>>().join("\u{200B}"))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        // Spaced-out first word, stretched last word, emoji run.
        4 => {
            let mut words: Vec<String> = line.split(' ').map(str::to_string).collect();
            if let Some(first) = words.first_mut() {
                *first = first.chars().map(String::from).collect::<Vec<_>>().join(" ");
            }
            if let Some(last) = words.last_mut() {
                if let Some(c) = last.chars().last() {
                    last.extend(std::iter::repeat_n(c, 5));
                }
            }
            format!("{} 😂😂😂😂😂!!!!!", words.join(" "))
        }
        // Fullwidth capitals.
        _ => line
            .chars()
            .map(|c| if c.is_ascii_lowercase() { char::from_u32(c as u32 - 0x61 + 0xFF21).unwrap_or(c) } else { c })
            .collect(),
    }
}

/// 200 lines: each base line plain and in four of the obfuscations (about half are obfuscated).
fn chat_lines() -> Vec<String> {
    (0..200).map(|i| obfuscate(BASE[i % BASE.len()], if i % 2 == 0 { 0 } else { 1 + (i / 2) % 5 })).collect()
}

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + secs, 0).single().unwrap_or_default()
}

fn message(i: i64) -> WindowMessage {
    WindowMessage {
        message_id: format!("m{i}"),
        sender_id: format!("u{}", i % 7),
        sent_at: t(i),
        age_band: None,
        features: MessageFeatures::from_probs([0.1; NUM_STAGES]),
        excerpt: None,
        source: Some(SourcePos { partition: (i % 4) as i32, offset: i }),
    }
}

fn bench_normalize(c: &mut Criterion) {
    let lines = chat_lines();
    let mut g = c.benchmark_group("normalize");
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.bench_function("200_chat_lines", |b| {
        b.iter(|| {
            for line in &lines {
                black_box(normalize(black_box(line)));
            }
        })
    });
    g.finish();
}

fn bench_window(c: &mut Criterion) {
    const LIVE: i64 = 10_000;
    // A store with LIVE conversations, each window full (50 messages), and a byte budget that
    // holds exactly those: pushing to an existing conversation slides its window, pushing a new one
    // evicts the least recently touched, so both benchmarks run in that steady state. Only the
    // message (ids, features) is built per iteration, outside the timed part.
    let mut store = WindowStore::new(WindowConfig { max_state_bytes: 1 << 34, ..WindowConfig::default() }, false);
    let now = t(1 << 40);
    for i in 0..LIVE * 50 {
        store.push(&format!("c{}", i % LIVE), message(i), now);
    }
    let budget = store.approx_bytes();
    drop(store);
    let mut store = {
        let mut s = WindowStore::new(WindowConfig { max_state_bytes: budget, ..WindowConfig::default() }, false);
        for i in 0..LIVE * 50 {
            s.push(&format!("c{}", i % LIVE), message(i), now);
        }
        s
    };
    let mut next = LIVE * 50;
    let mut g = c.benchmark_group("window");
    g.throughput(Throughput::Elements(1));
    g.bench_function("push_existing_10k_live", |b| {
        b.iter_batched(
            || {
                next += 1;
                (format!("c{}", (next * 7919) % LIVE), message(next))
            },
            |(id, msg)| black_box(store.push(&id, msg, now).total_seen()),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("push_new_evicting_10k_live", |b| {
        b.iter_batched(
            || {
                next += 1;
                (format!("n{next}"), message(next))
            },
            |(id, msg)| {
                let seen = store.push(&id, msg, now).total_seen();
                black_box((seen, store.enforce_budget()))
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn bench_policy(c: &mut Criterion) {
    let Some(profile) = Profile::builtin("default") else {
        eprintln!("skipping the policy bench: built-in profile missing");
        return;
    };
    // A risk trace that rises, wobbles around thresholds and falls, so every branch runs.
    let risks: Vec<f32> = (0..1_000).map(|i| (0.5 + 0.45 * ((i as f32) * 0.05).sin()).clamp(0.0, 1.0)).collect();
    let mut g = c.benchmark_group("policy");
    g.throughput(Throughput::Elements(risks.len() as u64));
    g.bench_function("decide_1000_messages", |b| {
        b.iter_batched_ref(
            PolicyState::default,
            |state| {
                for (n, &r) in risks.iter().enumerate() {
                    black_box(decide(&profile, state, r, n as u64 + 1));
                }
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

/// The shipped stage head as the live path runs it ([`SplitHead`]) on 200 normalised chat lines:
/// its dense part alone (embedding and exemplar signals, what the head read before the lexical
/// channel) and with each line's words, hashing included. The inputs' dense values are fixed stand-ins: the cost does not depend on
/// them.
fn bench_stage_head(c: &mut Criterion) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("models/heads/multilingual-e5-small_e5s1-q4-i8-l8/stage_head.safetensors");
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!("skipping the stage-head bench: {} missing", path.display());
        return;
    };
    let head = match Mlp::from_safetensors(&bytes, "stage_head") {
        Ok(h) => h,
        Err(e) => {
            eprintln!("skipping the stage-head bench: {e}");
            return;
        }
    };
    let lines: Vec<String> = chat_lines().iter().map(|l| normalize(l)).collect();
    let dense_width = head.input - DEFAULT_LEXICAL_BUCKETS;
    let Some(split) = SplitHead::new(&head, dense_width) else {
        eprintln!("skipping the stage-head bench: the shipped head has no lexical channel");
        return;
    };
    let dense: Vec<f32> = (0..dense_width).map(|i| ((i % 17) as f32 - 8.0) / 64.0).collect();
    let mut g = c.benchmark_group("stage_head");
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.bench_function("dense_part_200_lines", |b| {
        b.iter(|| {
            for _ in &lines {
                black_box(split.forward(black_box(&dense), &[]));
            }
        })
    });
    g.bench_function("with_words_200_lines", |b| {
        b.iter(|| {
            for line in &lines {
                let words = lexical_features(black_box(line), DEFAULT_LEXICAL_BUCKETS);
                black_box(split.forward(black_box(&dense), &words));
            }
        })
    });
    g.finish();
}

criterion_group!(stages, bench_normalize, bench_window, bench_policy, bench_stage_head);
criterion_main!(stages);
