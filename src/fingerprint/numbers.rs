//! Number anchors: quantities that survive translation, keyed by value so that "10,000",
//! "10.000", "10 000", "1万", "一万" and "10 тысяч" all give the key `10000`.
//!
//! Input: text (normally NFKC-normalised; full-width and Devanagari digits are read anyway)
//! and an ISO 639-1 language hint that only settles ambiguous separators. Output: numbers in
//! text order. Pure and total: no input panics, and values above 10^18 are skipped rather
//! than overflowed. Signs are ignored ("-5" gives 5) and ranges ("2020-2021") give two
//! numbers, since translations write both differently.

/// One number found in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number {
    /// Byte offset where the mention starts (its first digit).
    pub start: usize,
    /// Byte offset one past the mention, including a magnitude word or `%`.
    pub end: usize,
    /// Canonical value: plain decimal, no exponent, no trailing zeros ("3.5", "1500000000").
    pub key: String,
    /// Integer below 10 without a magnitude: often spelled out in words, so callers drop it.
    pub small: bool,
}

/// Numbers in `text` in text order; `lang` ("de", "zh", …) resolves ambiguous separators.
#[must_use]
pub fn extract(text: &str, lang: &str) -> Vec<Number> {
    let scan = Scan::new(text, lang);
    let mut out = Vec::new();
    let mut i = 0;
    while i < scan.chars.len() {
        i = scan.number_at(i, &mut out).max(i + 1);
    }
    super::recycle_chars(scan.chars);
    out
}

/// Values at or above this are skipped: identifiers or garbage, never quantities.
const MAX_VALUE: u128 = 1_000_000_000_000_000_000;
/// Fraction digits kept; more are truncated.
const MAX_SCALE: usize = 18;
/// Longest digit run read as a number.
const MAX_DIGITS: usize = 24;

/// An exact non-negative decimal: `mant / 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Dec {
    mant: u128,
    scale: u32,
}

impl Dec {
    const ZERO: Dec = Dec { mant: 0, scale: 0 };

    fn int(v: u128) -> Dec {
        Dec { mant: v, scale: 0 }
    }

    fn from_digits(int: &[u32], frac: &[u32]) -> Option<Dec> {
        let frac = &frac[..frac.len().min(MAX_SCALE)];
        let mut mant: u128 = 0;
        for &d in int.iter().chain(frac) {
            mant = mant.checked_mul(10)?.checked_add(u128::from(d))?;
        }
        let scale = u32::try_from(frac.len()).ok()?;
        Some(Dec { mant, scale })
    }

    /// `self * 10^p`.
    fn shift(self, p: u32) -> Option<Dec> {
        if self.scale >= p {
            return Some(Dec {
                mant: self.mant,
                scale: self.scale - p,
            });
        }
        let mant = self.mant.checked_mul(10u128.checked_pow(p - self.scale)?)?;
        Some(Dec { mant, scale: 0 })
    }

    fn add(self, o: Dec) -> Option<Dec> {
        let scale = self.scale.max(o.scale);
        let a = self
            .mant
            .checked_mul(10u128.checked_pow(scale - self.scale)?)?;
        let b = o.mant.checked_mul(10u128.checked_pow(scale - o.scale)?)?;
        Some(Dec {
            mant: a.checked_add(b)?,
            scale,
        })
    }

    fn normalized(self) -> Dec {
        let mut d = self;
        while d.scale > 0 && d.mant.checked_rem(10) == Some(0) {
            d.mant /= 10;
            d.scale -= 1;
        }
        d
    }

    fn int_part(self) -> u128 {
        10u128.checked_pow(self.scale).map_or(0, |p| self.mant / p)
    }

    fn is_zero(self) -> bool {
        self.mant == 0
    }

    fn key(self) -> String {
        let d = self.normalized();
        if d.scale == 0 {
            return d.mant.to_string();
        }
        let digits = d.mant.to_string();
        let scale = d.scale as usize;
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        format!("{int}.{frac}")
    }
}

/// What a run of ASCII digits and separators turned out to be.
enum Arabic {
    /// One number ending before char index `end`.
    One { value: Dec, end: usize },
    /// Dotted sequences such as "12.04.2021" or "2.20.407": separate integers.
    Chain(Vec<(usize, usize, Dec)>),
    /// Unreadable (too long): skip to `end`.
    Skip { end: usize },
}

/// Result of reading CJK numerals (possibly after an Arabic number).
struct Cjk {
    value: Dec,
    end: usize,
    had_digit: bool,
    big_unit: bool,
    any_unit: bool,
}

/// The text as characters with byte offsets, digits and full-width punctuation folded.
struct Scan {
    chars: Vec<(usize, char)>,
    len: usize,
    /// Primary language subtag, lowercase ("de" for "de-AT").
    lang: String,
    decimal_mark: Option<char>,
}

