//! The tiny template language every phrase bank is written in.
//!
//! A template is plain text with three kinds of markup, so one line of a bank stands for dozens
//! of surface forms and no single phrasing dominates the training data:
//!
//! * `[a|b|c]` picks one alternative (nested freely; `[a|]` makes `a` optional);
//! * `{bank}` expands a random template of another bank in the conversation's language — in a
//!   code-mixed conversation each slot picks its language on its own, which is what makes
//!   sentences switch language half-way like real Indonesian teen chat;
//! * `{$var}` is a per-conversation variable (the game, the app, the child's age): drawn once
//!   from bank `v.<var>` and then reused, so a conversation stays consistent.
//!
//! After expansion, ` // ` splits a thought over two messages of the same sender and ` || `
//! hands the turn to the other speaker (see [`super::script`]).
//!
//! Labels compose: a `{bank}` slot that names a stage bank leaves an invisible mark in the text
//! (see [`take_marks`]), so "lol same. {age.ask}" inside a stage-free bank still labels the piece
//! it lands in with age probing, and a long message built from a secrecy clause and a gift clause
//! carries both labels.
//!
//! Template pools: a family marked held-out draws only every fourth template of each large
//! content bank, every other family only the remaining three quarters (see [`Pool`]), so held-out
//! families share no stage template (and no small talk) with the families a model was trained
//! on. Short replies, variables, decoration and banks of fewer than [`SPLIT_MIN`] templates are
//! shared: they are not what a model should generalise over.

use super::lexicon::{self, stages_of, Bank};
use crate::dataset::Language;
use crate::event::Stage;
use rand::{Rng, RngCore};
use rand_chacha::ChaCha8Rng;
use std::collections::{HashMap, HashSet};

/// Deepest nesting of `{bank}` expansions; deeper references are left empty (a bank that
/// refers to itself must not hang the generator).
const MAX_DEPTH: usize = 12;

/// Which templates of a bank a conversation may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pool {
    /// Every template (tests, tools).
    All,
    /// The training families' three quarters.
    Train,
    /// The held-out families' quarter.
    Heldout,
}

/// Banks with fewer templates than this in a language are shared by both pools: they are short
/// replies, variables and decoration, not what a model is meant to generalise over.
pub(super) const SPLIT_MIN: usize = 8;

/// Whether bank `name`'s lists are split between the pools at all.
pub(super) fn splits(name: &str) -> bool {
    !(name.starts_with("kid.") || name.starts_with("deco.") || name.starts_with("v.") || name.starts_with("media"))
}

/// True when template `index` of a list of `len` belongs to `pool`.
pub(super) fn in_pool(pool: Pool, split: bool, index: usize, len: usize) -> bool {
    match pool {
        Pool::All => true,
        _ if !split || len < SPLIT_MIN => true,
        Pool::Heldout => index % 4 == 3,
        Pool::Train => index % 4 != 3,
    }
}

/// First of the private-use characters that mark a nested stage bank in expanded text.
const MARK_BASE: u32 = 0xE000;

/// Removes the stage marks from expanded text and returns the stages they named.
pub(super) fn take_marks(s: &str) -> (String, Vec<Stage>) {
    let mut stages = Vec::new();
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let code = c as u32;
        if (MARK_BASE..MARK_BASE + Stage::ALL.len() as u32).contains(&code) {
            let st = Stage::ALL[(code - MARK_BASE) as usize];
            if !stages.contains(&st) {
                stages.push(st);
            }
        } else {
            out.push(c);
        }
    }
    (out, stages)
}

/// Expansion state of one conversation.
pub(super) struct Ctx {
    pub rng: ChaCha8Rng,
    pub lang: Language,
    pub pool: Pool,
    pub vars: HashMap<String, String>,
    /// A is an older person talking to a younger one (a stranger, a parent, a tutor): small talk,
    /// which is written in a young person's voice, is then said by the others.
    pub elder_a: bool,
    /// Small-talk topics the conversation drifts to besides its own.
    pub side_topics: &'static [&'static str],
    /// Templates already used in this conversation: people rarely say the very same thing twice
    /// in one chat, so content banks avoid repeats (short replies and decoration may repeat).
    pub used: HashSet<&'static str>,
    /// The first stage-bank template drawn since [`Self::take_stage_template`] was last called,
    /// as `bank#index`: what a message's stage labels came from, so training can keep every
    /// variant of one template (its alternatives, variables and noise) on one side of a
    /// cross-fitting split ([`crate::dataset::LabelledConversation::message_groups`]). The index
    /// is the template's position in its language's list; the lists are written line for line
    /// in parallel, so a translation mostly shares its original's key.
    stage_template: Option<String>,
}

impl Ctx {
    pub fn new(rng: ChaCha8Rng, lang: Language) -> Self {
        Ctx {
            rng,
            lang,
            pool: Pool::All,
            vars: HashMap::new(),
            elder_a: false,
            side_topics: &["daily"],
            used: HashSet::new(),
            stage_template: None,
        }
    }

