//! `jaga synth`: the project's own labelled training conversations.
//!
//! No grooming-labelled chat data can be obtained, so the detector learns from what this module
//! writes. It is judged on human-written chat it never saw, so the generator aims at variety
//! rather than volume: every message is composed from interchangeable parts of large phrase
//! banks ([`grammar`]), every family varies its order and pacing ([`families`], [`script`]), and
//! every speaker gets their own typing habits ([`noise`]). Benign conversations deliberately
//! reuse grooming's surface words (a parent's "don't tell dad", siblings sending pulsa, teens
//! meeting at a café) so the model has to learn the pattern, not the vocabulary.
//!
//! Content rule: grooming is expressed only through manipulation patterns (CONTRACTS §4). Photo
//! requests ask for "a pic of you" and threats are about sharing chats; nothing sexual is ever
//! written, and a deny-list test checks thousands of generated conversations.

/// Declares phrase banks compactly: `"name" => { en: [..], id: [..], mx: [..], }`, each list
/// optional (see `lexicon::Bank`).
macro_rules! banks {
    ($($name:literal => { $(en: [$($en:expr),* $(,)?],)? $(id: [$($id:expr),* $(,)?],)? $(mx: [$($mx:expr),* $(,)?],)? })*) => {
        &[$(super::lexicon::Bank { name: $name, en: &[$($($en),*)?], id: &[$($($id),*)?], mx: &[$($($mx),*)?] }),*]
    };
}

mod families;
mod grammar;
mod lex_benign;
mod lex_common;
mod lex_groom;
mod lexicon;
mod noise;
mod script;

pub use noise::obfuscate;

use crate::dataset::{Label, LabelledConversation, LabelledMessage, Language};
use crate::event::Stage;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use families::{Family, Pace, Who, FAMILIES};
use grammar::Ctx;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use script::{Line, Role};

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthOptions {
    pub seed: u64,
    pub conversations: usize,
    /// Share of grooming conversations.
    pub grooming_fraction: f32,
    /// Share of the benign conversations drawn from hard-negative families.
    pub hard_negative_fraction: f32,
    /// Languages to draw from, uniformly; empty means all three.
    pub languages: Vec<Language>,
    /// Share of conversations with a few obfuscated messages (leetspeak, zero-width, ...).
    pub obfuscate_fraction: f32,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            seed: 0,
            conversations: 1000,
            grooming_fraction: 0.4,
            hard_negative_fraction: 0.5,
            languages: Language::ALL.to_vec(),
            obfuscate_fraction: 0.1,
        }
    }
}

/// Every template-family name, so evaluation can hold out whole families.
pub fn families() -> Vec<&'static str> {
    FAMILIES.iter().map(|f| f.name).collect()
}

/// Generates `opts.conversations` labelled conversations. Deterministic: conversation `n`
/// depends only on the options and `n` (its own ChaCha stream), so a larger run extends a
/// smaller one with the same seed.
pub fn generate(opts: &SynthOptions) -> Vec<LabelledConversation> {
    (0..opts.conversations).map(|n| generate_one(opts, n)).collect()
}

/// Shortest and longest conversation, in messages.
const MIN_MESSAGES: usize = 5;
const MAX_MESSAGES: usize = 40;

/// Share of conversations that carry the platform's `sender_age_band`.
const AGE_BAND_SHARE: f64 = 0.2;

fn generate_one(opts: &SynthOptions, n: usize) -> LabelledConversation {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    rng.set_stream(n as u64);
    let langs = if opts.languages.is_empty() { Language::ALL.to_vec() } else { opts.languages.clone() };
    let lang = langs[rng.random_range(0..langs.len())];
    let grooming = rng.random_bool(f64::from(opts.grooming_fraction).clamp(0.0, 1.0));
    let hard = !grooming && rng.random_bool(f64::from(opts.hard_negative_fraction).clamp(0.0, 1.0));
    let pool: Vec<&Family> =
        FAMILIES.iter().filter(|f| f.grooming == grooming && (grooming || f.hard == hard)).collect();
    let family = pool[rng.random_range(0..pool.len())];
    let mut ctx = Ctx::new(rng, lang);

    // A grooming draft must keep at least two stages once optional beats are skipped and the
    // length is capped; a few retries always find one (the scripts have several fixed stages).
    let mut lines = draft(family, &mut ctx);
    for _ in 0..8 {
        if !family.grooming || distinct_stages(&lines).len() >= 2 {
            break;
        }
        lines = draft(family, &mut ctx);
    }
    assemble(opts, n, family, lang, lines, &mut ctx)
}

