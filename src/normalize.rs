//! Text normalisation (pure): the canonical form the model reads.
//!
//! Children's chat is noisy on purpose: people who groom children dodge keyword filters with
//! look-alike letters, invisible characters, leetspeak and spaced-out words, and teenagers write
//! stretched words and emoji runs. A multilingual encoder (e5) tokenises each of those variants
//! into different, rarer sub-words, so the same manipulation pattern lands in different places of
//! embedding space. [`normalize`] maps the variants back onto the plain spelling so that
//! `"r4h4s14 y4"`, `"r.a.h.a.s.i.a ya"` and `"rаhаsіа ya"` (Cyrillic а/і) all read `"rahasia ya"`.
//!
//! The rules run in this order, each one documented where it is implemented:
//!
//! 1. Unicode NFKC ([`unicode_normalization`]), done as NFKD, cleanup, NFC: fullwidth,
//!    mathematical alphanumerics, ligatures and compatibility forms become their plain letters.
//! 2. Character cleanup (`clean_chars`), between the two halves of NFKC: invisible and
//!    bidi-control characters go, whitespace and line breaks become spaces, and accents and other
//!    combining marks on Latin letters go.
//! 3. Homoglyph folding and lowercasing (`fold_token`).
//! 4. Re-joining spaced-out words (`join_spaced`).
//! 5. Leetspeak folding inside words that mix letters with digits or symbols (`fold_leet`).
//! 6. Collapsing stretched letters and repeated punctuation/emoji (`collapse_runs`).
//! 7. One space between tokens, trimmed.
//!
//! URL- and email-like tokens skip rules 4 to 6: their digits and repeated letters are meaningful
//! and not obfuscation.
//!
//! The original text is kept elsewhere (for evidence excerpts, see [`excerpt`]); this function only
//! produces the model's input. It is deterministic and never panics, whatever the input.

use unicode_normalization::UnicodeNormalization;

/// Returns the canonical text for the model.
pub fn normalize(text: &str) -> String {
    // NFKD + cleanup + NFC is NFKC, with the chance to drop accents on Latin letters in between.
    let decomposed: String = text.nfkd().collect();
    let cleaned: String = clean_chars(&decomposed).nfc().collect();
    // Split on single spaces (keeping empty pieces) so the spacing survives for `join_spaced`.
    let folded: Vec<String> = cleaned.split(' ').map(fold_token).collect();
    let joined = join_spaced(&folded.join(" "));
    let mut out = String::with_capacity(cleaned.len());
    for token in &joined {
        let processed = if is_url_like(token) { token.clone() } else { collapse_runs(&fold_leet(token)) };
        if processed.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&processed);
    }
    out
}

/// A short excerpt of the ORIGINAL text: at most `max_chars` characters, cut on a character
/// boundary (never inside a UTF-8 sequence, never between a letter and its combining marks), with
/// `…` appended when cut. Only used when excerpts are configured, so that reviewers can read what
/// drove a score without the event carrying whole messages.
pub fn excerpt(original: &str, max_chars: usize) -> String {
    let trimmed = original.trim();
    if trimmed.chars().count() <= max_chars {
        return trimmed.to_string();
    }
    if max_chars == 0 {
        return String::new();
    }
    // Keep room for the ellipsis so the result never exceeds `max_chars`.
    let keep = max_chars - 1;
    let mut end = trimmed.char_indices().nth(keep).map_or(trimmed.len(), |(i, _)| i);
    // Back off over combining marks so a base letter is not separated from its accents.
    while end > 0 {
        let next = trimmed[end..].chars().next();
        match next {
            Some(c) if unicode_normalization::char::is_combining_mark(c) => {
                end = trimmed[..end].char_indices().next_back().map_or(0, |(i, _)| i);
            }
            _ => break,
        }
    }
    let mut out = trimmed[..end].trim_end().to_string();
    out.push('…');
    out
}

