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

use super::lexicon::{self, Bank};
use crate::dataset::Language;
use rand::{Rng, RngCore};
use rand_chacha::ChaCha8Rng;
use std::collections::{HashMap, HashSet};

/// Deepest nesting of `{bank}` expansions; deeper references are left empty (a bank that
/// refers to itself must not hang the generator).
const MAX_DEPTH: usize = 12;

/// Expansion state of one conversation.
pub(super) struct Ctx {
    pub rng: ChaCha8Rng,
    pub lang: Language,
    pub vars: HashMap<String, String>,
    /// Templates already used in this conversation: people rarely say the very same thing twice
    /// in one chat, so content banks avoid repeats (short replies and decoration may repeat).
    pub used: HashSet<&'static str>,
}

impl Ctx {
    pub fn new(rng: ChaCha8Rng, lang: Language) -> Self {
        Ctx { rng, lang, vars: HashMap::new(), used: HashSet::new() }
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
        let primary = match self.lang {
            Language::En => bank.en,
            Language::Id => bank.id,
            Language::Mixed => {
                let r = self.rng.random::<f64>();
                if !bank.mx.is_empty() && r < 0.45 {
                    bank.mx
                } else if r < 0.72 {
                    bank.id
                } else {
                    bank.en
                }
            }
        };
        [primary, bank.mx, bank.id, bank.en].into_iter().find(|l| !l.is_empty()).unwrap_or(&[])
    }

    /// One random raw template of `name` (before expansion); empty for an unknown bank.
    pub fn template(&mut self, name: &str) -> &'static str {
        let Some(bank) = lexicon::bank(name) else {
            return "";
        };
        let fresh_only = !(name.starts_with("kid.") || name.starts_with("deco.") || name.starts_with("v."));
        let mut pick = "";
        for _ in 0..5 {
            let list = self.list(bank);
            if list.is_empty() {
                return "";
            }
            pick = list[self.rng.random_range(0..list.len())];
            if !fresh_only || !self.used.contains(pick) {
                break;
            }
        }
        if fresh_only {
            self.used.insert(pick);
        }
        pick
    }

    /// Expands a random template of bank `name`.
    pub fn bank(&mut self, name: &str) -> String {
        self.bank_at(name, 0)
    }

    fn bank_at(&mut self, name: &str, depth: usize) -> String {
        if depth > MAX_DEPTH {
            return String::new();
        }
        let t = self.template(name);
        self.expand_at(t, depth + 1)
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
    fn tidy_and_references() {
        assert_eq!(tidy("  , hi  there ,"), "hi there");
        assert_eq!(references("x {a.b} y {$app}"), vec!["a.b".to_string(), "v.app".to_string()]);
        assert!(balanced("[a|{b}]"));
        assert!(!balanced("[a|{b]}"));
    }
}
