//! Surface noise: how a person types (abbreviations, typos, casing, elongations) and the
//! deliberate obfuscation someone uses to slip past a keyword filter.
//!
//! Noise is drawn per speaker, not per message, so a conversation has a consistent "voice" for
//! each participant the way real chat does, while the corpus as a whole covers many voices.

use crate::dataset::Language;
use rand::Rng;

/// A speaker's regional or social variety, applied word by word on top of the templates (which
/// are written in colloquial standard Indonesian and American or neutral English).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dialect {
    Standard,
    /// Jakarta slang: gue/lo.
    GueLo,
    /// Betawi: gue/lu, kagak, aje, udeh.
    Betawi,
    /// Javanese-flavoured Indonesian: ndak, ae, piye, lho, to.
    Jawa,
    /// Sundanese-flavoured Indonesian: wae, pisan, atuh, euy.
    Sunda,
    /// British English: mum, maths, favourite, mate.
    British,
}

impl Dialect {
    fn random<R: Rng>(rng: &mut R, lang: Language) -> Dialect {
        let r: f64 = rng.random();
        match lang {
            Language::En if r < 0.22 => Dialect::British,
            Language::En => Dialect::Standard,
            _ if r < 0.48 => Dialect::Standard,
            _ if r < 0.68 => Dialect::GueLo,
            _ if r < 0.76 => Dialect::Betawi,
            _ if r < 0.89 => Dialect::Jawa,
            _ => Dialect::Sunda,
        }
    }

    /// Word replacements: (word, replacements, chance per occurrence).
    fn words(self) -> &'static [(&'static str, &'static [&'static str], f64)] {
        match self {
            Dialect::Standard => &[],
            Dialect::GueLo => &[
                ("aku", &["gue", "gw", "gue"], 0.9),
                ("aq", &["gw"], 0.9),
                ("kamu", &["lo", "lu", "elo", "lo"], 0.9),
                ("km", &["lo", "lu"], 0.9),
                ("kmu", &["lo"], 0.9),
            ],
            Dialect::Betawi => &[
                ("aku", &["gue", "gua"], 0.9),
                ("kamu", &["lu", "elu", "lo"], 0.9),
                ("km", &["lu"], 0.9),
                ("nggak", &["kagak", "kaga", "kagak"], 0.7),
                ("gak", &["kagak", "kaga"], 0.6),
                ("ga", &["kaga", "kagak"], 0.6),
                ("tidak", &["kagak"], 0.6),
                ("aja", &["aje", "aje"], 0.6),
                ("udah", &["udeh", "dah"], 0.5),
                ("kenapa", &["ngapa", "ngapain"], 0.4),
                ("deh", &["dah"], 0.4),
            ],
            Dialect::Jawa => &[
                ("nggak", &["ndak", "ora", "gak"], 0.5),
                ("gak", &["ndak", "gak"], 0.4),
                ("tidak", &["ndak"], 0.4),
                ("aja", &["ae", "wae"], 0.5),
                ("saja", &["wae"], 0.4),
                ("gimana", &["piye", "gimana"], 0.5),
                ("udah", &["wis", "udah"], 0.3),
                ("banget", &["pol", "banget"], 0.25),
            ],
            Dialect::Sunda => &[
                ("aja", &["wae", "weh"], 0.5),
                ("saja", &["wae"], 0.4),
                ("banget", &["pisan", "pisan", "banget"], 0.5),
                ("bgt", &["pisan"], 0.4),
                ("gimana", &["kumaha", "gimana"], 0.3),
            ],
            Dialect::British => &[
                ("mom", &["mum"], 0.95),
                ("moms", &["mums"], 0.95),
                ("mommy", &["mummy"], 0.95),
                ("favorite", &["favourite"], 0.95),
                ("favorites", &["favourites"], 0.95),
                ("fav", &["fave", "fav"], 0.5),
                ("color", &["colour"], 0.95),
                ("math", &["maths"], 0.95),
                ("soccer", &["football"], 0.95),
                ("candy", &["sweets"], 0.95),
                ("vacation", &["holiday", "holidays"], 0.95),
                ("fries", &["chips"], 0.9),
                ("apartment", &["flat"], 0.9),
                ("awesome", &["brilliant", "class", "awesome"], 0.5),
                ("cool", &["cool", "sick", "class"], 0.3),
                ("really", &["proper", "really"], 0.15),
            ],
        }
    }

    /// Particles a speaker of this variety ends some messages with.
    fn particles(self) -> &'static [&'static str] {
        match self {
            Dialect::Standard => &[],
            Dialect::GueLo => &["sih", "anjir", "njir", "cuy", "deh", "sumpah"],
            Dialect::Betawi => &["dah", "ah", "nyak", "mah", "dong ah"],
            Dialect::Jawa => &["lho", "to", "yo", "rek", "og", "ya to"],
            Dialect::Sunda => &["atuh", "euy", "mah", "nya", "teh"],
            Dialect::British => &["mate", "tbh", "innit", "lol"],
        }
    }
}