impl Scan {
    fn new(text: &str, lang: &str) -> Scan {
        let chars = super::folded_chars(text, fold);
        let lang: String = lang
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let decimal_mark = decimal_mark(&lang);
        Scan {
            chars,
            len: text.len(),
            lang,
            decimal_mark,
        }
    }

    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).map(|&(_, c)| c)
    }

    fn byte(&self, i: usize) -> usize {
        self.chars.get(i).map_or(self.len, |&(b, _)| b)
    }

    fn is_digit(&self, i: usize) -> bool {
        self.at(i).is_some_and(|c| c.is_ascii_digit())
    }

    fn digit_run(&self, i: usize) -> usize {
        let mut j = i;
        while self.is_digit(j) {
            j += 1;
        }
        j
    }

    fn digits(&self, from: usize, to: usize) -> Vec<u32> {
        (from..to)
            .filter_map(|k| self.at(k)?.to_digit(10))
            .collect()
    }

    fn skip_spaces(&self, i: usize, max: usize) -> usize {
        let mut j = i;
        while j < i + max && self.at(j).is_some_and(is_space) {
            j += 1;
        }
        j
    }

    /// Reads the number starting at char `i`, pushes what it finds, returns where to go on.
    fn number_at(&self, i: usize, out: &mut Vec<Number>) -> usize {
        let Some(c) = self.at(i) else { return i + 1 };
        if c.is_ascii_digit() && self.model_number(i) {
            return self.digit_run(i);
        }
        if c.is_ascii_digit() {
            match self.arabic(i) {
                Arabic::One { value, end } => self.finish(i, value, end, out),
                Arabic::Chain(parts) => {
                    let mut last = i + 1;
                    for (s, e, v) in parts {
                        self.push(out, s, e, v, false);
                        last = e;
                    }
                    last
                }
                Arabic::Skip { end } => end,
            }
        } else if cjk_digit(c).is_some() || matches!(c, '十' | '百' | '千') {
            self.cjk_only(i, out)
        } else {
            i + 1
        }
    }

    /// Digits glued to a word ("A320", "mp3", "COVID-19", "GPT-4", "Ту-154") name a model,
    /// not a quantity: the anchor extractor keys those whole. "mid-2021" stays a number.
    fn model_number(&self, i: usize) -> bool {
        let Some(prev) = i.checked_sub(1).and_then(|k| self.at(k)) else {
            return false;
        };
        if is_alphabetic_script(prev) {
            // "19h15" is a clock time, not a model name.
            let clock = matches!(prev, 'h' | 'H') && i >= 2 && self.is_digit(i - 2);
            return !clock;
        }
        if !matches!(prev, '-' | '‐') {
            return false;
        }
        let mut k = i - 1;
        while k > 0 && self.at(k - 1).is_some_and(is_alphabetic_script) {
            k -= 1;
        }
        k < i - 1 && self.at(k).is_some_and(char::is_uppercase)
    }

    /// Adds CJK units, a magnitude word or `%` after an Arabic number and pushes it.
    fn finish(&self, start: usize, value: Dec, end: usize, out: &mut Vec<Number>) -> usize {
        let mut unit_at = self.skip_spaces(end, 1);
        if matches!(self.at(unit_at), Some('月' | '월')) {
            return unit_at + 1; // the month of a CJK date is the date extractor's
        }
        if matches!(self.at(unit_at), Some('多' | '余')) {
            unit_at += 1; // "20多万": some 200,000
        }
        if self
            .at(unit_at)
            .is_some_and(|c| self.cjk_unit(unit_at, c).is_some())
        {
            if let Some(cjk) = self.cjk(unit_at, Some(value)) {
                let e = self.percent(cjk.end);
                self.push(out, start, e, cjk.value, cjk.any_unit);
                return e;
            }
            return unit_at + 1;
        }
        if let Some((pow, e)) = self
            .currency_suffix(start, end)
            .or_else(|| self.magnitude_word(end))
        {
            let e = self.percent(e);
            if let Some(v) = value.shift(pow) {
                self.push(out, start, e, v, true);
            }
            return e;
        }
        let e = self.percent(end);
        self.push(out, start, e, value, false);
        e
    }

    /// "£10m", "$2bn", "$5k": a suffix that means a magnitude only after a currency sign.
    fn currency_suffix(&self, start: usize, end: usize) -> Option<(u32, usize)> {
        let sign = start.checked_sub(1).and_then(|k| self.at(k))?;
        if !matches!(sign, '$' | '£' | '€' | '¥' | '₹' | '₽' | '₴') {
            return None;
        }
        let (word, we) = self.word(end)?;
        let pow = match word.as_str() {
            "k" => 3,
            "m" => 6,
            "b" => 9,
            "tn" | "trn" => 12,
            _ => return None,
        };
        Some((pow, we))
    }

    fn percent(&self, end: usize) -> usize {
        let j = self.skip_spaces(end, 1);
        if matches!(self.at(j), Some('%' | '٪' | '‰')) {
            j + 1
        } else {
            end
        }
    }

    fn push(&self, out: &mut Vec<Number>, start: usize, end: usize, value: Dec, magnitude: bool) {
        let value = value.normalized();
        if value.int_part() >= MAX_VALUE {
            return;
        }
        let small = !magnitude && value.scale == 0 && value.mant < 10;
        out.push(Number {
            start: self.byte(start),
            end: self.byte(end),
            key: value.key(),
            small,
        });
    }

    /// Digits with thousands groups and a decimal part, starting at an ASCII digit.
    fn arabic(&self, i: usize) -> Arabic {
        let e0 = self.digit_run(i);
        if e0 - i > MAX_DIGITS {
            return Arabic::Skip { end: e0 };
        }
        let mut int = self.digits(i, e0);
        let mut j = e0;
        let mut group_sep = None;
        let mut groups = 0;
        if let Some(e) = self.indian_groups(i, e0) {
            int = self.digits(i, e);
            j = e;
            group_sep = Some(',');
            groups = 2;
        } else if e0 - i <= 3 {
            while let Some(sep) = self.at(j).filter(|&c| is_group_sep(c)) {
                if group_sep.is_some_and(|g| g != sep) || self.digit_run(j + 1) != j + 4 {
                    break;
                }
                int.extend(self.digits(j + 1, j + 4));
                group_sep = Some(sep);
                groups += 1;
                j += 4;
            }
        }
        // "0,499" is a decimal; so is "1,172 Milliarden" where ',' is the local decimal mark.
        if groups == 1
            && group_sep.is_some_and(|s| s == ',' || s == '.')
            && (int.len() == 4 && int.first() == Some(&0)
                || group_sep == self.decimal_mark && self.magnitude_follows(j))
        {
            int.truncate(e0 - i);
            j = e0;
            group_sep = None;
            groups = 0;
        }
        if int.len() > MAX_DIGITS {
            return Arabic::Skip { end: j };
        }
        let mut frac = Vec::new();
        if let Some(ds) = self
            .at(j)
            .filter(|&c| is_decimal_sep(c) && Some(c) != group_sep)
        {
            let ek = self.digit_run(j + 1);
            if ek > j + 1 && groups == 0 {
                let chained = self.at(ek) == Some(ds) && self.is_digit(ek + 1);
                // "1・2月" lists months; "5.30pm" and "07.30 Uhr" are clock times.
                let months = ds == '・' && matches!(self.at(ek), Some('月' | '日'));
                if months || ds == '.' && self.clock_time(i, e0, ek) {
                    return self.chain(i, ds);
                }
                // "am 1.10." is a German date, not 1.1.
                let dotted_date = ds == '.'
                    && self.decimal_mark == Some(',')
                    && self.at(ek) == Some('.')
                    && e0 - i <= 2
                    && ek - j - 1 <= 2;
                if chained || dotted_date {
                    return self.chain(i, ds);
                }
            }
            let list_comma = ds == ',' && self.decimal_mark == Some('.') && groups == 0;
            if ek > j + 1 && !list_comma {
                frac = self.digits(j + 1, ek);
                j = ek;
            }
        }
        match Dec::from_digits(&int, &frac) {
            Some(value) => Arabic::One { value, end: j },
            None => Arabic::Skip { end: j },
        }
    }

    /// End of Indian lakh grouping ("2,06,737") of the digits `i..e0`, if that is what follows.
    fn indian_groups(&self, i: usize, e0: usize) -> Option<usize> {
        if e0 - i > 2 {
            return None;
        }
        let mut j = e0;
        while self.at(j) == Some(',') && self.digit_run(j + 1) == j + 3 {
            j += 3;
        }
        (j > e0 && self.at(j) == Some(',') && self.digit_run(j + 1) == j + 4).then_some(j + 4)
    }

    /// "5.30pm", "07.30 Uhr": hour `i..e0`, two minute digits ending at `ek`, a clock word.
    fn clock_time(&self, i: usize, e0: usize, ek: usize) -> bool {
        if e0 - i > 2 || ek - e0 != 3 {
            return false;
        }
        let hour = self.digits(i, e0).iter().fold(0, |v, d| v * 10 + d);
        let minute = self.digits(e0 + 1, ek).iter().fold(0, |v, d| v * 10 + d);
        if hour > 24 || minute > 59 {
            return false;
        }
        let Some((word, we)) = self.word(self.skip_spaces(ek, 1)) else {
            return false;
        };
        match word.as_str() {
            "am" | "pm" | "uhr" | "h" | "hod" | "sati" | "hrs" | "ч" => true,
            "a" | "p" => self.at(we) == Some('.'),
            _ => false,
        }
    }

    /// Integers separated by `sep`: "12.04.2021" → 12, 4, 2021.
    fn chain(&self, i: usize, sep: char) -> Arabic {
        let mut parts = Vec::new();
        let mut s = i;
        loop {
            let e = self.digit_run(s);
            if e - s > MAX_DIGITS {
                return Arabic::Skip { end: e };
            }
            let month = matches!(self.at(e), Some('月' | '월'));
            if let Some(v) = Dec::from_digits(&self.digits(s, e), &[]).filter(|_| !month) {
                parts.push((s, e, v));
            }
            if self.at(e) == Some(sep) && self.is_digit(e + 1) {
                s = e + 1;
            } else {
                break;
            }
        }
        // In "12.04.2021" the month is the date extractor's; day and year stay numbers.
        let dotted_date = match parts[..] {
            [(s0, e0, _), (s1, e1, m), (s2, e2, y)] => {
                sep == '.'
                    && e0 - s0 <= 2
                    && e1 - s1 <= 2
                    && e2 - s2 == 4
                    && m.mant <= 12
                    && (1900..=2100).contains(&y.mant)
            }
            _ => false,
        };
        if dotted_date {
            parts.remove(1);
        }
        Arabic::Chain(parts)
    }

    fn magnitude_follows(&self, j: usize) -> bool {
        let k = self.skip_spaces(j, 1);
        self.at(k).is_some_and(|c| self.cjk_unit(k, c).is_some())
            || self.magnitude_word(j).is_some()
    }

    /// A magnitude word after char `j` (at most two spaces away): power of ten and end.
    fn magnitude_word(&self, j: usize) -> Option<(u32, usize)> {
        let ws = self.skip_spaces(j, 2);
        let (word, we) = self.word(ws)?;
        let dot = self.at(we) == Some('.');
        if word == "mil" {
            return self.mil(we, dot);
        }
        let pow = magnitude_of(&word, &self.lang)?;
        // Abbreviations keep their dot inside the mention.
        let abbreviation = MAGNITUDE_WORDS
            .iter()
            .any(|&(w, _, m)| m == Match::Exact && w == word);
        Some((pow, if dot && abbreviation { we + 1 } else { we }))
    }

    /// Spanish "mil" (thousand), "mil millones" (10^9); Czech "mil." (million).
    fn mil(&self, we: usize, dot: bool) -> Option<(u32, usize)> {
        if dot && matches!(self.lang.as_str(), "cs" | "sk") {
            return Some((6, we + 1));
        }
        if !matches!(self.lang.as_str(), "es" | "pt" | "ca" | "gl" | "") {
            return None;
        }
        let next = self.skip_spaces(we, 1);
        let millones = (next > we).then(|| self.word(next)).flatten();
        match millones {
            Some((w2, e2)) if matches!(w2.as_str(), "millones" | "millón" | "millon") => {
                Some((9, e2))
            }
            _ => Some((3, we)),
        }
    }

    /// The lowercase word starting at `j` and its end.
    fn word(&self, j: usize) -> Option<(String, usize)> {
        let mut e = j;
        while self.at(e).is_some_and(is_word_char) {
            e += 1;
        }
        if e == j || e - j > 24 {
            return None;
        }
        let word: String = (j..e)
            .filter_map(|k| self.at(k))
            .filter(|&c| c != NUKTA)
            .flat_map(char::to_lowercase)
            .collect();
        Some((word, e))
    }

    /// Power of ten of a CJK magnitude character at `i`.
    fn cjk_unit(&self, i: usize, c: char) -> Option<u32> {
        match c {
            '十' => Some(1),
            '百' => Some(2),
            '千' => Some(3),
            '万' | '萬' => Some(4),
            '亿' | '億' => Some(8),
            // 兆 before a unit is the SI prefix mega (兆瓦 MW), not 10^12.
            '兆' if !self
                .at(i + 1)
                .is_some_and(|n| "瓦字赫比帕欧焦位".contains(n)) =>
            {
                Some(12)
            }
            _ => None,
        }
    }

    /// CJK numerals from `j`, continuing an Arabic `initial` value if any.
    fn cjk(&self, mut j: usize, initial: Option<Dec>) -> Option<Cjk> {
        let mut total = Dec::ZERO;
        let mut section = Dec::ZERO;
        let mut current = initial;
        let mut prev_zero = false;
        let mut had_digit = initial.is_some();
        let (mut big_unit, mut any_unit) = (false, false);
        while let Some(c) = self.at(j) {
            if let Some(d) = cjk_digit(c) {
                if current.is_some() && !prev_zero {
                    break; // "三四千": 3, then 4000
                }
                current = Some(Dec::int(u128::from(d)));
                prev_zero = d == 0;
                had_digit = true;
                j += 1;
            } else if c.is_ascii_digit() && current.is_none() && any_unit {
                // "1万2000", "3亿5000万"
                match self.arabic(j) {
                    Arabic::One { value, end } => {
                        current = Some(value);
                        j = end;
                    }
                    _ => break,
                }
            } else if matches!(c, '多' | '余')
                && (current.is_some() || !section.is_zero())
                && self
                    .at(j + 1)
                    .is_some_and(|n| self.cjk_unit(j + 1, n).is_some_and(|p| p >= 4))
            {
                j += 1; // "十多万": some 100,000
            } else if let Some(p) = self.cjk_unit(j, c) {
                let base = current.take();
                if p < 4 {
                    section = section.add(base.unwrap_or(Dec::int(1)).shift(p)?)?;
                } else {
                    let s = section.add(base.unwrap_or(Dec::ZERO))?;
                    if s.is_zero() {
                        if total.is_zero() {
                            break;
                        }
                        total = total.shift(p)?; // 万亿 = 10^12
                    } else {
                        total = total.add(s.shift(p)?)?;
                    }
                    section = Dec::ZERO;
                    big_unit = true;
                }
                any_unit = true;
                prev_zero = false;
                j += 1;
            } else {
                break;
            }
        }
        let value = total.add(section)?.add(current.unwrap_or(Dec::ZERO))?;
        Some(Cjk {
            value,
            end: j,
            had_digit,
            big_unit,
            any_unit,
        })
    }

    /// A number written only in CJK numerals, starting at char `i`.
    fn cjk_only(&self, i: usize, out: &mut Vec<Number>) -> usize {
        let mut e = i;
        while self.at(e).and_then(cjk_digit).is_some() {
            e += 1;
        }
        let unit_next = self.at(e).is_some_and(|c| self.cjk_unit(e, c).is_some());
        if e - i >= 3 && !unit_next {
            // Digit by digit: 二〇二一 = 2021.
            let digits: Vec<u32> = (i..e)
                .filter_map(|k| self.at(k).and_then(cjk_digit))
                .collect();
            if let Some(v) = Dec::from_digits(&digits, &[]).filter(|_| e - i <= MAX_DIGITS) {
                self.push(out, i, e, v, false);
            }
            return e;
        }
        let starts_with_unit = matches!(self.at(i), Some('十' | '百' | '千'));
        // "数百万" is "millions", no number; "千万" is also the adverb "by all means".
        let vague = starts_with_unit
            && (i > 0 && matches!(self.at(i - 1), Some('数' | '何' | '几' | '幾' | '上'))
                || self.at(i) == Some('千') && self.at(i + 1) == Some('万'));
        match self.cjk(i, None) {
            Some(n) if matches!(self.at(n.end), Some('月' | '월')) => n.end + 1,
            // Bare 十/百 is a word ("十分", "百姓") unless it scales 万/亿 (十万, 百万).
            Some(n) if n.end > i && (n.had_digit || starts_with_unit && n.big_unit && !vague) => {
                let e = self.percent(n.end);
                self.push(out, i, e, n.value, n.any_unit);
                e
            }
            _ => i + 1,
        }
    }
}

