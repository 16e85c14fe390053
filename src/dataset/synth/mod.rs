//! `jaga synth`: the project's own labelled training conversations.
//!
//! No grooming-labelled chat data can be obtained, so the detector learns from what this module
//! writes. It is judged on human-written chat it never saw, so the generator aims at variety
//! rather than volume: every message is composed from interchangeable parts of large phrase
//! banks ([`grammar`], `banks/*.txt`), every family varies its order and pacing ([`families`],
//! [`script`]), and every speaker gets their own typing habits, dialect and register ([`noise`]).
//!
//! # Labels
//!
//! A message is labelled with a stage wherever it expresses it, whoever sends it and whatever the
//! family: a parent's "don't tell dad about the cake" is secrecy, a sibling's "udah kakak isiin
//! pulsa" is gifts_money, a counsellor explaining confidentiality is secrecy, a teenager asking a
//! classmate's age is age probing. One message may carry several stages ("this is our secret,
//! i'll send you pulsa"). The labels come from the bank names (see [`lexicon`]) and compose when a
//! template nests another stage bank. Whether a conversation is grooming — who says it to whom,
//! one-sided or mutual, explained or not — is the conversation label's job, and benign families
//! are written to cover those contexts: family secrets, peer trades, peer threats, teen dates,
//! counsellors, relatives sending money, impersonation scams, tutors and coaches with the parent
//! in the loop.
//!
//! # Shortcuts the data must not teach
//!
//! Both classes share one distribution of conversation length, words per message (long
//! multi-clause messages and one-word replies alike), participants (group chats with and without
//! a groomer, two-party chats of both kinds), media placeholders and empty messages, dialects and
//! terms of address; benign families reuse grooming's vocabulary. `jaga synth --stats` (see
//! [`stats`]) reports these shapes and the tokens that still occur almost only in grooming.
//!
//! # Held-out families
//!
//! Families marked held-out draw only from their own quarter of every large bank
//! ([`grammar::Pool`]): they share no stage template and no small talk with the other families,
//! so scores on them measure generalisation to unseen phrasings, not recall of memorised ones.
//! They cover the same kinds as the training families (stranger, fan, scout, group chat; relative,
//! peer threat, teen date, scam, ordinary chat) and the same small-talk topics in both labels, and
//! every stage bank they draw on is drawn by a training family too (from its other three quarters;
//! `families::tests` checks it), so they hold out wording, not kinds of move. The recommended held-out list
//! is [`heldout_families`]:
//!
//! * grooming: `groom_music_fan`, `groom_football_scout`, `groom_guilt_trip`, `groom_fan_group`
//!   (a group chat), `groom_homework_mentor`, `groom_fast_direct`;
//! * benign: `neg_gaming_trade_peers`, `neg_aunt_thr`, `neg_teen_date`, `neg_family_scam_number`,
//!   `neg_peer_gossip_threat`, `neg_grandparent_call`, `neg_football_chat`, `neg_music_chat`,
//!   `neg_adult_work_chat`.
//!
//! Pass it as `jaga train --holdout-families ...`; holding out other families still works, but
//! then the held-out conversations share templates with the training ones.
//!
//! Content rule: grooming is expressed only through manipulation patterns (docs/contracts.md §4). Photo
//! requests ask for "a pic of you" and threats are about sharing chats; nothing sexual, nothing
//! about bodies, clothes, looks, bedrooms or bedtime is ever written, and a deny-list test checks
//! every bank file and thousands of generated conversations.

mod families;
mod grammar;
mod lexicon;
mod noise;
mod script;
pub mod stats;

pub use noise::obfuscate;

use crate::dataset::{Label, LabelledConversation, LabelledMessage, Language};
use crate::event::Stage;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use families::{Family, Pace, Register, Rel, Who, FAMILIES};
use grammar::{Ctx, Pool};
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

/// The recommended held-out families: they draw from their own template pool, so they share no
/// template with the other families (see the module docs).
pub fn heldout_families() -> Vec<&'static str> {
    families::heldout().map(|f| f.name).collect()
}