/// How one participant types.
#[derive(Debug, Clone)]
pub(super) struct Style {
    /// Chance of replacing a word with its chat abbreviation ("you" → "u", "tidak" → "gak").
    pub abbrev: f64,
    /// Chance per long word of a typo (dropped, swapped or doubled letter).
    pub typo: f64,
    /// Chance of stretching the last word ("pleaseee", "iyaaa").
    pub elongate: f64,
    /// Lower-case everything (most chat), else capitalise the first letter.
    pub lowercase: bool,
    /// Chance of dropping the final punctuation.
    pub strip_punct: f64,
    pub dialect: Dialect,
    /// Chance of ending a message with one of the dialect's particles.
    pub particle: f64,
    /// An adult who calls themselves "om", "tante", "kakak" instead of "aku" (Indonesian only).
    pub self_title: Option<&'static str>,
}

impl Style {
    pub fn random<R: Rng>(rng: &mut R, young: bool, lang: Language) -> Style {
        let base = if young { 0.35 } else { 0.15 };
        Style {
            abbrev: rng.random_range(base * 0.3..base * 1.8),
            typo: rng.random_range(0.0..0.06),
            elongate: rng.random_range(0.0..if young { 0.18 } else { 0.06 }),
            lowercase: rng.random_bool(if young { 0.8 } else { 0.55 }),
            strip_punct: rng.random_range(0.2..0.9),
            dialect: Dialect::random(rng, lang),
            particle: rng.random_range(0.0..0.2),
            self_title: None,
        }
    }

    /// A careful writer: capitals, full words, hardly a typo (formal adults, staff).
    pub fn formal<R: Rng>(rng: &mut R, lang: Language) -> Style {
        Style {
            abbrev: rng.random_range(0.0..0.03),
            typo: rng.random_range(0.0..0.01),
            elongate: 0.0,
            lowercase: false,
            strip_punct: rng.random_range(0.0..0.2),
            dialect: if lang == Language::En && rng.random_bool(0.4) { Dialect::British } else { Dialect::Standard },
            particle: 0.0,
            self_title: None,
        }
    }
}

