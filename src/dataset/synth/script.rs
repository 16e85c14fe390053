//! Conversation scripts: the order of beats of a family, written as one line of tokens.
//!
//! * `A:bank` — speaker A (the suspect, or the initiator of a benign chat) says a line of `bank`;
//!   `B` is the other participant (the child in grooming families), `C`, `D` and `E` further
//!   members of a group chat.
//! * `A:x+B:y` — a unit: the beats run together (a question and its answer).
//! * `A:x+B:y|A:z` — one of the alternatives; a trailing `?` makes the unit optional (50 %).
//! * `~2-5` — 2 to 5 messages of small talk on the conversation's topic (`~1-3:school` names
//!   the topic); this is how slow-burn families bury the worrying messages among innocent ones.
//! * `( ... )` — the units inside run in a random order, so stage order varies.

use super::grammar::{take_marks, tidy, Ctx};
use super::lexicon::stages_of;
use crate::event::Stage;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    A,
    B,
    C,
    D,
    E,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::A, Role::B, Role::C, Role::D, Role::E];

    pub fn index(self) -> usize {
        self as usize
    }

    fn other(self) -> Role {
        match self {
            Role::A => Role::B,
            _ => Role::A,
        }
    }
}

/// One generated message before styling and timestamps.
#[derive(Debug, Clone)]
pub(super) struct Line {
    pub role: Role,
    pub text: String,
    pub stages: Vec<Stage>,
    /// True when the line continues the previous line's thought (a split message): it is sent
    /// seconds later.
    pub continued: bool,
    /// The stage template the line came from (`bank#index`, [`super::grammar::Ctx`]), if any.
    pub group: Option<String>,
}