fn draft(family: &Family, ctx: &mut Ctx) -> Vec<Line> {
    ctx.vars.clear();
    ctx.used.clear();
    set_people(ctx);
    let topic = family.topics[ctx.range(0, family.topics.len() - 1)];
    let nodes = script::parse(family.script).unwrap_or_default();
    let mut lines = Vec::new();
    script::run(&nodes, ctx, topic, family.grooming, &mut lines);
    let small = [script::Node::Small { min: 2, max: 3, topic: None }];
    // Benign scripts are shorter than grooming ones; without padding, length alone would
    // separate the classes. Benign chats get small talk up to a length drawn from roughly the
    // grooming range, so the model has to read the messages.
    let target = if family.grooming { MIN_MESSAGES } else { ctx.range(MIN_MESSAGES, 26) };
    while lines.len() < target {
        // Too short: the pair chats a little more first or afterwards, like real threads.
        let mut extra = Vec::new();
        script::run(&small, ctx, topic, family.grooming, &mut extra);
        if extra.is_empty() {
            break;
        }
        if ctx.chance(0.5) {
            extra.append(&mut lines);
            lines = extra;
        } else {
            lines.append(&mut extra);
        }
    }
    lines.truncate(MAX_MESSAGES);
    decorate(ctx, &mut lines);
    lines
}

/// Per-conversation facts the templates refer to, kept consistent with each other.
fn set_people(ctx: &mut Ctx) {
    let kage = ctx.range(10, 15);
    let grade = match kage {
        10 => 5,
        11 => 6,
        12 => 7,
        13 => 7 + ctx.range(0, 1),
        14 => 8 + ctx.range(0, 1),
        _ => 9 + ctx.range(0, 1),
    };
    ctx.vars.insert("kage".into(), kage.to_string());
    ctx.vars.insert("grade".into(), grade.to_string());
    let aage = ctx.range(15, 17);
    ctx.vars.insert("aage".into(), aage.to_string());
    const GAMES: &[(&[&str], &[&str])] = &[
        (&["Mobile Legends", "ML", "mlbb", "ml"], &["diamond", "diamonds", "diamond"]),
        (&["Free Fire", "FF", "ff"], &["diamond", "diamonds", "diamond"]),
        (&["PUBG", "pubg", "PUBG Mobile"], &["UC", "uc"]),
        (&["Roblox", "roblox"], &["robux", "Robux"]),
        (&["Genshin", "genshin"], &["primo", "genesis crystal"]),
        (&["Valorant", "valo"], &["VP", "vp"]),
        (&["Minecraft", "mc"], &["minecoins", "coins"]),
    ];
    let (names, currencies) = GAMES[ctx.range(0, GAMES.len() - 1)];
    let game = names[ctx.range(0, names.len() - 1)].to_string();
    let cur = currencies[ctx.range(0, currencies.len() - 1)].to_string();
    ctx.vars.insert("game".into(), game);
    ctx.vars.insert("cur".into(), cur);
}

/// Openers, tails and emoji around some messages, in the conversation's language (per slot in
/// code-mixed chat), so the same core sentence shows up in many shapes.
fn decorate(ctx: &mut Ctx, lines: &mut [Line]) {
    for line in lines.iter_mut() {
        // Openers and tails only around real sentences: "ok deh kan" is not how anyone writes.
        if line.continued || line.text.split(' ').count() < 2 {
            continue;
        }
        let sentence = line.text.split(' ').count() >= 4;
        let young = line.role != Role::A;
        let opened = sentence && ctx.chance(0.16);
        if opened {
            let o = ctx.bank("deco.open");
            line.text = format!("{o} {}", line.text);
        }
        if sentence && !opened && ctx.chance(0.18) && !line.text.ends_with('?') {
            let t = ctx.bank("deco.tail");
            line.text = format!("{} {t}", line.text);
        }
        if ctx.chance(if young { 0.2 } else { 0.08 }) {
            let e = ctx.bank(if young { "deco.emo_kid" } else { "deco.emo" });
            line.text = format!("{} {e}", line.text);
        }
    }
}

fn distinct_stages(lines: &[Line]) -> Vec<Stage> {
    Stage::ALL.into_iter().filter(|s| lines.iter().any(|l| l.stages.contains(s))).collect()
}

fn sender_id(ctx: &mut Ctx) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let len = ctx.range(6, 9);
    let tail: String = (0..len).map(|_| ALPHABET[ctx.range(0, ALPHABET.len() - 1)] as char).collect();
    format!("u_{tail}")
}