/// Chat abbreviations, English and Indonesian in one table: a word only matches in the language
/// it is written in, so one table serves code-mixed text too.
const ABBREV: &[(&str, &[&str])] = &[
    ("you", &["u", "u", "ya"]),
    ("your", &["ur", "ur", "yr"]),
    ("you're", &["ur", "youre", "u r"]),
    ("are", &["r"]),
    ("please", &["pls", "plz", "pleasee"]),
    ("because", &["bc", "cuz", "coz"]),
    ("really", &["rly", "realy"]),
    ("okay", &["ok", "k", "okie"]),
    ("though", &["tho"]),
    ("tomorrow", &["tmrw", "tmr", "tomoro"]),
    ("tonight", &["tn", "2nite"]),
    ("people", &["ppl"]),
    ("don't", &["dont", "dnt"]),
    ("i'm", &["im", "i m"]),
    ("what", &["wat", "wut", "wht"]),
    ("with", &["w", "wit"]),
    ("about", &["abt", "bout"]),
    ("something", &["smth", "sth"]),
    ("thanks", &["thx", "ty", "thankss"]),
    ("why", &["y"]),
    ("before", &["b4"]),
    ("message", &["msg"]),
    ("probably", &["prob", "prolly"]),
    ("going to", &["gonna"]),
    ("yang", &["yg"]),
    ("tidak", &["gak", "ga", "nggak", "ndak", "tdk"]),
    ("nggak", &["gak", "ga", "gk", "ngga", "enggak"]),
    ("gak", &["ga", "gk", "nggak", "g"]),
    ("sudah", &["udah", "udh", "dah"]),
    ("udah", &["udh", "dah", "uda"]),
    ("banget", &["bgt", "bngt", "bangettt"]),
    ("aku", &["aq", "ak", "akuu"]),
    ("kamu", &["km", "kmu", "kamuu"]),
    ("dengan", &["dgn", "sama"]),
    ("sama", &["sm", "ama"]),
    ("sekarang", &["skrg", "skg", "skrng"]),
    ("gimana", &["gmn", "gmna"]),
    ("kenapa", &["knp", "napa", "np"]),
    ("tahu", &["tau", "tw"]),
    ("juga", &["jg", "jga"]),
    ("lagi", &["lg"]),
    ("aja", &["aj", "ajah", "ae"]),
    ("bisa", &["bs", "bsa"]),
    ("sayang", &["syg", "sayank"]),
    ("makasih", &["mksh", "makasi", "maaciw", "makasii"]),
    ("belum", &["blm", "blom"]),
    ("mau", &["mo", "mw"]),
    ("tapi", &["tp", "tpi"]),
    ("buat", &["bwt", "bt"]),
    ("jangan", &["jgn", "jngn"]),
    ("berapa", &["brp", "brapa"]),
    ("dulu", &["dl", "dlu"]),
    ("nanti", &["ntar", "nnti", "ntr"]),
    ("pulang", &["plg"]),
    ("besok", &["bsk"]),
    ("kalau", &["kalo", "klo"]),
    ("kalo", &["klo", "kl"]),
    ("orang", &["org"]),
    ("untuk", &["utk", "buat"]),
    ("lihat", &["liat"]),
    ("sekolah", &["sklh", "skolah"]),
    ("ketemu", &["ktemu", "ktm"]),
    ("dong", &["donk", "dongg"]),
    ("iya", &["iy", "iyaa", "iyh"]),
    ("emang", &["emg", "mang"]),
    ("banyak", &["byk", "bnyk"]),
    ("soalnya", &["soalny", "sbnya"]),
    ("bilang", &["blg", "bilng"]),
    ("siapa", &["sp", "siapa"]),
    ("temen", &["tmn", "temn"]),
    ("gitu", &["gt", "gtu"]),
];

fn abbreviate(word: &str) -> Option<&'static [&'static str]> {
    ABBREV.iter().find(|(w, _)| *w == word).map(|(_, v)| *v)
}