    /// Probability helper kept here so every random draw goes through the one seeded stream.
    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    pub fn range(&mut self, lo: usize, hi_inclusive: usize) -> usize {
        if hi_inclusive <= lo {
            lo
        } else {
            self.rng.random_range(lo..=hi_inclusive)
        }
    }

    /// The template list of `bank` to draw from in this conversation's language. A bank that
    /// has no line in the wanted language falls back to its language-neutral (`mx`) lines, then
    /// to the other language.
    fn list(&mut self, bank: &'static Bank) -> &'static [&'static str] {
        let primary: &'static [&'static str] = match self.lang {
            Language::En => &bank.en,
            Language::Id => &bank.id,
            Language::Mixed => {
                let r = self.rng.random::<f64>();
                if !bank.mx.is_empty() && r < 0.5 {
                    &bank.mx
                } else if r < 0.75 {
                    &bank.id
                } else {
                    &bank.en
                }
            }
        };
        [primary, &bank.mx, &bank.id, &bank.en].into_iter().find(|l| !l.is_empty()).unwrap_or(&[])
    }

    /// One random template of `list` from this conversation's pool, with its index.
    fn pick(&mut self, list: &'static [&'static str], split: bool) -> (usize, &'static str) {
        let eligible = (0..list.len()).filter(|&i| in_pool(self.pool, split, i, list.len())).count();
        if eligible == 0 {
            let i = self.rng.random_range(0..list.len());
            return (i, list[i]);
        }
        let k = self.rng.random_range(0..eligible);
        let i = (0..list.len()).filter(|&i| in_pool(self.pool, split, i, list.len())).nth(k).unwrap_or(0);
        (i, list[i])
    }

    /// The stage template drawn since the last call (see [`Ctx::stage_template`]), and forgets it.
    pub fn take_stage_template(&mut self) -> Option<String> {
        self.stage_template.take()
    }

    /// One random raw template of `name` (before expansion); empty for an unknown bank.
    pub fn template(&mut self, name: &str) -> &'static str {
        let Some(bank) = lexicon::bank(name) else {
            return "";
        };
        let fresh_only = !(name.starts_with("kid.") || name.starts_with("deco.") || name.starts_with("v."));
        let split = splits(name);
        let (mut index, mut pick) = (0, "");
        for _ in 0..12 {
            let list = self.list(bank);
            if list.is_empty() {
                return "";
            }
            (index, pick) = self.pick(list, split);
            if !fresh_only || !self.used.contains(pick) {
                break;
            }
        }
        if self.stage_template.is_none() && !stages_of(name).is_empty() {
            self.stage_template = Some(format!("{name}#{index}"));
        }
        // A small-talk bank this conversation has used up says nothing (the caller moves to
        // another topic) rather than repeat an exchange word for word.
        if fresh_only && name.starts_with("small.") && self.used.contains(pick) {
            return "";
        }
        if fresh_only {
            self.used.insert(pick);
        }
        pick
    }

    /// Expands a random template of bank `name`. Nested stage banks leave marks
    /// ([`take_marks`]); the bank's own stages are the caller's to apply.
    pub fn bank(&mut self, name: &str) -> String {
        self.bank_at(name, 0)
    }

    fn bank_at(&mut self, name: &str, depth: usize) -> String {
        if depth > MAX_DEPTH {
            return String::new();
        }
        let t = self.template(name);
        let body = self.expand_at(t, depth + 1);
        if depth == 0 {
            return body;
        }
        let marks: String =
            stages_of(name).iter().filter_map(|s| char::from_u32(MARK_BASE + s.index() as u32)).collect();
        if marks.is_empty() {
            body
        } else {
            marks + &body
        }
    }

    /// The value of conversation variable `name`, drawing it from `v.<name>` the first time.
    pub fn var(&mut self, name: &str) -> String {
        if let Some(v) = self.vars.get(name) {
            return v.clone();
        }
        let v = self.bank_at(&format!("v.{name}"), 1);
        self.vars.insert(name.to_string(), v.clone());
        v
    }

    #[cfg(test)]
    pub fn expand(&mut self, template: &str) -> String {
        self.expand_at(template, 0)
    }

    fn expand_at(&mut self, t: &str, depth: usize) -> String {
        let mut out = String::with_capacity(t.len() + 16);
        let mut i = 0;
        while i < t.len() {
            let rest = &t[i..];
            if rest.starts_with('[') {
                if let Some(end) = matching(t, i, b'[', b']') {
                    let alts = split_top(&t[i + 1..end]);
                    let pick = alts[self.rng.random_range(0..alts.len())];
                    let s = self.expand_at(pick, depth);
                    out.push_str(&s);
                    i = end + 1;
                    continue;
                }
            } else if rest.starts_with('{') {
                if let Some(end) = rest.find('}') {
                    let name = &rest[1..end];
                    let s = match name.strip_prefix('$') {
                        Some(v) => self.var(v),
                        None => self.bank_at(name, depth + 1),
                    };
                    out.push_str(&s);
                    i += end + 1;
                    continue;
                }
            }
            let Some(c) = rest.chars().next() else { break };
            out.push(c);
            i += c.len_utf8();
        }
        out
    }

    /// Draws a seed for a child generator (used by the obfuscator, which takes any RNG).
    pub fn next_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }
}