/// Characters that render as nothing and exist in chat mainly to split words so filters miss them
/// (zero-width space/joiners, word joiner and invisible operators, BOM, soft hyphen, Mongolian
/// vowel separator, Hangul fillers used for "blank" text, variation selectors that only pick emoji
/// vs text presentation, and tag characters), plus the bidi controls that reorder what a reader sees
/// (U+202A..202E, U+2066..2069, LRM/RLM, Arabic letter mark).
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{E0000}'..='\u{E007F}')
}

/// Latin letters, including the accented ranges that NFKC leaves composed.
fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || (c.is_alphabetic()
            && matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}')
            && c != '\u{00D7}'
            && c != '\u{00F7}')
}

/// Rule 2, on NFKD text. Drops invisible/bidi/control characters (they carry no meaning and split
/// words), turns every kind of whitespace, including line breaks, into a space (a message is one
/// utterance; runs are collapsed later, after `join_spaced` has used them as word boundaries), and
/// drops combining marks on a Latin base letter. Neither English nor Indonesian spells with
/// accents, so on Latin letters they are decoration: `sécrét`, "zalgo" or strike-through text
/// (`s̶e̶c̶r̶e̶t̶`). Marks on other scripts are kept, where they spell.
fn clean_chars(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Whether the last kept base character was Latin (or ASCII), so its marks are decoration.
    let mut latin_base = false;
    for c in text.chars() {
        if is_invisible(c) {
            continue;
        }
        if c.is_whitespace() {
            out.push(' ');
            latin_base = false;
            continue;
        }
        if c.is_control() {
            continue;
        }
        if unicode_normalization::char::is_combining_mark(c) {
            if !latin_base {
                out.push(c);
            }
            continue;
        }
        latin_base = c.is_ascii() || is_latin_letter(c);
        out.push(c);
    }
    out
}

/// Cyrillic and Greek letters that look like a Latin letter, with that letter (lowercase, since
/// the text is lowercased anyway). Upper- and lowercase are both listed because some capitals only
/// look Latin as capitals (Cyrillic Н, В, М, Т; Greek Η, Ν).
fn homoglyph(c: char) -> Option<char> {
    let latin = match c {
        // Cyrillic lowercase.
        'а' => 'a',
        'е' => 'e',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'х' => 'x',
        'у' => 'y',
        'і' => 'i',
        'ѕ' => 's',
        'ј' => 'j',
        'ԁ' => 'd',
        'ԛ' => 'q',
        'ѵ' => 'v',
        'ԝ' => 'w',
        'һ' => 'h',
        'ӏ' => 'l',
        'ё' => 'e',
        'ї' => 'i',
        // Cyrillic uppercase.
        'А' => 'a',
        'В' => 'b',
        'Е' => 'e',
        'К' => 'k',
        'М' => 'm',
        'Н' => 'h',
        'О' => 'o',
        'Р' => 'p',
        'С' => 'c',
        'Т' => 't',
        'Х' => 'x',
        'У' => 'y',
        'І' => 'i',
        'Ѕ' => 's',
        'Ј' => 'j',
        'Ԁ' => 'd',
        'Ԛ' => 'q',
        'Ѵ' => 'v',
        'Ԝ' => 'w',
        'Һ' => 'h',
        'Ӏ' => 'l',
        // Greek lowercase.
        'α' => 'a',
        'ο' => 'o',
        'ρ' => 'p',
        'ν' => 'v',
        'ι' => 'i',
        'κ' => 'k',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        'ε' => 'e',
        'η' => 'n',
        'ω' => 'w',
        'ϲ' => 'c',
        // Greek uppercase.
        'Α' => 'a',
        'Β' => 'b',
        'Ε' => 'e',
        'Ζ' => 'z',
        'Η' => 'h',
        'Ι' => 'i',
        'Κ' => 'k',
        'Μ' => 'm',
        'Ν' => 'n',
        'Ο' => 'o',
        'Ρ' => 'p',
        'Τ' => 't',
        'Υ' => 'y',
        'Χ' => 'x',
        // Latin look-alikes outside ASCII that NFKC keeps.
        'ı' => 'i',
        'ɡ' => 'g',
        'ℓ' => 'l',
        _ => return None,
    };
    Some(latin)
}