/// Restyles a message in the speaker's voice.
pub(super) fn restyle<R: Rng>(text: &str, style: &Style, rng: &mut R) -> String {
    let mut words: Vec<String> = Vec::new();
    let dialect_words = style.dialect.words();
    for raw in text.split(' ') {
        let (core, tail) = split_trailing_punct(raw);
        let mut lower = core.to_lowercase();
        let mut w = core.to_string();
        if let Some((_, alts, p)) = dialect_words.iter().find(|(from, _, _)| *from == lower) {
            if rng.random_bool(*p) {
                w = alts[rng.random_range(0..alts.len())].to_string();
                lower = w.clone();
            }
        }
        if let Some(title) = style.self_title {
            if lower == "aku" && rng.random_bool(0.7) {
                w = title.to_string();
                lower = w.clone();
            }
        }
        if let Some(alts) = abbreviate(&lower) {
            if rng.random_bool(style.abbrev) {
                w = alts[rng.random_range(0..alts.len())].to_string();
            }
        }
        if w.chars().count() >= 5 && w.chars().all(char::is_alphabetic) && rng.random_bool(style.typo) {
            w = typo(&w, rng);
        }
        words.push(format!("{w}{tail}"));
    }
    let particles = style.dialect.particles();
    if !particles.is_empty() && words.len() >= 2 && rng.random_bool(style.particle) {
        let p = particles[rng.random_range(0..particles.len())];
        if let Some(last) = words.last_mut() {
            let (core, tail) = split_trailing_punct(last);
            *last = format!("{core} {p}{tail}");
        }
    }
    let short = words.len() <= 5;
    if let Some(last) = words.last_mut() {
        if short && rng.random_bool(style.elongate) {
            *last = elongate(last, rng);
        }
    }
    let mut s = words.join(" ");
    if style.lowercase {
        s = s.to_lowercase();
    } else if let Some(first) = s.chars().next() {
        s = first.to_uppercase().collect::<String>() + &s[first.len_utf8()..];
    }
    if s.ends_with('.') && rng.random_bool(style.strip_punct) {
        s.pop();
    } else if s.ends_with('?') && rng.random_bool(0.15) {
        s.push_str(if rng.random_bool(0.5) { "?" } else { "??" });
    } else if s.ends_with('?') && rng.random_bool(style.strip_punct * 0.3) {
        s.pop();
    }
    s
}

fn split_trailing_punct(w: &str) -> (&str, &str) {
    let cut = w.trim_end_matches(|c: char| c.is_ascii_punctuation() && c != '\'').len();
    w.split_at(cut)
}

fn typo<R: Rng>(w: &str, rng: &mut R) -> String {
    let mut cs: Vec<char> = w.chars().collect();
    let i = rng.random_range(1..cs.len() - 1);
    match rng.random_range(0..3) {
        0 => {
            cs.remove(i);
        }
        1 => cs.swap(i, i + 1),
        _ => cs.insert(i, cs[i]),
    }
    cs.into_iter().collect()
}

fn elongate<R: Rng>(w: &str, rng: &mut R) -> String {
    let (core, tail) = split_trailing_punct(w);
    // People stretch vowels and soft endings ("pleaseee", "iyaaa", "ohhh"), not "gg".
    match core.chars().last() {
        Some(c) if core.chars().count() >= 2 && "aeiouyhs".contains(c) => {
            let n = rng.random_range(1..4);
            format!("{core}{}{tail}", c.to_string().repeat(n))
        }
        _ => w.to_string(),
    }
}

/// Look-alike letters from other scripts (Cyrillic), the usual trick against word filters.
const HOMOGLYPHS: &[(char, char)] =
    &[('a', 'а'), ('e', 'е'), ('o', 'о'), ('p', 'р'), ('c', 'с'), ('i', 'і'), ('x', 'х'), ('y', 'у')];

const LEET: &[(char, char)] = &[('a', '4'), ('e', '3'), ('i', '1'), ('o', '0'), ('s', '5')];

const ZERO_WIDTH: char = '\u{200B}';

/// Lightly obfuscates `text` the way people dodge keyword filters: leetspeak, zero-width
/// characters inside words, s p a c e d letters, or look-alike letters from another script.
/// One technique per call; the result always differs from a non-empty input, so evaluation can
/// rely on it to build an "obfuscated" variant of any set.
pub fn obfuscate<R: Rng + ?Sized>(text: &str, rng: &mut R) -> String {
    if text.is_empty() {
        return String::new();
    }
    let out = match rng.random_range(0..4) {
        0 => map_some(text, LEET, rng),
        1 => map_some(text, HOMOGLYPHS, rng),
        2 => spaced_word(text),
        _ => zero_width(text, rng),
    };
    if out == text {
        zero_width(text, rng)
    } else {
        out
    }
}