/// The generator's distinct templates (before alternation expansion) per stage and template
/// language (`en`, `id`, `mx` for code-mixed), with the surface forms their alternatives spell
/// out; a template counts for every stage of its bank.
pub fn template_counts() -> Vec<stats::TemplateCount> {
    lexicon::template_counts()
        .into_iter()
        .map(|((stage, language), (templates, surface_forms))| stats::TemplateCount {
            stage,
            language,
            templates,
            surface_forms,
        })
        .collect()
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
/// Conversations shorter than a length drawn up to this are padded with small talk. Benign
/// scripts are shorter than grooming ones, so they are padded further; the two bounds are set so
/// that both labels end up with the same mean length (a test checks it), and length says nothing
/// about the label.
const PAD_TO_MAX_GROOMING: usize = 28;
const PAD_TO_MAX_BENIGN: usize = 34;

/// Share of conversations that carry the platform's `sender_age_band`.
const AGE_BAND_SHARE: f64 = 0.2;

/// Share of conversations with extra media-only or empty messages (stickers, photos sent without
/// a caption), on top of those written into the small talk.
const MEDIA_SHARE: f64 = 0.35;

/// Stands for an empty message inside templates (an empty piece would be dropped).
const EMPTY: &str = "<empty>";

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
    ctx.pool = if family.heldout { Pool::Heldout } else { Pool::Train };
    ctx.elder_a = matches!(family.a, Who::Adult | Who::AdultOrUnknown) && family.rel != Rel::Adults;
    ctx.side_topics = match family.rel {
        Rel::Peer => &["daily", "school", "game", "music", "social"],
        Rel::Adults => &["adult", "daily"],
        _ => &["daily", "school", "family"],
    };
    let people = if ctx.chance(family.group) { ctx.range(3, family.group_max) } else { 2 };

    // A grooming draft must keep at least two of the suspect's stages once optional beats are
    // skipped and the length is capped; a few retries always find one (the scripts have several
    // fixed stages).
    let mut lines = draft(family, people, &mut ctx);
    for _ in 0..8 {
        if !family.grooming || suspect_stages(&lines).len() >= 2 {
            break;
        }
        lines = draft(family, people, &mut ctx);
    }
    assemble(opts, n, family, lang, people, lines, &mut ctx)
}