/// How a magnitude word is recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Match {
    /// The whole word (abbreviations, short words).
    Exact,
    /// Any inflection starting with the stem.
    Prefix,
}

/// Magnitude words (lowercase) and their power of ten. "billion" is 10^12 in de, fr and nl.
const MAGNITUDE_WORDS: &[(&str, u32, Match)] = &[
    ("thousand", 3, Match::Prefix),
    ("tausend", 3, Match::Prefix),
    ("tsd", 3, Match::Exact),
    ("mille", 3, Match::Exact),
    ("mila", 3, Match::Exact),
    ("тысяч", 3, Match::Prefix),
    ("тыс", 3, Match::Exact),
    ("тисяч", 3, Match::Prefix),
    ("тис", 3, Match::Exact),
    ("tisíc", 3, Match::Prefix),
    ("tisuć", 3, Match::Prefix),
    ("tis", 3, Match::Exact),
    ("þúsund", 3, Match::Prefix),
    ("हजार", 3, Match::Exact),
    ("lakh", 5, Match::Prefix),
    ("लाख", 5, Match::Exact),
    ("crore", 7, Match::Prefix),
    ("करोड", 7, Match::Prefix),
    ("million", 6, Match::Prefix),
    ("mio", 6, Match::Exact),
    ("mln", 6, Match::Exact),
    ("mn", 6, Match::Exact),
    ("mill", 6, Match::Exact),
    ("миллион", 6, Match::Prefix),
    ("млн", 6, Match::Exact),
    ("мільйон", 6, Match::Prefix),
    ("milion", 6, Match::Prefix),
    ("milijun", 6, Match::Prefix),
    ("milljón", 6, Match::Prefix),
    ("millón", 6, Match::Prefix),
    ("millones", 6, Match::Exact),
    ("milhão", 6, Match::Exact),
    ("milhões", 6, Match::Exact),
    ("billion", 9, Match::Prefix),
    ("bn", 9, Match::Exact),
    ("milliard", 9, Match::Prefix),
    ("mrd", 9, Match::Exact),
    ("mld", 9, Match::Exact),
    ("миллиард", 9, Match::Prefix),
    ("млрд", 9, Match::Exact),
    ("мільярд", 9, Match::Prefix),
    ("miliard", 9, Match::Prefix),
    ("milijard", 9, Match::Prefix),
    ("milljarð", 9, Match::Prefix),
    ("milljörð", 9, Match::Prefix),
    ("bilhão", 9, Match::Exact),
    ("bilhões", 9, Match::Exact),
    ("अरब", 9, Match::Exact),
    ("trillion", 12, Match::Prefix),
    ("трлн", 12, Match::Exact),
    ("триллион", 12, Match::Prefix),
    ("трильйон", 12, Match::Prefix),
    ("bilion", 12, Match::Prefix),
    ("bilijun", 12, Match::Prefix),
    ("billjón", 12, Match::Prefix),
    ("billón", 12, Match::Prefix),
    ("billones", 12, Match::Exact),
    ("trilhão", 12, Match::Exact),
    ("trilhões", 12, Match::Exact),
];