fn map_some<R: Rng + ?Sized>(text: &str, table: &[(char, char)], rng: &mut R) -> String {
    text.chars()
        .map(|c| match table.iter().find(|(from, _)| *from == c) {
            Some(&(_, to)) if rng.random_bool(0.6) => to,
            _ => c,
        })
        .collect()
}

/// Spaces out the letters of the longest word: "r a h a s i a".
fn spaced_word(text: &str) -> String {
    let Some(longest) = text.split(' ').max_by_key(|w| w.chars().count()) else {
        return text.to_string();
    };
    if longest.chars().count() < 3 {
        return text.to_string();
    }
    let spaced = longest.chars().map(String::from).collect::<Vec<_>>().join(" ");
    text.replacen(longest, &spaced, 1)
}

fn zero_width<R: Rng + ?Sized>(text: &str, rng: &mut R) -> String {
    let mut out = String::with_capacity(text.len() + 12);
    let mut prev_alpha = false;
    let mut inserted = false;
    for c in text.chars() {
        if prev_alpha && c.is_alphanumeric() && (rng.random_bool(0.3) || !inserted) {
            out.push(ZERO_WIDTH);
            inserted = true;
        }
        out.push(c);
        prev_alpha = c.is_alphanumeric();
    }
    if !inserted {
        out.push(ZERO_WIDTH);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// Undoes every obfuscation technique (for letters-only input).
    fn clear(s: &str) -> String {
        s.chars()
            .filter(|&c| c != ZERO_WIDTH && c != ' ')
            .map(|c| HOMOGLYPHS.iter().chain(LEET).find(|(_, to)| *to == c).map_or(c, |&(from, _)| from))
            .collect()
    }

    #[test]
    fn obfuscation_changes_the_text_but_keeps_its_letters() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let input = "jangan bilang siapa siapa ini rahasia";
        let mut kinds = std::collections::HashSet::new();
        for _ in 0..200 {
            let o = obfuscate(input, &mut rng);
            assert_ne!(o, input);
            assert_eq!(clear(&o), clear(input));
            kinds.insert((o.contains(ZERO_WIDTH), o.chars().any(|c| c.is_ascii_digit()), o.contains("r a h a s i a")));
        }
        assert!(kinds.len() >= 3, "techniques seen: {kinds:?}");
        assert_eq!(obfuscate("", &mut rng), "");
        assert_ne!(obfuscate("k", &mut rng), "k");
    }

    #[test]
    fn restyle_abbreviates_and_lowercases() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let style = Style {
            abbrev: 1.0,
            typo: 0.0,
            elongate: 0.0,
            lowercase: true,
            strip_punct: 1.0,
            dialect: Dialect::Standard,
            particle: 0.0,
            self_title: None,
        };
        assert_eq!(restyle("Are you sure, kamu tidak mau?", &style, &mut rng).split(' ').next(), Some("r"));
        let s = restyle("Kamu udah makan.", &style, &mut rng);
        assert!(!s.starts_with("kamu ") && !s.ends_with('.'), "{s}");
    }

    #[test]
    fn dialects_and_titles_change_words() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let plain = Style {
            abbrev: 0.0,
            typo: 0.0,
            elongate: 0.0,
            lowercase: true,
            strip_punct: 0.0,
            dialect: Dialect::GueLo,
            particle: 0.0,
            self_title: None,
        };
        let mut seen = std::collections::HashSet::new();
        for _ in 0..50 {
            seen.extend(restyle("aku tunggu kamu ya", &plain, &mut rng).split(' ').map(str::to_string));
        }
        assert!(seen.contains("gue") || seen.contains("gw"), "{seen:?}");
        assert!(seen.contains("lo") || seen.contains("lu"), "{seen:?}");
        let titled = Style { dialect: Dialect::Standard, self_title: Some("om"), ..plain.clone() };
        assert!((0..50).any(|_| restyle("nanti aku jemput", &titled, &mut rng) == "nanti om jemput"));
        let british = Style { dialect: Dialect::British, ..plain };
        assert_eq!(restyle("my mom loves math", &british, &mut rng), "my mum loves maths");
    }
}