/// Rule 3. Lowercases a whitespace token and folds its look-alike letters to Latin, but only when
/// every letter of the token is Latin or a look-alike: a token that mixes scripts that way is an
/// obfuscated Latin word (`"rаhаsіа"` with Cyrillic а/і), while a real Greek or Cyrillic word
/// almost always contains letters with no Latin twin and is left as written.
fn fold_token(token: &str) -> String {
    let foldable = token.chars().any(|c| homoglyph(c).is_some())
        && token.chars().filter(|c| c.is_alphabetic()).all(|c| is_latin_letter(c) || homoglyph(c).is_some());
    let mut out = String::with_capacity(token.len());
    for c in token.chars() {
        match homoglyph(c).filter(|_| foldable) {
            Some(latin) => out.push(latin),
            None => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Whether a token looks like a URL, domain or email: leetspeak and run rules would corrupt it.
fn is_url_like(token: &str) -> bool {
    let t = token.trim_end_matches(|c: char| c.is_ascii_punctuation() && c != '/');
    if t.contains("://") || t.starts_with("www.") {
        return true;
    }
    if let Some(at) = t.find('@') {
        if at > 0 && t[at..].contains('.') {
            return true;
        }
    }
    if t.contains('.') && t.contains('/') {
        return true;
    }
    const TLDS: [&str; 9] = [".com", ".id", ".net", ".org", ".co", ".io", ".me", ".ly", ".gg"];
    t.contains('.') && TLDS.iter().any(|tld| t.ends_with(tld) && t.len() > tld.len())
}

/// Punctuation between the letters of a spaced-out word (`r.a.h.a.s.i.a`, `j-a-n-g-a-n`).
fn is_spacing_punct(c: char) -> bool {
    matches!(c, '.' | '-' | '_' | '*')
}

/// Digits and symbols that stand for letters in leetspeak, with the letter.
fn leet(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        '8' => 'b',
        '@' => 'a',
        '$' => 's',
        '!' => 'i',
        _ => return None,
    })
}

/// One unit of a spaced-out word: a letter, or a leet digit/`@`/`$` (so `s 3 c r 3 t` re-joins).
fn is_spaced_unit(c: char) -> bool {
    c.is_alphabetic() || (c != '!' && leet(c).is_some())
}

/// Rule 4. Re-joins words spelled one character at a time, because the encoder sees `s e c r e t`
/// as six unrelated one-letter tokens. A run needs at least three letters (leet digits may add to
/// the run but do not count), each unit a lone character, separated by ONE space, or by one of
/// `.`, `-`, `_`, `*` optionally followed by one space (`S. E. C. R. E. T`). A double space ends a
/// run, so `d a n  j a n g a n` reads `dan jangan`. Three is the floor because EN/ID chat has
/// one- and two-letter words and abbreviations in a row ("i u", "e.g.", "y g") but hardly ever
/// three single letters. It runs on the whole message (runs cross whitespace); characters of
/// URL-like tokens are never part of a run. Returns the whitespace-separated tokens.
fn join_spaced(text: &str) -> Vec<String> {
    // Chars, and whether each belongs to a URL-like token.
    let mut chars: Vec<char> = Vec::with_capacity(text.len());
    let mut in_url: Vec<bool> = Vec::with_capacity(text.len());
    for (i, piece) in text.split(' ').enumerate() {
        if i > 0 {
            chars.push(' ');
            in_url.push(false);
        }
        let url = is_url_like(piece);
        for c in piece.chars() {
            chars.push(c);
            in_url.push(url);
        }
    }
    let word_char = |i: usize| -> bool { chars.get(i).is_some_and(|&c| c.is_alphanumeric() || matches!(c, '@' | '$')) };
    // A lone unit at `i`: a spacing unit with no word character directly before or after it.
    let lone_unit = |i: usize| -> bool {
        chars.get(i).is_some_and(|&c| is_spaced_unit(c))
            && !in_url.get(i).copied().unwrap_or(true)
            && (i == 0 || !word_char(i - 1))
            && !word_char(i + 1)
    };
    // Where the next unit would start after the separator at `j`, if `j` holds a separator.
    let after_sep = |j: usize| -> Option<usize> {
        match chars.get(j) {
            Some(' ') => Some(j + 1),
            Some(&c) if is_spacing_punct(c) => Some(if chars.get(j + 1) == Some(&' ') { j + 2 } else { j + 1 }),
            _ => None,
        }
    };

    let mut out = String::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        if lone_unit(i) {
            let mut units = vec![i];
            let mut j = i + 1;
            while let Some(k) = after_sep(j).filter(|&k| lone_unit(k)) {
                units.push(k);
                j = k + 1;
            }
            let letters = units.iter().filter(|&&u| chars[u].is_alphabetic()).count();
            if letters >= 3 {
                out.extend(units.iter().map(|&u| chars[u]));
                i = j;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out.split_whitespace().map(str::to_string).collect()
}

/// Number-with-unit prefixes: a word like `jam7`, `kelas8`, `rp5`, `mp3` is a quantity, not leet.
const UNIT_PREFIXES: &[&str] = &[
    "rp", "usd", "idr", "jam", "kelas", "kls", "umur", "usia", "no", "mp", "ps", "ver", "v", "ch", "bab", "lantai",
    "lt", "smp", "sd", "sma", "covid", "win", "gen",
];

/// Number-with-unit suffixes: `50k`, `100rb`, `3pm`, `13yo`, `2nd`, `5g`, `1080p` are quantities.
const UNIT_SUFFIXES: &[&str] = &[
    "k", "rb", "ribu", "jt", "juta", "m", "km", "kg", "cm", "mm", "gb", "mb", "tb", "am", "pm", "st", "nd", "rd", "th",
    "x", "yo", "y", "thn", "tahun", "an", "s", "d", "h", "g", "p", "hr", "hrs", "jam", "mnt", "menit", "min", "dtk",
    "detik", "pcs", "hari", "bln", "bulan", "minggu", "fps", "ml", "l", "gr", "lbs", "kali",
];

/// Whether a word is a quantity (`50k`, `rp50`, `jam7`, `13yo`, `$5k`, `covid19`) rather than
/// leetspeak: letters, ONE run of digits, letters, where the digits sit at one end (or both ends
/// are known units), and either there are two or more digits or the letters are a known unit.
/// A single digit glued to ordinary letters (`4ku`, `rahasi4`) is treated as leet.
fn is_quantity(word: &[char]) -> bool {
    let word = match word.first() {
        Some('$') if word.get(1).is_some_and(char::is_ascii_digit) => &word[1..],
        _ => word,
    };
    let start = word.iter().position(char::is_ascii_digit);
    let end = word.iter().rposition(char::is_ascii_digit);
    let (Some(start), Some(end)) = (start, end) else {
        return false;
    };
    let digits = &word[start..=end];
    let prefix = &word[..start];
    let suffix = &word[end + 1..];
    if !digits.iter().all(char::is_ascii_digit)
        || !prefix.iter().all(|c| c.is_alphabetic())
        || !suffix.iter().all(|c| c.is_alphabetic())
    {
        return false;
    }
    let prefix: String = prefix.iter().collect();
    let suffix: String = suffix.iter().collect();
    let known_prefix = UNIT_PREFIXES.contains(&prefix.as_str());
    let known_suffix = UNIT_SUFFIXES.contains(&suffix.as_str());
    let one_end = prefix.is_empty() || suffix.is_empty();
    (one_end || (known_prefix && known_suffix)) && (digits.len() >= 2 || known_prefix || known_suffix)
}

/// Rule 5. Folds leetspeak (`0→o 1→i 3→e 4→a 5→s 7→t 8→b @→a $→s !→i`) only inside words that mix
/// letters with those digits/symbols: `s3cr3t`, `r4h4s14`, `p1c`, `@ku`. Words with no letter
/// (`4`, `13`, `2026`, `$50`, `10.000`) and quantities ([`is_quantity`]: `50k`, `rp50`, `13yo`)
/// stay as written, because ages, prices and times are exactly what the detector must read.
/// `!` counts only between word characters, so `hai!` keeps its exclamation mark.
fn fold_leet(token: &str) -> String {
    let chars: Vec<char> = token.chars().collect();
    let is_word = |c: char| c.is_alphanumeric() || matches!(c, '@' | '$' | '!');
    let mut out = String::with_capacity(token.len());
    let mut i = 0;
    while i < chars.len() {
        if !is_word(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && is_word(chars[j]) {
            j += 1;
        }
        // Leading and trailing `!` are punctuation, not letters.
        let mut s = i;
        while s < j && chars[s] == '!' {
            s += 1;
        }
        let mut e = j;
        while e > s && chars[e - 1] == '!' {
            e -= 1;
        }
        out.extend(&chars[i..s]);
        let word = &chars[s..e];
        let has_letter = word.iter().any(|c| c.is_alphabetic());
        let has_leet = word.iter().any(|&c| leet(c).is_some());
        if has_letter && has_leet && !is_quantity(word) {
            out.extend(word.iter().map(|&c| leet(c).unwrap_or(c)));
        } else {
            out.extend(word);
        }
        out.extend(&chars[e..j]);
        i = j;
    }
    out
}

/// Rule 6. Stretched letters (`pleaseeee`, `sayanggggg`, `kakkkk`) become two, not one, so real
/// doubles (`good`, `ngg`, `aku sayang`) are untouched and the stretch stays visible as emphasis.
/// Repeated punctuation and emoji (`!!!!!!`, `😂😂😂😂😂`) keep at most three: emphasis survives,
/// but the sequence cannot crowd the encoder's 512-token window. Digits are never collapsed.
fn collapse_runs(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    let mut prev: Option<char> = None;
    let mut run = 0usize;
    for c in token.chars() {
        if Some(c) == prev {
            run += 1;
        } else {
            prev = Some(c);
            run = 1;
        }
        let max = if c.is_alphabetic() {
            2
        } else if c.is_numeric() {
            usize::MAX
        } else {
            3
        };
        if run <= max {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn nfkc_folds_fullwidth_and_math_letters() {
        assert_eq!(normalize("ＲＡＨＡＳＩＡ"), "rahasia");
        assert_eq!(normalize("𝐬𝐞𝐜𝐫𝐞𝐭 𝓹𝓵𝓼"), "secret pls");
        assert_eq!(normalize("ﬁne"), "fine");
    }

    #[test]
    fn strips_zero_width_and_bidi_controls() {
        assert_eq!(normalize("ra\u{200B}ha\u{200C}sia"), "rahasia");
        assert_eq!(normalize("se\u{2060}cr\u{FEFF}et"), "secret");
        assert_eq!(normalize("\u{202E}jangan\u{202C} bilang"), "jangan bilang");
        assert_eq!(normalize("ma\u{2066}ma\u{2069}"), "mama");
        assert_eq!(normalize("pa\u{00AD}pa"), "papa");
    }

    #[test]
    fn control_chars_dropped_and_newlines_become_spaces() {
        assert_eq!(normalize("hai\nkak\r\n\tapa kabar"), "hai kak apa kabar");
        assert_eq!(normalize("se\u{0007}cret\u{0000}"), "secret");
    }

    #[test]
    fn folds_cyrillic_and_greek_homoglyphs() {
        // Cyrillic а, і and Greek ο, ν inside otherwise Latin words.
        assert_eq!(normalize("rаhаsіа"), "rahasia");
        assert_eq!(normalize("ѕесrеt"), "secret");
        assert_eq!(normalize("lονe yοu"), "love you");
        assert_eq!(normalize("КАМU"), "kamu");
    }

    #[test]
    fn real_greek_or_cyrillic_words_are_not_folded() {
        // Contain letters with no Latin twin (λ, π, и), so they are genuine words.
        assert_eq!(normalize("Καλημέρα"), "καλημέρα");
        assert_eq!(normalize("привет"), "привет");
    }

    #[test]
    fn lowercases() {
        assert_eq!(normalize("Jangan Bilang MAMA"), "jangan bilang mama");
        assert_eq!(normalize("DON'T Tell"), "don't tell");
    }

    #[test]
    fn folds_leet_inside_mixed_words() {
        assert_eq!(normalize("s3cr3t"), "secret");
        assert_eq!(normalize("r4h4s14"), "rahasia");
        assert_eq!(normalize("send a p1c"), "send a pic");
        assert_eq!(normalize("@ku sayang k4mu"), "aku sayang kamu");
        assert_eq!(normalize("$ecret"), "secret");
        assert_eq!(normalize("k!ta ketemu"), "kita ketemu");
        assert_eq!(normalize("4ku"), "aku");
        assert_eq!(normalize("rahasi4 ya"), "rahasia ya");
    }

    #[test]
    fn numbers_prices_and_quantities_are_kept() {
        assert_eq!(normalize("4 kids"), "4 kids");
        assert_eq!(normalize("umur 13"), "umur 13");
        assert_eq!(normalize("tahun 2026"), "tahun 2026");
        assert_eq!(normalize("Rp50.000 aja"), "rp50.000 aja");
        assert_eq!(normalize("pulsa 50k"), "pulsa 50k");
        assert_eq!(normalize("100rb buat kamu"), "100rb buat kamu");
        assert_eq!(normalize("jam7 di taman"), "jam7 di taman");
        assert_eq!(normalize("kelas8"), "kelas8");
        assert_eq!(normalize("im 13yo"), "im 13yo");
        assert_eq!(normalize("at 3pm"), "at 3pm");
        assert_eq!(normalize("$50 gift card"), "$50 gift card");
        assert_eq!(normalize("$5k"), "$5k");
        assert_eq!(normalize("hati2 ya"), "hati2 ya");
        assert_eq!(normalize("mp3"), "mp3");
    }

    #[test]
    fn exclamation_at_word_edges_is_punctuation() {
        assert_eq!(normalize("hai!"), "hai!");
        assert_eq!(normalize("!!wow"), "!!wow");
    }

    #[test]
    fn url_like_tokens_are_kept() {
        assert_eq!(normalize("cek https://example.org/a1b3?x=44"), "cek https://example.org/a1b3?x=44");
        assert_eq!(normalize("www.t3st.com"), "www.t3st.com");
        assert_eq!(normalize("mail me n4ma@example.com"), "mail me n4ma@example.com");
        assert_eq!(normalize("b1t.ly/x7"), "b1t.ly/x7");
    }

    #[test]
    fn collapses_letter_runs_to_two() {
        assert_eq!(normalize("pleaseeee"), "pleasee");
        assert_eq!(normalize("sayanggggg"), "sayangg");
        assert_eq!(normalize("good"), "good");
        assert_eq!(normalize("tunggu"), "tunggu");
        assert_eq!(normalize("hmmmmm okk"), "hmm okk");
    }

    #[test]
    fn collapses_punctuation_and_emoji_runs_to_three() {
        assert_eq!(normalize("really!!!!!!"), "really!!!");
        assert_eq!(normalize("lucu 😂😂😂😂😂"), "lucu 😂😂😂");
        assert_eq!(normalize("ok ❤️❤️"), "ok ❤❤");
        assert_eq!(normalize("1000000"), "1000000");
    }

    #[test]
    fn emoji_are_kept() {
        assert_eq!(normalize("hai 😊"), "hai 😊");
        assert_eq!(normalize("🎁 buat kamu"), "🎁 buat kamu");
    }

    #[test]
    fn rejoins_spaced_out_words() {
        assert_eq!(normalize("s e c r e t"), "secret");
        assert_eq!(normalize("ini r.a.h.a.s.i.a ya"), "ini rahasia ya");
        assert_eq!(normalize("j-a-n-g-a-n bilang"), "jangan bilang");
        assert_eq!(normalize("S. E. C. R. E. T"), "secret");
        assert_eq!(normalize("s 3 c r 3 t"), "secret");
        assert_eq!(normalize("d a n  j a n g a n"), "dan jangan");
    }

    #[test]
    fn short_single_letter_sequences_are_not_joined() {
        assert_eq!(normalize("i u"), "i u");
        assert_eq!(normalize("e.g. this"), "e.g. this");
        assert_eq!(normalize("y g 4"), "y g 4");
        assert_eq!(normalize("a big dog"), "a big dog");
    }

    #[test]
    fn spaced_homoglyphs_and_leet_combine() {
        assert_eq!(normalize("r а h а s і а"), "rahasia");
        assert_eq!(normalize("ＪＡＮＧＡＮ  b1lang  mama!!!!"), "jangan bilang mama!!!");
    }

    #[test]
    fn accents_and_zalgo_on_latin_are_dropped_but_marks_elsewhere_kept() {
        assert_eq!(normalize("s\u{0336}e\u{0336}c\u{0336}r\u{0336}e\u{0336}t\u{0336}"), "secret");
        assert_eq!(normalize("ka\u{0301}\u{0302}\u{0303}mu"), "kamu");
        // Precomposed accents on Latin letters go too: EN/ID do not spell with them.
        assert_eq!(normalize("sécrét"), "secret");
        assert_eq!(normalize("café"), "cafe");
        // Korean syllables decompose under NFKD and must come back whole.
        assert_eq!(normalize("안녕"), "안녕");
        // Devanagari vowel sign is spelling, not decoration.
        assert_eq!(normalize("कि"), "कि");
    }

    #[test]
    fn whitespace_collapsed_and_trimmed() {
        assert_eq!(normalize("   hai\u{00A0}\u{3000}kak   "), "hai kak");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize(" \u{200B} \n "), "");
    }

    #[test]
    fn is_deterministic_and_idempotent_on_examples() {
        for s in ["r4h4s14 y4!!!!", "s e c r e t", "jangan b1l4ng 😂😂😂😂", "ＲＡＨＡＳＩＡ"] {
            let once = normalize(s);
            assert_eq!(normalize(&once), once, "{s:?}");
        }
    }

    #[test]
    fn never_panics_on_random_input() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..3000 {
            let len = rng.random_range(0..64);
            let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            let text = String::from_utf8_lossy(&bytes);
            let _ = normalize(&text);
            let _ = excerpt(&text, rng.random_range(0..10));
        }
        // Random code points, weighted towards the tricky ranges.
        let pools: [(u32, u32); 6] =
            [(0x20, 0x7F), (0x300, 0x36F), (0x400, 0x4FF), (0x200B, 0x206F), (0x1F300, 0x1F64F), (0x1D400, 0x1D7FF)];
        for _ in 0..3000 {
            let len = rng.random_range(0..40);
            let text: String = (0..len)
                .filter_map(|_| {
                    let (lo, hi) = pools[rng.random_range(0..pools.len())];
                    char::from_u32(rng.random_range(lo..hi))
                })
                .collect();
            let out = normalize(&text);
            assert!(!out.starts_with(' ') && !out.ends_with(' '));
            assert!(!out.contains("  "));
            let _ = excerpt(&text, 5);
        }
        // Only combining marks.
        let marks: String = std::iter::repeat_n('\u{0301}', 500).collect();
        let _ = normalize(&marks);
    }

    #[test]
    fn excerpt_cuts_on_char_boundary_with_ellipsis() {
        assert_eq!(excerpt("halo kak", 20), "halo kak");
        assert_eq!(excerpt("jangan bilang siapa-siapa", 10), "jangan bi…");
        assert_eq!(excerpt("😊😊😊😊", 3), "😊😊…");
        assert_eq!(excerpt("abc", 0), "");
        assert_eq!(excerpt("abcd", 1), "…");
        // Cut keeps the original spelling (no normalisation).
        assert_eq!(excerpt("R4H4S1A banget ya", 8), "R4H4S1A…");
        // A combining mark is not separated from its base letter.
        assert_eq!(excerpt("abe\u{0301}cd", 4), "ab…");
        assert!(excerpt("x".repeat(100).as_str(), 10).chars().count() <= 10);
    }
}