/// People, not quantities: "10 Millionäre" are ten millionaires.
const NOT_MAGNITUDE: &[&str] = &[
    "millionär",
    "millionair",
    "billionair",
    "trillionair",
    "milliardär",
    "milliardair",
    "миллионер",
    "миллиардер",
    "мільйонер",
    "мільярдер",
    "milionář",
    "miliardář",
    "milijunaš",
    "milijarder",
];

fn magnitude_of(word: &str, lang: &str) -> Option<u32> {
    if NOT_MAGNITUDE.iter().any(|p| word.starts_with(p)) {
        return None;
    }
    let &(stem, pow, _) = MAGNITUDE_WORDS.iter().find(|&&(w, _, m)| match m {
        Match::Exact => word == w,
        Match::Prefix => word.starts_with(w),
    })?;
    Some(if stem == "billion" && matches!(lang, "de" | "fr" | "nl") {
        12
    } else {
        pow
    })
}

/// The decimal mark a language writes, when the hint is known.
fn decimal_mark(lang: &str) -> Option<char> {
    match lang {
        "en" | "zh" | "ja" | "ko" | "hi" | "he" | "th" | "ga" | "mt" | "ms" | "ta" | "bn" => {
            Some('.')
        }
        "de" | "fr" | "es" | "it" | "pt" | "ru" | "uk" | "cs" | "sk" | "pl" | "hr" | "sr"
        | "bs" | "sl" | "is" | "nl" | "da" | "sv" | "no" | "nb" | "nn" | "fi" | "et" | "lv"
        | "lt" | "ro" | "bg" | "el" | "tr" | "hu" | "be" | "kk" | "ca" | "gl" | "eu" | "mk" => {
            Some(',')
        }
        _ => None,
    }
}