fn age_band(ctx: &mut Ctx, who: Who) -> &'static str {
    let kage: u32 = ctx.vars.get("kage").and_then(|k| k.parse().ok()).unwrap_or(13);
    match who {
        Who::Child if kage <= 12 => "under_13",
        Who::Child => "13_15",
        Who::Teen if ctx.chance(0.5) => "13_15",
        Who::Teen => "16_17",
        Who::Adult => "adult",
        Who::AdultOrUnknown if ctx.chance(0.6) => "adult",
        Who::AdultOrUnknown => "unknown",
        Who::Liar => ["adult", "unknown", "16_17"][ctx.range(0, 2)],
    }
}

/// Seconds between two messages, by the family's pace.
fn gap(ctx: &mut Ctx, pace: Pace, continued: bool) -> i64 {
    if continued {
        return ctx.range(2, 25) as i64;
    }
    let (day, hour, minute) = match pace {
        Pace::Fast => (0.0, 0.01, 0.12),
        Pace::Normal => (0.015, 0.05, 0.22),
        Pace::Slow => (0.06, 0.12, 0.3),
    };
    let r: f64 = ctx.rng.random();
    let secs = if r < day {
        ctx.range(86_400, 3 * 86_400)
    } else if r < day + hour {
        ctx.range(3_600, 9 * 3_600)
    } else if r < day + hour + minute {
        ctx.range(60, 40 * 60)
    } else {
        ctx.range(5, 150)
    };
    secs as i64
}

fn assemble(
    opts: &SynthOptions,
    n: usize,
    family: &Family,
    lang: Language,
    lines: Vec<Line>,
    ctx: &mut Ctx,
) -> LabelledConversation {
    let ids = [sender_id(ctx), sender_id(ctx), sender_id(ctx)];
    let bands = if ctx.chance(AGE_BAND_SHARE) {
        let third = if family.b == Who::Child { Who::Child } else { family.b };
        Some([age_band(ctx, family.a), age_band(ctx, family.b), age_band(ctx, third)])
    } else {
        None
    };
    let styles = [
        noise::Style::random(&mut ctx.rng, matches!(family.a, Who::Child | Who::Teen | Who::Liar)),
        noise::Style::random(&mut ctx.rng, matches!(family.b, Who::Child | Who::Teen)),
        noise::Style::random(&mut ctx.rng, true),
    ];
    // 2025-01-01T00:00:00Z plus up to ~16 months, so timestamps look like recent traffic.
    let mut t = DateTime::<Utc>::from_timestamp(1_735_689_600, 0).unwrap_or_default()
        + Duration::seconds(ctx.range(0, 480 * 86_400) as i64);

    let mut messages = Vec::with_capacity(lines.len());
    let mut message_stages = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            t += Duration::seconds(gap(ctx, family.pace, line.continued));
        }
        let who = match line.role {
            Role::A => 0,
            Role::B => 1,
            Role::C => 2,
        };
        let text = noise::restyle(&line.text, &styles[who], &mut ctx.rng);
        messages.push(LabelledMessage {
            sender_id: ids[who].clone(),
            sent_at: t.to_rfc3339_opts(SecondsFormat::Secs, true),
            text,
            sender_age_band: bands.map(|b| b[who].to_string()),
        });
        message_stages.push(line.stages.clone());
    }

    if ctx.chance(f64::from(opts.obfuscate_fraction)) {
        // Obfuscation is what someone hiding the worrying words would do, so prefer those
        // messages; benign chats get it on ordinary ones (people do that for fun too).
        let mut targets: Vec<usize> = (0..messages.len()).filter(|&i| !message_stages[i].is_empty()).collect();
        if targets.is_empty() {
            targets = (0..messages.len()).filter(|&i| messages[i].text.len() > 8).collect();
        }
        let k = ctx.range(1, 2).min(targets.len());
        for _ in 0..k {
            let i = targets[ctx.range(0, targets.len() - 1)];
            let mut sub = ChaCha8Rng::seed_from_u64(ctx.next_u64());
            messages[i].text = obfuscate(&messages[i].text, &mut sub);
        }
    }

    let stages = distinct_stages(&lines);
    let onset =
        if family.grooming { lines.iter().position(|l| l.role == Role::A && !l.stages.is_empty()) } else { None };
    LabelledConversation {
        conversation_id: format!("syn-{}-{n}", opts.seed),
        language: lang,
        label: if family.grooming { Label::Grooming } else { Label::Benign },
        onset,
        suspect: family.grooming.then(|| ids[0].clone()),
        stages,
        hard_negative: !family.grooming && family.hard,
        messages,
        family: Some(family.name.to_string()),
        message_stages: Some(message_stages),
    }
}

#[cfg(test)]
mod tests;