fn draft(family: &Family, people: usize, ctx: &mut Ctx) -> Vec<Line> {
    ctx.vars.clear();
    ctx.used.clear();
    set_people(ctx, family);
    let topic = family.topics[ctx.range(0, family.topics.len() - 1)];
    let nodes = script::parse(family.script).unwrap_or_default();
    let mut lines = Vec::new();
    script::run(&nodes, ctx, topic, people, &mut lines);
    let small = [script::Node::Small { min: 2, max: 3, topic: None }];
    let target = ctx.range(MIN_MESSAGES, if family.grooming { PAD_TO_MAX_GROOMING } else { PAD_TO_MAX_BENIGN });
    while lines.len() < target {
        // Too short: the chat goes on a little before or after, like real threads.
        let mut extra = Vec::new();
        script::run(&small, ctx, topic, people, &mut extra);
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
    decorate(ctx, topic, &mut lines);
    add_media(ctx, people, &mut lines);
    lines.truncate(MAX_MESSAGES);
    lines
}

/// Per-conversation facts the templates refer to, kept consistent with each other.
fn set_people(ctx: &mut Ctx, family: &Family) {
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
    // British school years run one ahead of US grades.
    ctx.vars.insert("year".into(), (grade + 1).to_string());
    let aage = ctx.range(15, 17);
    ctx.vars.insert("aage".into(), aage.to_string());
    const GAMES: &[(&[&str], &[&str])] = &[
        (&["Mobile Legends", "ML", "mlbb", "ml"], &["diamond", "diamonds", "diamond", "dm"]),
        (&["Free Fire", "FF", "ff"], &["diamond", "diamonds", "diamond"]),
        (&["PUBG", "pubg", "PUBG Mobile"], &["UC", "uc"]),
        (&["Roblox", "roblox"], &["robux", "Robux"]),
        (&["Genshin", "genshin"], &["primo", "genesis crystal"]),
        (&["Valorant", "valo"], &["VP", "vp"]),
        (&["Minecraft", "mc"], &["minecoins", "coins"]),
        (&["Fortnite", "fortnite"], &["vbucks", "V-Bucks"]),
        (&["Honor of Kings", "HOK", "hok"], &["tokens", "token"]),
    ];
    let (names, currencies) = GAMES[ctx.range(0, GAMES.len() - 1)];
    let game = names[ctx.range(0, names.len() - 1)].to_string();
    let cur = currencies[ctx.range(0, currencies.len() - 1)].to_string();
    ctx.vars.insert("game".into(), game);
    ctx.vars.insert("cur".into(), cur);
    // Terms of address by relation: what A calls B and B calls A.
    let rel = family.rel.code();
    let ck = ctx.bank(&format!("v.ck_{rel}"));
    let ca = ctx.bank(&format!("v.ca_{rel}"));
    ctx.vars.insert("ck".into(), ck);
    ctx.vars.insert("ca".into(), ca);
    // How this platform shows media: one convention per conversation.
    const MEDIA: &[(&str, &str, &str)] = &[
        ("<image>", "<sticker>", "<video>"),
        ("[foto]", "[stiker]", "[video]"),
        ("<Media omitted>", "<Media omitted>", "<Media omitted>"),
        ("<Media tidak disertakan>", "<Media tidak disertakan>", "<Media tidak disertakan>"),
        ("[gambar]", "[sticker]", "<gif>"),
        (EMPTY, EMPTY, EMPTY),
    ];
    let (photo, sticker, video) = MEDIA[ctx.range(0, MEDIA.len() - 1)];
    ctx.vars.insert("mphoto".into(), photo.into());
    ctx.vars.insert("msticker".into(), sticker.into());
    ctx.vars.insert("mvideo".into(), video.into());
}

/// True for a message that is only a media placeholder or empty.
fn is_media(text: &str) -> bool {
    text == EMPTY || stats::MEDIA_PLACEHOLDERS.contains(&text)
}

/// Openers, bridges, tails and emoji around some messages, in the conversation's language (per
/// slot in code-mixed chat), so the same core sentence shows up in many shapes and lengths.
/// Some messages also carry a second, unrelated thought from the conversation's small talk
/// ("ok i'll add u later. did u finish the homework btw"), as people write: long multi-clause
/// messages in both labels, and stage messages whose stage is only part of the text.
fn decorate(ctx: &mut Ctx, topic: &str, lines: &mut [Line]) {
    for line in lines.iter_mut() {
        if line.continued || is_media(&line.text) {
            continue;
        }
        let n = line.text.split(' ').count();
        // Small-talk clauses are in a young voice (or an adult's among adults).
        let voiced = line.role != Role::A || !ctx.elder_a;
        if voiced && ctx.chance(if n >= 3 { 0.25 } else { 0.14 }) {
            let topic = script::drift(ctx, topic);
            let clause = small_talk_clause(ctx, topic);
            if !clause.is_empty() {
                let end = if line.text.ends_with(['?', '!', '.']) { "" } else { "." };
                line.text = if ctx.chance(0.75) {
                    format!("{}{end} {clause}", line.text)
                } else {
                    let lead = if clause.ends_with(['?', '!', '.']) { "" } else { "." };
                    format!("{clause}{lead} {}", line.text)
                };
            }
        }
        let n = line.text.split(' ').count();
        // Openers and tails only around real sentences: "ok deh kan" is not how anyone writes.
        if n < 2 {
            continue;
        }
        let sentence = n >= 4;
        let young = line.role != Role::A;
        // An older A gets no small-talk clauses, so a little more connective tissue instead.
        let boost = if voiced { 0.0 } else { 0.1 };
        let opened = sentence && ctx.chance(0.14);
        if opened {
            let o = ctx.bank("deco.open");
            line.text = format!("{o} {}", line.text);
        } else if n >= 3 && ctx.chance(0.2 + boost) {
            // A clause that ties the message to what came before ("haha ok fair, but").
            let b = ctx.bank("deco.bridge");
            line.text = format!("{b} {}", line.text);
        }
        if sentence && ctx.chance(0.16 + boost) && !line.text.ends_with('?') {
            let a = ctx.bank("deco.after");
            line.text = format!("{}, {a}", line.text.trim_end_matches(['.', '!']));
        } else if sentence && !opened && ctx.chance(0.16) && !line.text.ends_with('?') {
            let t = ctx.bank("deco.tail");
            line.text = format!("{} {t}", line.text);
        }
        if ctx.chance(if young { 0.2 } else { 0.08 }) {
            let e = ctx.bank(if young { "deco.emo_kid" } else { "deco.emo" });
            line.text = format!("{} {e}", line.text);
        }
    }
}

/// The first turn of a small-talk exchange on `topic`, as a clause to attach to a message; empty
/// when that turn is only media.
fn small_talk_clause(ctx: &mut Ctx, topic: &str) -> String {
    let text = ctx.bank(&format!("small.{topic}"));
    let first = text.split("||").next().unwrap_or("").replace("//", " ");
    let (first, _) = grammar::take_marks(&first);
    let first = grammar::tidy(&first);
    if is_media(&first) {
        String::new()
    } else {
        first
    }
}

/// Sprinkles media-only and empty messages (a sticker, a photo without caption) through a share
/// of conversations, from any participant, never labelled.
fn add_media(ctx: &mut Ctx, people: usize, lines: &mut Vec<Line>) {
    if lines.is_empty() || !ctx.chance(MEDIA_SHARE) {
        return;
    }
    for _ in 0..ctx.range(1, 3) {
        let at = ctx.range(1, lines.len());
        let who = Role::ALL[ctx.range(0, people.clamp(2, Role::ALL.len()) - 1)];
        let kind = ["msticker", "msticker", "mphoto", "mvideo"][ctx.range(0, 3)];
        let text = ctx.var(kind);
        lines.insert(at, Line { role: who, text, stages: Vec::new(), continued: false, group: None });
    }
}

fn distinct_stages(lines: &[Line]) -> Vec<Stage> {
    Stage::ALL.into_iter().filter(|s| lines.iter().any(|l| l.stages.contains(s))).collect()
}

/// The stages the suspect (A) expresses.
fn suspect_stages(lines: &[Line]) -> Vec<Stage> {
    Stage::ALL.into_iter().filter(|s| lines.iter().any(|l| l.role == Role::A && l.stages.contains(s))).collect()
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

/// How A titles themselves in Indonesian ("om beliin ya"), from what B calls them; `None` for
/// names and peer terms.
fn self_title(ca: &str) -> Option<&'static str> {
    Some(match ca {
        "om" => "om",
        "tante" => "tante",
        "kak" | "kakak" => "kakak",
        "bang" | "abang" => "abang",
        "mas" => "mas",
        "mbak" => "mbak",
        "teh" | "teteh" => "teteh",
        "aa" | "a" => "aa",
        "ma" | "mama" | "mah" => "mama",
        "pa" | "papa" | "pah" => "papa",
        "yah" | "ayah" => "ayah",
        "bun" | "bunda" => "bunda",
        "nek" | "nenek" => "nenek",
        "eyang" | "yangti" => "eyang",
        "oma" => "oma",
        _ => return None,
    })
}

fn assemble(
    opts: &SynthOptions,
    n: usize,
    family: &Family,
    lang: Language,
    people: usize,
    lines: Vec<Line>,
    ctx: &mut Ctx,
) -> LabelledConversation {
    let ids: Vec<String> = (0..Role::ALL.len()).map(|_| sender_id(ctx)).collect();
    let others = if family.b == Who::Child { Who::Child } else { family.b };
    let bands = if ctx.chance(AGE_BAND_SHARE) {
        let mut b = vec![age_band(ctx, family.a), age_band(ctx, family.b)];
        for _ in 2..Role::ALL.len() {
            b.push(age_band(ctx, others));
        }
        Some(b)
    } else {
        None
    };
    let title = ctx.vars.get("ca").and_then(|ca| self_title(ca.trim()));
    let mut styles: Vec<noise::Style> = Vec::with_capacity(Role::ALL.len());
    for role in Role::ALL {
        let young = match role {
            Role::A => matches!(family.a, Who::Child | Who::Teen | Who::Liar),
            Role::B => matches!(family.b, Who::Child | Who::Teen),
            _ => !matches!(family.rel, Rel::Adults),
        };
        let mut st = if role == Role::A && family.register == Register::Formal {
            noise::Style::formal(&mut ctx.rng, lang)
        } else {
            noise::Style::random(&mut ctx.rng, young, lang)
        };
        if role == Role::A && lang != Language::En && ctx.chance(0.6) {
            st.self_title = title;
        }
        styles.push(st);
    }
    // 2025-01-01T00:00:00Z plus up to ~16 months, so timestamps look like recent traffic.
    let mut t = DateTime::<Utc>::from_timestamp(1_735_689_600, 0).unwrap_or_default()
        + Duration::seconds(ctx.range(0, 480 * 86_400) as i64);

    let mut messages = Vec::with_capacity(lines.len());
    let mut message_stages = Vec::with_capacity(lines.len());
    let mut message_groups = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            t += Duration::seconds(gap(ctx, family.pace, line.continued));
        }
        let who = line.role.index().min(people.max(2) - 1);
        let text = if line.text == EMPTY {
            String::new()
        } else if is_media(&line.text) {
            line.text.clone()
        } else {
            noise::restyle(&line.text, &styles[who], &mut ctx.rng)
        };
        messages.push(LabelledMessage {
            sender_id: ids[who].clone(),
            sent_at: t.to_rfc3339_opts(SecondsFormat::Secs, true),
            text,
            sender_age_band: bands.as_ref().map(|b| b[who].to_string()),
        });
        message_stages.push(line.stages.clone());
        message_groups.push(line.group.clone());
    }

    if ctx.chance(f64::from(opts.obfuscate_fraction)) {
        // Obfuscation is what someone hiding the worrying words would do, so prefer the
        // suspect's labelled messages; benign chats get it on ordinary ones (people do that for
        // fun too).
        let mut targets: Vec<usize> = (0..messages.len())
            .filter(|&i| family.grooming && lines[i].role == Role::A && !message_stages[i].is_empty())
            .collect();
        if targets.is_empty() {
            targets = (0..messages.len()).filter(|&i| messages[i].text.len() > 8).collect();
        }
        if !targets.is_empty() {
            let k = ctx.range(1, 2).min(targets.len());
            for _ in 0..k {
                let i = targets[ctx.range(0, targets.len() - 1)];
                let mut sub = ChaCha8Rng::seed_from_u64(ctx.next_u64());
                messages[i].text = obfuscate(&messages[i].text, &mut sub);
            }
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
        message_groups: Some(message_groups),
    }
}

#[cfg(test)]
mod tests;