const NUKTA: char = '\u{093C}';

fn is_word_char(c: char) -> bool {
    crate::normalize::text::is_alpha(c) || ('\u{0900}'..='\u{097F}').contains(&c)
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{A0}' | '\u{202F}' | '\u{2009}' | '\u{2007}')
}

/// A letter of an alphabetic script (Latin, Greek, Cyrillic), as opposed to CJK.
fn is_alphabetic_script(c: char) -> bool {
    crate::normalize::text::is_alpha(c) && c < '\u{0530}'
}

/// '・' is the decimal point of Japanese newspapers ("１・５５㍍").
fn is_decimal_sep(c: char) -> bool {
    matches!(c, '.' | ',' | '・')
}

fn is_group_sep(c: char) -> bool {
    matches!(c, ',' | '.' | '\'' | '’') || is_space(c)
}

/// Folds other digit forms to ASCII and full-width punctuation to its ASCII form.
fn fold(c: char) -> char {
    let zero = match c {
        '０'..='９' => 0xFF10,
        '\u{0966}'..='\u{096F}' => 0x0966,
        '\u{0660}'..='\u{0669}' => 0x0660,
        '\u{06F0}'..='\u{06F9}' => 0x06F0,
        '，' => return ',',
        '．' => return '.',
        '％' => return '%',
        '･' => return '・',
        _ => return c,
    };
    char::from_digit(u32::from(c) - zero, 10).unwrap_or(c)
}