/// Index of the bracket closing the one at `open`, if balanced.
fn matching(t: &str, open: usize, l: u8, r: u8) -> Option<usize> {
    let mut depth = 0usize;
    for (j, &b) in t.as_bytes().iter().enumerate().skip(open) {
        if b == l {
            depth += 1;
        } else if b == r {
            depth -= 1;
            if depth == 0 {
                return Some(j);
            }
        }
    }
    None
}

/// Splits `s` at the `|` that are not nested inside another `[...]`.
fn split_top(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (j, b) in s.bytes().enumerate() {
        match b {
            b'[' => depth += 1,
            b']' => depth -= 1,
            b'|' if depth == 0 => {
                parts.push(&s[start..j]);
                start = j + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// Collapses the whitespace and stray punctuation that empty alternatives leave behind.
pub(super) fn tidy(s: &str) -> String {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = joined.replace(" ,", ",").replace(" .", ".").replace(",,", ",").replace(", ?", "?");
    while out.starts_with([',', '.', ' ']) {
        out.remove(0);
    }
    while out.ends_with([',', ' ']) {
        out.pop();
    }
    out
}

/// Number of surface forms a template's `[..|..]` alternatives spell out, counting each `{bank}`
/// reference as one slot (saturating, as nested alternatives multiply quickly).
pub(super) fn variants(t: &str) -> f64 {
    let mut total = 1.0f64;
    let mut i = 0;
    while i < t.len() {
        if t.as_bytes()[i] == b'[' {
            if let Some(end) = matching(t, i, b'[', b']') {
                let n: f64 = split_top(&t[i + 1..end]).into_iter().map(variants).sum();
                total *= n.max(1.0);
                i = end + 1;
                continue;
            }
        }
        i += 1;
    }
    total.min(1e12)
}

/// Every `{bank}` a template refers to (variables `{$x}` map to `v.x`), for the lexicon tests.
#[cfg(test)]
pub(super) fn references(t: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(s) = rest.find('{') {
        let Some(e) = rest[s..].find('}') else { break };
        let name = &rest[s + 1..s + e];
        out.push(match name.strip_prefix('$') {
            Some(v) => format!("v.{v}"),
            None => name.to_string(),
        });
        rest = &rest[s + e + 1..];
    }
    out
}

/// True when every `[` and `{` of a template is closed in order.
#[cfg(test)]
pub(super) fn balanced(t: &str) -> bool {
    let mut stack = Vec::new();
    for b in t.bytes() {
        match b {
            b'[' | b'{' => stack.push(b),
            b']' if stack.pop() != Some(b'[') => return false,
            b'}' if stack.pop() != Some(b'{') => return false,
            _ => {}
        }
    }
    stack.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn alternatives_nest_and_empty_ones_vanish() {
        let mut ctx = Ctx::new(ChaCha8Rng::seed_from_u64(1), Language::En);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            seen.insert(tidy(&ctx.expand("a [b|c [d|e]|] f")));
        }
        let want: std::collections::BTreeSet<String> =
            ["a b f", "a c d f", "a c e f", "a f"].iter().map(|s| s.to_string()).collect();
        assert_eq!(seen, want);
    }

    #[test]
    fn variables_are_drawn_once_per_conversation() {
        let mut ctx = Ctx::new(ChaCha8Rng::seed_from_u64(2), Language::Id);
        let first = ctx.expand("{$app}");
        assert!(!first.is_empty());
        for _ in 0..20 {
            assert_eq!(ctx.expand("{$app}"), first);
        }
    }

    #[test]
    fn nested_stage_banks_leave_marks_and_pools_are_disjoint() {
        let mut ctx = Ctx::new(ChaCha8Rng::seed_from_u64(3), Language::En);
        let (text, stages) = take_marks(&ctx.expand("lol ok. {sec.tell}"));
        assert_eq!(stages, vec![Stage::Secrecy]);
        assert!(text.starts_with("lol ok. ") && text.len() > 10, "{text}");
        assert_eq!(take_marks(&ctx.expand("{kid.ok}")).1, Vec::<Stage>::new());
        for i in 0..40 {
            assert_ne!(in_pool(Pool::Train, true, i, 40), in_pool(Pool::Heldout, true, i, 40));
            assert!(in_pool(Pool::Train, true, i, 5) && in_pool(Pool::Heldout, true, i, 5));
            assert!(in_pool(Pool::Train, false, i, 40) && in_pool(Pool::All, true, i, 40));
        }
    }

    #[test]
    fn tidy_and_references() {
        assert_eq!(tidy("  , hi  there ,"), "hi there");
        assert_eq!(references("x {a.b} y {$app}"), vec!["a.b".to_string(), "v.app".to_string()]);
        assert!(balanced("[a|{b}]"));
        assert!(!balanced("[a|{b]}"));
        assert_eq!(variants("a [b|c [d|e]|] {x} [f|g]"), 8.0);
    }
}