#[derive(Debug)]
pub(super) enum Node {
    Unit { alts: Vec<Vec<(Role, &'static str)>>, optional: bool },
    Small { min: usize, max: usize, topic: Option<&'static str> },
    Shuffle(Vec<Node>),
}

/// Parses a family script; an error names the offending token.
pub(super) fn parse(script: &'static str) -> Result<Vec<Node>, String> {
    let mut stack: Vec<Vec<Node>> = vec![Vec::new()];
    for tok in script.split_whitespace() {
        match tok {
            "(" => stack.push(Vec::new()),
            ")" => {
                let group = stack.pop().ok_or("unbalanced )")?;
                stack.last_mut().ok_or("unbalanced )")?.push(Node::Shuffle(group));
            }
            _ => {
                let node = parse_token(tok)?;
                stack.last_mut().ok_or("unbalanced )")?.push(node);
            }
        }
    }
    if stack.len() != 1 {
        return Err("unclosed (".into());
    }
    Ok(stack.pop().unwrap_or_default())
}

fn parse_token(tok: &'static str) -> Result<Node, String> {
    if let Some(spec) = tok.strip_prefix('~') {
        let (range, topic) = match spec.split_once(':') {
            Some((r, t)) => (r, Some(t)),
            None => (spec, None),
        };
        let (lo, hi) = range.split_once('-').ok_or_else(|| format!("bad small-talk token {tok}"))?;
        let min = lo.parse().map_err(|_| format!("bad small-talk token {tok}"))?;
        let max = hi.parse().map_err(|_| format!("bad small-talk token {tok}"))?;
        return Ok(Node::Small { min, max, topic });
    }
    let (body, optional) = match tok.strip_suffix('?') {
        Some(b) => (b, true),
        None => (tok, false),
    };
    let mut alts = Vec::new();
    for alt in body.split('|') {
        let mut beats = Vec::new();
        for beat in alt.split('+') {
            let (who, bank) = beat.split_once(':').ok_or_else(|| format!("bad beat {beat}"))?;
            let role = match who {
                "A" => Role::A,
                "B" => Role::B,
                "C" => Role::C,
                "D" => Role::D,
                "E" => Role::E,
                _ => return Err(format!("bad speaker in {beat}")),
            };
            beats.push((role, bank));
        }
        alts.push(beats);
    }
    Ok(Node::Unit { alts, optional })
}

/// Runs a parsed script. `people` (2 to 5) is how many participants the chat has: small talk is
/// spread over all of them, so a group chat reads like one.
///
/// Labels follow meaning, not speaker: a line of a stage bank carries the bank's stages whoever
/// says it (the child asking the suspect's age is age probing too), plus the stages of every
/// stage bank nested inside it.
pub(super) fn run(nodes: &[Node], ctx: &mut Ctx, topic: &str, people: usize, out: &mut Vec<Line>) {
    for node in nodes {
        match node {
            Node::Unit { alts, optional } => {
                if *optional && ctx.chance(0.5) {
                    continue;
                }
                let i = ctx.range(0, alts.len() - 1);
                // A beat of a speaker this chat does not have (C in a two-party chat) is skipped.
                for &(role, bank) in alts[i].iter().filter(|(r, _)| r.index() < people) {
                    emit(ctx, role, bank, None, out);
                }
            }
            Node::Small { min, max, topic: t } => {
                let n = ctx.range(*min, *max);
                let start = out.len();
                let mut misses = 0;
                while out.len() - start < n && misses < 3 {
                    // A used-up topic moves the chat on to another one.
                    let here = if misses == 0 { t.unwrap_or_else(|| drift(ctx, topic)) } else { drift(ctx, "daily") };
                    let (role, partner) = small_talk_pair(ctx, people);
                    let before = out.len();
                    emit(ctx, role, &format!("small.{here}"), Some(partner), out);
                    if out.len() == before {
                        misses += 1;
                    } else {
                        misses = 0;
                    }
                }
            }
            Node::Shuffle(group) => {
                let mut order: Vec<usize> = (0..group.len()).collect();
                for k in (1..order.len()).rev() {
                    let j = ctx.range(0, k);
                    order.swap(k, j);
                }
                for k in order {
                    run(std::slice::from_ref(&group[k]), ctx, topic, people, out);
                }
            }
        }
    }
}

/// The topic of the next bit of small talk: mostly the conversation's own, sometimes one it
/// drifts to (real chats wander, and one topic's bank would run out in a long one).
pub(super) fn drift<'a>(ctx: &mut Ctx, topic: &'a str) -> &'a str {
    if ctx.chance(0.3) && !ctx.side_topics.is_empty() {
        ctx.side_topics[ctx.range(0, ctx.side_topics.len() - 1)]
    } else {
        topic
    }
}

/// Who starts a small-talk exchange and who answers: in a two-party chat A a bit more often than
/// B; in a group anyone, answered by anyone else. An older A (`Ctx::elder_a`) only answers in a
/// two-party chat and stays out of a group's small talk, which is written in young voices.
fn small_talk_pair(ctx: &mut Ctx, people: usize) -> (Role, Role) {
    let people = people.clamp(2, Role::ALL.len());
    if people == 2 {
        return if !ctx.elder_a && ctx.chance(0.6) { (Role::A, Role::B) } else { (Role::B, Role::A) };
    }
    let lo = usize::from(ctx.elder_a);
    let first = ctx.range(lo, people - 1);
    let mut second = ctx.range(lo, people - 2);
    if second >= first {
        second += 1;
    }
    (Role::ALL[first], Role::ALL[second])
}

/// Expands one line of `bank` said by `role`: ` || ` hands the turn to `partner` (by default the
/// other of A and B) and back, ` // ` splits a thought into two messages (kept joined 40 % of
/// the time, so both shapes occur).
fn emit(ctx: &mut Ctx, role: Role, bank: &str, partner: Option<Role>, out: &mut Vec<Line>) {
    ctx.take_stage_template();
    let text = ctx.bank(bank);
    let group = ctx.take_stage_template();
    let own = stages_of(bank);
    let partner = partner.unwrap_or(role.other());
    let mut who = role;
    for turn in text.split("||") {
        let mut pieces: Vec<(String, Vec<Stage>)> = turn
            .split("//")
            .map(|p| {
                let (text, marks) = take_marks(p);
                (tidy(&text), marks)
            })
            .filter(|(p, _)| !p.is_empty())
            .collect();
        if pieces.len() > 1 && ctx.chance(0.4) {
            let text = pieces.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>().join(" ");
            let marks = pieces.iter().flat_map(|(_, m)| m.iter().copied()).collect();
            pieces = vec![(text, marks)];
        }
        for (k, (p, marks)) in pieces.into_iter().enumerate() {
            let mut stages: Vec<Stage> = if who == role { own.clone() } else { Vec::new() };
            for m in marks {
                if !stages.contains(&m) {
                    stages.push(m);
                }
            }
            stages.sort_by_key(|s| s.index());
            out.push(Line { role: who, text: p, stages, continued: k > 0, group: group.clone() });
        }
        who = if who == role { partner } else { role };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_alternatives_small_talk_and_groups() {
        let nodes = parse("~1-3 ( A:x+B:y A:z|B:w? ) ~0-2:school").unwrap();
        assert_eq!(nodes.len(), 3);
        match &nodes[1] {
            Node::Shuffle(g) => {
                assert_eq!(g.len(), 2);
                match &g[1] {
                    Node::Unit { alts, optional } => {
                        assert!(*optional);
                        assert_eq!(alts.len(), 2);
                        assert_eq!(alts[1], vec![(Role::B, "w")]);
                    }
                    other => panic!("unexpected {other:?}"),
                }
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(nodes[2], Node::Small { min: 0, max: 2, topic: Some("school") }));
        assert!(parse("( A:x").is_err());
        assert!(parse("F:x").is_err());
        assert!(parse("D:x+E:y").is_ok());
        assert!(parse("~a-b").is_err());
    }
}