/// A CJK digit in a number: [`cjk_plain_digit`], and 零, 两, 兩.
fn cjk_digit(c: char) -> Option<u32> {
    match c {
        '零' => Some(0),
        '两' | '兩' => Some(2),
        _ => cjk_plain_digit(c),
    }
}

/// One of the ten CJK digit characters 〇 to 九 (a date's day and month use no others).
pub(super) fn cjk_plain_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' => 0,
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str, lang: &str) -> Vec<String> {
        extract(text, lang).into_iter().map(|n| n.key).collect()
    }

    #[test]
    fn table() {
        let cases: &[(&str, &str, &[&str])] = &[
            // thousands separators
            ("6,499", "en", &["6499"]),
            ("6.499", "de", &["6499"]),
            ("6 499", "fr", &["6499"]),
            ("6\u{A0}499", "fr", &["6499"]),
            ("6\u{202F}499", "fr", &["6499"]),
            ("6\u{2009}499", "fr", &["6499"]),
            ("6'499", "de", &["6499"]),
            ("6’499", "de", &["6499"]),
            ("10,000", "en", &["10000"]),
            ("10.000", "de", &["10000"]),
            ("10 000", "ru", &["10000"]),
            ("1,234,567", "en", &["1234567"]),
            ("1.234.567", "de", &["1234567"]),
            ("1 234 567", "cs", &["1234567"]),
            ("１０，０００", "ja", &["10000"]),
            // decimals
            ("3,5", "de", &["3.5"]),
            ("3.5", "en", &["3.5"]),
            ("3.50", "en", &["3.5"]),
            ("0,499", "de", &["0.499"]),
            ("0.001 seconds", "en", &["0.001"]),
            ("1.234,56", "de", &["1234.56"]),
            ("1,234.56", "en", &["1234.56"]),
            ("1 234,5", "fr", &["1234.5"]),
            ("12,5 %", "de", &["12.5"]),
            ("3,5", "ru", &["3.5"]),
            ("10.0", "en", &["10"]),
            // comma lists in dot-decimal languages
            ("1,2", "zh", &["1", "2"]),
            // percentages and currencies
            ("5%", "en", &["5"]),
            ("5 %", "fr", &["5"]),
            ("5 Prozent", "de", &["5"]),
            ("$6,499", "en", &["6499"]),
            ("€6.499", "de", &["6499"]),
            ("£20", "en", &["20"]),
            ("¥1000", "ja", &["1000"]),
            ("100元", "zh", &["100"]),
            ("500 рублей", "ru", &["500"]),
            // magnitudes
            ("1万", "zh", &["10000"]),
            ("1 万", "zh", &["10000"]),
            ("66.3 万", "zh", &["663000"]),
            ("15亿", "zh", &["1500000000"]),
            ("1000万円", "ja", &["10000000"]),
            ("3亿5000万", "zh", &["350000000"]),
            ("1万2000", "ja", &["12000"]),
            ("2万亿", "zh", &["2000000000000"]),
            ("1兆円", "ja", &["1000000000000"]),
            ("5千人", "zh", &["5000"]),
            ("3百", "zh", &["300"]),
            ("10 тысяч", "ru", &["10000"]),
            ("10 тис.", "uk", &["10000"]),
            ("10 tisíc", "cs", &["10000"]),
            ("10 þúsund", "is", &["10000"]),
            ("10 mil", "es", &["10000"]),
            ("10 mila", "it", &["10000"]),
            ("$1.5 billion", "en", &["1500000000"]),
            ("1,5 Milliarden", "de", &["1500000000"]),
            ("1,5 Mrd.", "de", &["1500000000"]),
            ("1,5 млрд", "ru", &["1500000000"]),
            ("1,5 мільярда", "uk", &["1500000000"]),
            ("1,5 miliardy", "cs", &["1500000000"]),
            ("1,5 milijardi", "hr", &["1500000000"]),
            ("1,5 milljarður", "is", &["1500000000"]),
            ("1,5 milliard", "fr", &["1500000000"]),
            ("1.500 millones", "es", &["1500000000"]),
            ("1,5 mil millones", "es", &["1500000000"]),
            ("2 Mio.", "de", &["2000000"]),
            ("2 millions", "fr", &["2000000"]),
            ("2 миллиона", "ru", &["2000000"]),
            ("2 млн", "ru", &["2000000"]),
            ("2 мільйони", "uk", &["2000000"]),
            ("2 miliony", "cs", &["2000000"]),
            ("2 milijuna", "hr", &["2000000"]),
            ("2 milljónir", "is", &["2000000"]),
            ("2 millones", "es", &["2000000"]),
            ("2 mill.", "es", &["2000000"]),
            ("3 trillion", "en", &["3000000000000"]),
            ("3 Billionen", "de", &["3000000000000"]),
            ("3 трлн", "ru", &["3000000000000"]),
            ("1,172 Milliarden", "de", &["1172000000"]),
            ("1.172 billion", "en", &["1172000000"]),
            ("2 Millionäre", "de", &["2"]),
            // CJK numerals
            ("三千", "zh", &["3000"]),
            ("两万", "zh", &["20000"]),
            ("十二", "zh", &["12"]),
            ("二十一世纪", "zh", &["21"]),
            ("一百零五", "zh", &["105"]),
            ("十万", "zh", &["100000"]),
            ("百万", "zh", &["1000000"]),
            ("二〇二一年", "zh", &["2021"]),
            ("十分", "ja", &[]),
            ("三四千", "zh", &["3", "4000"]),
            ("千亿", "zh", &["100000000000"]),
            ("千万不要", "zh", &[]),
            ("数百万人", "ja", &[]),
            ("20多万", "zh", &["200000"]),
            ("十多万", "zh", &["100000"]),
            ("12月11日", "zh", &["11"]),
            ("十二月", "zh", &[]),
            ("3个月", "zh", &["3"]),
            ("１万０３６３・１８", "ja", &["10363.18"]),
            ("９９・９９９パーセント", "ja", &["99.999"]),
            ("1・2月", "ja", &["1"]),
            // Indian grouping, clock times, currency suffixes
            ("2,06,737", "en", &["206737"]),
            ("1,00,00,000", "hi", &["10000000"]),
            ("5.30pm", "en", &["5", "30"]),
            ("07.30 Uhr", "de", &["7", "30"]),
            ("11 a.m.", "en", &["11"]),
            ("£10m", "en", &["10000000"]),
            ("$2bn", "en", &["2000000000"]),
            ("10m", "en", &["10"]),
            // ordinals, signs, ranges, years
            ("1st", "en", &["1"]),
            ("2. April", "de", &["2"]),
            ("1er", "fr", &["1"]),
            ("-5", "en", &["5"]),
            ("2020-2021", "en", &["2020", "2021"]),
            ("July 12, 2021", "en", &["12", "2021"]),
            ("12.04.2021", "de", &["12", "2021"]),
            ("3.14.15", "en", &["3", "14", "15"]),
            ("am 1.10. begann", "de", &["1", "10"]),
            ("Nr. 2.20.407", "de", &["2", "20", "407"]),
            ("1999", "en", &["1999"]),
            ("COVID-19 and GPT-4", "en", &[]),
            ("A320, mp3, H1N1", "en", &[]),
            ("in mid-2021", "en", &["2021"]),
            ("iPhone 13", "en", &["13"]),
            ("5G", "en", &["5"]),
            ("vers 19h15", "fr", &["19", "15"]),
            // absurd values are skipped
            ("99999999999999999999", "en", &[]),
            ("1000000000 billion", "en", &[]),
        ];
        let mut failures = Vec::new();
        for &(text, lang, want) in cases {
            let got = keys(text, lang);
            if got != want {
                failures.push(format!("{text:?} ({lang}): got {got:?}, want {want:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn spans_and_small() {
        let text = "Er kaufte 5 Autos für 1,5 Mrd. Euro.";
        let got = extract(text, "de");
        assert_eq!(got.len(), 2);
        assert_eq!(&text[got[0].start..got[0].end], "5");
        assert!(got[0].small);
        assert_eq!(&text[got[1].start..got[1].end], "1,5 Mrd.");
        assert!(!got[1].small);
        let cjk = extract("共1万块", "zh");
        assert!(!cjk[0].small);
        assert_eq!(&"共1万块"[cjk[0].start..cjk[0].end], "1万");
        assert!(!extract("3.5", "en")[0].small);
    }

    #[test]
    fn pathological_inputs_do_not_panic() {
        let nasty = [
            "9".repeat(5000),
            ",".repeat(100),
            "1,".repeat(1000),
            "1.1.".repeat(500),
            "0,000,000,000,000,000,000,000,000,000".to_string(),
            "1 000 000 000 000 000 000 000 000 000".to_string(),
            "九".repeat(100),
            "九万亿亿亿亿亿亿亿兆兆兆兆".to_string(),
            "十十十十百百千千万万亿".to_string(),
            "999999999999999999.999999999999999999999 billion".to_string(),
            "1万1万1万1万".to_string(),
            "٣٤٥ ١٢".to_string(),
            "१२ करोड़".to_string(),
        ];
        for s in &nasty {
            for lang in ["en", "de", "zh", ""] {
                for n in extract(s, lang) {
                    assert!(s.is_char_boundary(n.start) && s.is_char_boundary(n.end));
                    assert!(n.start < n.end);
                }
            }
        }
        assert_eq!(keys("१२ करोड़", "hi"), ["120000000"]);
    }

    #[test]
    fn real_text_slices_do_not_panic() {
        // The shared dev data beside the repository; a missing file fails the test.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/wmt-dev/dev-small.jsonl"
        );
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(text.len() > 1_000_000, "{path} holds the dev set");
        let bounds: Vec<usize> = text.char_indices().map(|(b, _)| b).step_by(97).collect();
        for w in bounds.windows(2).take(20_000) {
            let slice = &text[w[0]..w[1].min(text.len())];
            for n in extract(slice, "de") {
                assert!(slice.is_char_boundary(n.start) && slice.is_char_boundary(n.end));
            }
        }
    }
}
