//! Date anchors: calendar days written with month names ("12. April", "April 12th",
//! "12 апреля", "12 de abril", "12. dubna"), CJK "4月12日", ISO "2021-04-12" and dotted
//! "12.04.2021", keyed language-independently as `m04d12` (a month alone as `m04`).
//!
//! Input: text and an ISO 639-1 hint choosing the month-name table (an unknown hint tries
//! every table). Output: non-overlapping mentions in text order. Slashed dates ("12/4")
//! are skipped: their day-month order is ambiguous. Years are left to the number extractor.
//! Pure and total: no input panics.

/// One date found in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateMention {
    /// Byte offset where the mention starts.
    pub start: usize,
    /// Byte offset one past the mention.
    pub end: usize,
    /// `m04d12` for a month and day, `m04` for a month alone.
    pub key: String,
}

/// Calendar dates in `text` in text order; `lang` ("de", "ja", …) picks month names.
#[must_use]
pub fn extract(text: &str, lang: &str) -> Vec<DateMention> {
    let lang: String = lang
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let tables = tables(&lang);
    let starts = starts(&tables);
    let scan = Scan {
        chars: super::folded_chars(text, fold_digit),
        len: text.len(),
        tables,
        starts,
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < scan.chars.len() {
        i = scan.date_at(i, &mut out).max(i + 1);
    }
    super::recycle_chars(scan.chars);
    out
}

/// A month name form: the lowercase stem, the endings it takes, its month.
type Form = (&'static str, &'static [&'static str], u32);

/// Month names of one language.
struct Table {
    forms: &'static [Form],
    /// Abbreviations, matched only with a dot and a day ("Apr. 12", "12. Okt.").
    abbreviations: &'static [(&'static str, u32)],
    /// Month names are capitalised nouns (en, de): a lowercase form is another word.
    capitalised: bool,
    /// The day may follow the month ("April 12"); elsewhere "июня 25-го года" is no date.
    month_first: bool,
}

struct Scan {
    chars: Vec<(usize, char)>,
    len: usize,
    tables: Vec<&'static Table>,
    /// The first letters of the tables' month words (see [`starts`]).
    starts: Starts,
}

/// The lowercase first letters of month words, sorted: of words that may be lowercase,
/// and of words that must be capitalised.
struct Starts {
    any_case: Vec<char>,
    capitalised: Vec<char>,
}

fn starts(tables: &[&'static Table]) -> Starts {
    let (mut any_case, mut capitalised) = (Vec::new(), Vec::new());
    for t in tables {
        let list = if t.capitalised {
            &mut capitalised
        } else {
            &mut any_case
        };
        let words = t.forms.iter().map(|f| f.0);
        list.extend(
            words
                .chain(t.abbreviations.iter().map(|a| a.0))
                .filter_map(|w| w.chars().next()),
        );
    }
    for l in [&mut any_case, &mut capitalised] {
        l.sort_unstable();
        l.dedup();
    }
    Starts {
        any_case,
        capitalised,
    }
}

/// A month word found at a position.
struct MonthWord {
    month: u32,
    end: usize,
    /// Needs an attached day to count ("Mars" the planet, "Julio" the name, "Apr.").
    needs_day: bool,
    /// From a table where the day may follow the month.
    month_first: bool,
}

impl Scan {
    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).map(|&(_, c)| c)
    }

    fn byte(&self, i: usize) -> usize {
        self.chars.get(i).map_or(self.len, |&(b, _)| b)
    }

    fn is_digit(&self, i: usize) -> bool {
        self.at(i).is_some_and(|c| c.is_ascii_digit())
    }

    fn is_letter(&self, i: usize) -> bool {
        self.at(i).is_some_and(is_word_char)
    }

    /// Value and end of 1..=`max_len` ASCII digits at `i` not followed by another digit.
    fn int(&self, i: usize, max_len: usize) -> Option<(u32, usize)> {
        let mut j = i;
        let mut v: u32 = 0;
        while let Some(d) = self.at(j).and_then(|c| c.to_digit(10)) {
            if j - i >= max_len {
                return None;
            }
            v = v * 10 + d;
            j += 1;
        }
        (j > i).then_some((v, j))
    }

    fn skip_spaces(&self, mut j: usize) -> usize {
        while self.at(j).is_some_and(is_space) {
            j += 1;
        }
        j
    }

    fn push(
        &self,
        out: &mut Vec<DateMention>,
        start: usize,
        end: usize,
        month: u32,
        day: Option<u32>,
    ) {
        let key = match day {
            Some(d) => format!("m{month:02}d{d:02}"),
            None => format!("m{month:02}"),
        };
        out.push(DateMention {
            start: self.byte(start),
            end: self.byte(end),
            key,
        });
    }

    fn date_at(&self, i: usize, out: &mut Vec<DateMention>) -> usize {
        let Some(c) = self.at(i) else { return i + 1 };
        if c.is_ascii_digit() {
            if i > 0 && self.is_digit(i - 1) {
                return i + 1;
            }
            if let Some(end) = self
                .numeric(i, out)
                .or_else(|| self.cjk(i, out))
                .or_else(|| self.day_month(i, out))
            {
                return end;
            }
            let mut j = i;
            while self.is_digit(j) {
                j += 1;
            }
            return j;
        }
        if cjk_small(self, i).is_some() {
            return self.cjk(i, out).unwrap_or(i + 1);
        }
        if is_word_char(c) && !(i > 0 && self.is_letter(i - 1)) {
            return self.month_day(i, out);
        }
        i + 1
    }

    /// ISO "2021-04-12" and dotted "12.04.2021".
    fn numeric(&self, i: usize, out: &mut Vec<DateMention>) -> Option<usize> {
        let (a, e1) = self.int(i, 4)?;
        let sep = self.at(e1).filter(|&c| c == '-' || c == '.')?;
        let (b, e2) = self.int(e1 + 1, 2)?;
        if self.at(e2) != Some(sep) {
            return None;
        }
        let (c, e3) = self.int(e2 + 1, 4)?;
        let (month, day, year) = if sep == '-' && e1 - i == 4 && e3 - e2 - 1 <= 2 {
            (b, c, a)
        } else if sep == '.' && e1 - i <= 2 && e3 - e2 - 1 == 4 {
            (b, a, c)
        } else {
            return None;
        };
        if !(1900..=2100).contains(&year) || !valid(month, day) {
            return None;
        }
        self.push(out, i, e3, month, Some(day));
        Some(e3)
    }

    /// "4月12日", "十二月", "4 月 12 日", Korean "4월 12일".
    fn cjk(&self, i: usize, out: &mut Vec<DateMention>) -> Option<usize> {
        let (month, e) = self.int(i, 2).or_else(|| cjk_small(self, i))?;
        let m = self.skip_spaces(e);
        if !matches!(self.at(m), Some('月' | '월')) || !(1..=12).contains(&month) {
            return None;
        }
        let after_month = m + 1;
        let d = self.skip_spaces(after_month);
        if let Some((day, e)) = self.int(d, 2).or_else(|| cjk_small(self, d)) {
            let s = self.skip_spaces(e);
            if matches!(self.at(s), Some('日' | '号' | '號' | '일')) && valid(month, day) {
                self.push(out, i, s + 1, month, Some(day));
                return Some(self.cjk_range(month, s + 1, out).unwrap_or(s + 1));
            }
        }
        self.push(out, i, after_month, month, None);
        Some(after_month)
    }

    /// The second day of "12月8日至10日", "12月8日から10日" or "8月9日と10日".
    fn cjk_range(&self, month: u32, j: usize, out: &mut Vec<DateMention>) -> Option<usize> {
        let k = self.skip_spaces(j);
        let d = match self.at(k)? {
            '至' | '到' | '～' | '~' | '-' | '–' | '—' | 'と' | '和' | '、' | '及' => {
                k + 1
            }
            'か' if self.at(k + 1) == Some('ら') => k + 2,
            _ => return None,
        };
        let d = self.skip_spaces(d);
        let (day, e) = self.int(d, 2).or_else(|| cjk_small(self, d))?;
        let s = self.skip_spaces(e);
        if !matches!(self.at(s), Some('日' | '号' | '號' | '일')) || !valid(month, day) {
            return None;
        }
        self.push(out, d, s + 1, month, Some(day));
        Some(s + 1)
    }

    /// "12. April", "12 апреля", "12 de abril", "1er avril", "12th of April", "12-го мая",
    /// and ranges "26 и 27 ноября", "9–10 декабря" (both days).
    fn day_month(&self, i: usize, out: &mut Vec<DateMention>) -> Option<usize> {
        let (day, e) = self.int(i, 2)?;
        let j = self.ordinal_suffix(e).unwrap_or(e);
        let second = self
            .range_next(j)
            .and_then(|d2| Some((d2, self.day_then_month(d2)?)));
        if let Some((d2, (day2, month, end))) = second.filter(|&(_, (_, m, _))| valid(m, day)) {
            self.push(out, i, j, month, Some(day));
            self.push(out, d2, end, month, Some(day2));
            return Some(end);
        }
        let (day, month, end) = self.day_then_month(i)?;
        self.push(out, i, end, month, Some(day));
        Some(end)
    }

    /// Start of the second day after a range connector at `j` ("–", "and", "и", "bis").
    fn range_next(&self, j: usize) -> Option<usize> {
        let k = self.skip_spaces(j);
        let after = if matches!(self.at(k), Some('-' | '–' | '—')) {
            k + 1
        } else {
            let (w, we) = self.word(k)?;
            let connector = matches!(
                w.as_str(),
                "and"
                    | "to"
                    | "und"
                    | "bis"
                    | "et"
                    | "au"
                    | "y"
                    | "al"
                    | "e"
                    | "i"
                    | "a"
                    | "og"
                    | "til"
                    | "až"
                    | "do"
                    | "и"
                    | "по"
                    | "до"
                    | "і"
                    | "та"
            );
            if !connector || k == j {
                return None;
            }
            we
        };
        let d = self.skip_spaces(after);
        self.is_digit(d).then_some(d)
    }

    /// Day at `i` followed by a month name: day, month, end of the month name.
    fn day_then_month(&self, i: usize) -> Option<(u32, u32, usize)> {
        let (day, e) = self.int(i, 2)?;
        let mut j = e;
        if let Some(k) = self.ordinal_suffix(j) {
            j = k;
        }
        let before_space = j;
        j = self.skip_spaces(j);
        if j == before_space && !(j > e && self.at(j - 1) == Some('.')) {
            return None; // "12April" is not a date, "12.April" is
        }
        if let Some((w, we)) = self.word(j)
            && matches!(w.as_str(), "de" | "of" | "del")
        {
            let k = self.skip_spaces(we);
            if k > we {
                j = k;
            }
        }
        let mw = self.month_word(j, true)?;
        valid(mw.month, day).then_some((day, mw.month, mw.end))
    }

    /// End of an ordinal marker after a day number: ".", "st", "er", "-го", "º".
    fn ordinal_suffix(&self, j: usize) -> Option<usize> {
        match self.at(j)? {
            '.' | 'º' | 'ª' | '°' => return Some(j + 1),
            '-' => {
                let (w, we) = self.word(j + 1)?;
                return matches!(w.as_str(), "го" | "е" | "й" | "ого").then_some(we);
            }
            _ => {}
        }
        let (w, we) = self.word(j)?;
        matches!(
            w.as_str(),
            "st" | "nd" | "rd" | "th" | "er" | "re" | "e" | "ème" | "eme" | "o"
        )
        .then_some(we)
    }

    /// A month word at `i`, then a day ("April 12th") or nothing ("im April").
    fn month_day(&self, i: usize, out: &mut Vec<DateMention>) -> usize {
        let mut end = i;
        while self.is_letter(end) {
            end += 1;
        }
        let Some(mw) = self.month_word(i, false) else {
            return end;
        };
        let d = self.skip_spaces(mw.end);
        let first = (mw.month_first && d > mw.end).then(|| self.month_day_day(mw.month, d));
        if let Some((day, e)) = first.flatten() {
            self.push(out, i, e, mw.month, Some(day));
            // "November 26 and 27", "December 9–10"
            let second = self
                .range_next(e)
                .and_then(|d2| Some((d2, self.month_day_day(mw.month, d2)?)));
            if let Some((d2, (day2, e2))) = second {
                self.push(out, d2, e2, mw.month, Some(day2));
                return e2;
            }
            return e;
        }
        if !mw.needs_day {
            self.push(out, i, mw.end, mw.month, None);
        }
        mw.end
    }

    /// Day and its end after a month name ("12", "12th"), unless the digits are a quantity.
    fn month_day_day(&self, month: u32, d: usize) -> Option<(u32, usize)> {
        let (day, e) = self.int(d, 2)?;
        if !valid(month, day) {
            return None;
        }
        let suffix = self
            .ordinal_suffix(e)
            .filter(|&k| self.at(e) != Some('.') && k > e);
        if suffix.is_none() && self.quantity_after(e) {
            return None;
        }
        Some((day, suffix.unwrap_or(e)))
    }

    /// "April 12.5", "May 12,000", "May 5%": the digits are a quantity, not a day.
    fn quantity_after(&self, e: usize) -> bool {
        matches!(self.at(e), Some('.' | ',' | ':')) && self.is_digit(e + 1)
            || self.at(e).is_some_and(|c| c == '%' || is_word_char(c))
    }

    /// The lowercase word at `j` and its end.
    fn word(&self, j: usize) -> Option<(String, usize)> {
        let mut e = j;
        while self.is_letter(e) {
            e += 1;
        }
        if e == j || e - j > 20 {
            return None;
        }
        let w = (j..e)
            .filter_map(|k| self.at(k))
            .filter(|&c| c != NUKTA)
            .flat_map(char::to_lowercase)
            .collect();
        Some((w, e))
    }

    /// The month named by the word at `j`, if any. `with_day`: a day precedes it.
    fn month_word(&self, j: usize, with_day: bool) -> Option<MonthWord> {
        let first = self.at(j)?;
        let upper = first.is_uppercase();
        // Most words cannot start a month name of any table that applies: skip them
        // before lowercasing the word into a new string.
        if first != NUKTA {
            let c = first.to_lowercase().next()?;
            let may = self.starts.any_case.binary_search(&c).is_ok()
                || upper && self.starts.capitalised.binary_search(&c).is_ok();
            if !may {
                return None;
            }
        }
        let (w, we) = self.word(j)?;
        for table in &self.tables {
            if table.capitalised && !upper {
                continue;
            }
            let form = table.forms.iter().find(|&&(stem, ends, _)| {
                w.strip_prefix(stem)
                    .is_some_and(|rest| ends.contains(&rest))
            });
            if let Some(&(_, _, month)) = form {
                // In languages with lowercase months a capital is a name ("Julio", "Mars").
                let needs_day = !table.capitalised && upper && !with_day;
                let month_first = table.month_first;
                return Some(MonthWord {
                    month,
                    end: we,
                    needs_day,
                    month_first,
                });
            }
            let abbreviation = table.abbreviations.iter().find(|&&(a, _)| a == w);
            if let Some(&(_, month)) = abbreviation.filter(|_| self.at(we) == Some('.')) {
                let month_first = table.month_first;
                return Some(MonthWord {
                    month,
                    end: we + 1,
                    needs_day: true,
                    month_first,
                });
            }
        }
        None
    }
}

fn valid(month: u32, day: u32) -> bool {
    let max = match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => 0,
    };
    (1..=max).contains(&day)
}

/// A CJK numeral from 1 to 31 at `i` ("四", "十二", "三十一") and its end.
fn cjk_small(scan: &Scan, i: usize) -> Option<(u32, usize)> {
    let digit = |k: usize| scan.at(k).and_then(super::numbers::cjk_plain_digit);
    let mut j = i;
    let tens = if scan.at(j) == Some('十') {
        j += 1;
        1
    } else {
        let d = digit(j)?;
        j += 1;
        if scan.at(j) != Some('十') {
            return (digit(j).is_none() && d > 0).then_some((d, j));
        }
        j += 1;
        d
    };
    let ones = match digit(j) {
        Some(d) => {
            j += 1;
            d
        }
        None => 0,
    };
    let v = tens * 10 + ones;
    (v > 0 && digit(j).is_none()).then_some((v, j))
}

const NUKTA: char = '\u{093C}';

fn is_word_char(c: char) -> bool {
    crate::normalize::text::is_alpha(c) || ('\u{0900}'..='\u{097F}').contains(&c)
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{A0}' | '\u{202F}' | '\u{2009}' | '\u{2007}')
}

fn fold_digit(c: char) -> char {
    let zero = match c {
        '０'..='９' => 0xFF10,
        '\u{0966}'..='\u{096F}' => 0x0966,
        _ => return c,
    };
    char::from_digit(u32::from(c) - zero, 10).unwrap_or(c)
}

/// The tables to try for `lang`: its own, or all of them for an unknown hint.
fn tables(lang: &str) -> Vec<&'static Table> {
    let one = match lang {
        "en" => &EN,
        "de" => &DE,
        "fr" => &FR,
        "es" => &ES,
        "it" => &IT,
        "pt" => &PT,
        "ru" => &RU,
        "uk" => &UK,
        "cs" => &CS,
        "hr" => &HR,
        "is" => &IS,
        "hi" => &HI,
        // CJK dates need no names; English ones do turn up in their texts.
        "zh" | "ja" | "ko" => &EN,
        _ => return vec![&EN, &DE, &FR, &ES, &IT, &PT, &RU, &UK, &CS, &HR, &IS, &HI],
    };
    vec![one]
}

const PLAIN: &[&str] = &[""];

static EN: Table = Table {
    forms: &[
        ("january", PLAIN, 1),
        ("february", PLAIN, 2),
        ("march", PLAIN, 3),
        ("april", PLAIN, 4),
        ("may", PLAIN, 5),
        ("june", PLAIN, 6),
        ("july", PLAIN, 7),
        ("august", PLAIN, 8),
        ("september", PLAIN, 9),
        ("october", PLAIN, 10),
        ("november", PLAIN, 11),
        ("december", PLAIN, 12),
    ],
    abbreviations: &[
        ("jan", 1),
        ("feb", 2),
        ("mar", 3),
        ("apr", 4),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("sept", 9),
        ("oct", 10),
        ("nov", 11),
        ("dec", 12),
    ],
    capitalised: true,
    month_first: true,
};

const DE_ENDS: &[&str] = &["", "s"];

static DE: Table = Table {
    forms: &[
        ("januar", DE_ENDS, 1),
        ("jänner", DE_ENDS, 1),
        ("februar", DE_ENDS, 2),
        ("feber", DE_ENDS, 2),
        ("märz", &["", "es"], 3),
        ("april", DE_ENDS, 4),
        ("mai", DE_ENDS, 5),
        ("juni", DE_ENDS, 6),
        ("juli", DE_ENDS, 7),
        ("august", DE_ENDS, 8),
        ("september", DE_ENDS, 9),
        ("oktober", DE_ENDS, 10),
        ("november", DE_ENDS, 11),
        ("dezember", DE_ENDS, 12),
    ],
    abbreviations: &[
        ("jan", 1),
        ("feb", 2),
        ("mär", 3),
        ("apr", 4),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("sept", 9),
        ("okt", 10),
        ("nov", 11),
        ("dez", 12),
    ],
    capitalised: true,
    month_first: false,
};

static FR: Table = Table {
    forms: &[
        ("janvier", PLAIN, 1),
        ("février", PLAIN, 2),
        ("fevrier", PLAIN, 2),
        ("mars", PLAIN, 3),
        ("avril", PLAIN, 4),
        ("mai", PLAIN, 5),
        ("juin", PLAIN, 6),
        ("juillet", PLAIN, 7),
        ("août", PLAIN, 8),
        ("aout", PLAIN, 8),
        ("septembre", PLAIN, 9),
        ("octobre", PLAIN, 10),
        ("novembre", PLAIN, 11),
        ("décembre", PLAIN, 12),
        ("decembre", PLAIN, 12),
    ],
    abbreviations: &[
        ("janv", 1),
        ("févr", 2),
        ("avr", 4),
        ("juil", 7),
        ("sept", 9),
        ("oct", 10),
        ("nov", 11),
        ("déc", 12),
    ],
    capitalised: false,
    month_first: false,
};

static ES: Table = Table {
    forms: &[
        ("enero", PLAIN, 1),
        ("febrero", PLAIN, 2),
        ("marzo", PLAIN, 3),
        ("abril", PLAIN, 4),
        ("mayo", PLAIN, 5),
        ("junio", PLAIN, 6),
        ("julio", PLAIN, 7),
        ("agosto", PLAIN, 8),
        ("septiembre", PLAIN, 9),
        ("setiembre", PLAIN, 9),
        ("octubre", PLAIN, 10),
        ("noviembre", PLAIN, 11),
        ("diciembre", PLAIN, 12),
    ],
    abbreviations: &[],
    capitalised: false,
    month_first: false,
};

static IT: Table = Table {
    forms: &[
        ("gennaio", PLAIN, 1),
        ("febbraio", PLAIN, 2),
        ("marzo", PLAIN, 3),
        ("aprile", PLAIN, 4),
        ("maggio", PLAIN, 5),
        ("giugno", PLAIN, 6),
        ("luglio", PLAIN, 7),
        ("agosto", PLAIN, 8),
        ("settembre", PLAIN, 9),
        ("ottobre", PLAIN, 10),
        ("novembre", PLAIN, 11),
        ("dicembre", PLAIN, 12),
    ],
    abbreviations: &[],
    capitalised: false,
    month_first: false,
};

static PT: Table = Table {
    forms: &[
        ("janeiro", PLAIN, 1),
        ("fevereiro", PLAIN, 2),
        ("março", PLAIN, 3),
        ("marco", PLAIN, 3),
        ("abril", PLAIN, 4),
        ("maio", PLAIN, 5),
        ("junho", PLAIN, 6),
        ("julho", PLAIN, 7),
        ("agosto", PLAIN, 8),
        ("setembro", PLAIN, 9),
        ("outubro", PLAIN, 10),
        ("novembro", PLAIN, 11),
        ("dezembro", PLAIN, 12),
    ],
    abbreviations: &[],
    capitalised: false,
    month_first: false,
};

/// Russian soft-stem endings (январь, января, январе, январём).
const RU_SOFT: &[&str] = &["ь", "я", "е", "ю", "ём", "ем"];
/// Russian hard-stem endings (март, марта, марте, мартом).
const RU_HARD: &[&str] = &["", "а", "е", "у", "ом"];

static RU: Table = Table {
    forms: &[
        ("январ", RU_SOFT, 1),
        ("феврал", RU_SOFT, 2),
        ("март", RU_HARD, 3),
        ("апрел", RU_SOFT, 4),
        ("ма", &["й", "я", "е", "ю", "ем"], 5),
        ("июн", RU_SOFT, 6),
        ("июл", RU_SOFT, 7),
        ("август", RU_HARD, 8),
        ("сентябр", RU_SOFT, 9),
        ("октябр", RU_SOFT, 10),
        ("ноябр", RU_SOFT, 11),
        ("декабр", RU_SOFT, 12),
    ],
    abbreviations: &[],
    capitalised: false,
    month_first: false,
};

/// Ukrainian endings of months in -ень (січень, січня, січні, січнем).
const UK_EN: &[&str] = &["ень", "ня", "ні", "нем", "ню"];

static UK: Table = Table {
    forms: &[
        ("січ", UK_EN, 1),
        ("лют", &["ий", "ого", "ому", "им"], 2),
        ("берез", UK_EN, 3),
        ("квіт", UK_EN, 4),
        ("трав", UK_EN, 5),
        ("черв", UK_EN, 6),
        ("лип", UK_EN, 7),
        ("серп", UK_EN, 8),
        ("верес", UK_EN, 9),
        ("жовт", UK_EN, 10),
        ("листопад", &["", "а", "і", "ом", "у"], 11),
        ("груд", UK_EN, 12),
    ],
    abbreviations: &[],
    capitalised: false,
    month_first: false,
};

/// Czech endings of months in -en (duben, dubna, dubnu, dubnem).
const CS_EN: &[&str] = &["en", "na", "nu", "nem"];

static CS: Table = Table {
    forms: &[
        ("led", CS_EN, 1),
        ("únor", &["", "a", "u", "em"], 2),
        ("břez", CS_EN, 3),
        ("dub", CS_EN, 4),
        ("květ", CS_EN, 5),
        ("červ", CS_EN, 6),
        ("červen", &["ec", "ce", "ci", "cem"], 7),
        ("srp", CS_EN, 8),
        ("září", PLAIN, 9),
        ("říj", CS_EN, 10),
        ("listopad", &["", "u", "em"], 11),
        ("prosin", &["ec", "ce", "ci", "cem"], 12),
    ],
    abbreviations: &[],
    capitalised: false,
    month_first: false,
};

/// Croatian endings of months in -anj (travanj, travnja, travnju, travnjem).
const HR_ANJ: &[&str] = &["anj", "nja", "nju", "njem"];

static HR: Table = Table {
    forms: &[
        ("siječ", &["anj", "nja", "nju", "njem"], 1),
        ("veljač", &["a", "e", "i", "om"], 2),
        ("ožuj", &["ak", "ka", "ku", "kom"], 3),
        ("trav", HR_ANJ, 4),
        ("svib", HR_ANJ, 5),
        ("lip", HR_ANJ, 6),
        ("srp", HR_ANJ, 7),
        ("kolovoz", &["", "a", "u", "om"], 8),
        ("ruj", &["an", "na", "nu", "nom"], 9),
        ("listopad", &["", "a", "u", "om"], 10),
        ("studen", &["i", "oga", "og", "om", "ome"], 11),
        ("prosin", &["ac", "ca", "cu", "cem"], 12),
    ],
    abbreviations: &[],
    capitalised: false,
    month_first: false,
};

/// Icelandic months barely inflect; "-mánuði" compounds are rare in news.
const IS_ENDS: &[&str] = &["", "s"];

static IS: Table = Table {
    forms: &[
        ("janúar", IS_ENDS, 1),
        ("febrúar", IS_ENDS, 2),
        ("mars", PLAIN, 3),
        ("apríl", PLAIN, 4),
        ("maí", PLAIN, 5),
        ("júní", PLAIN, 6),
        ("júlí", PLAIN, 7),
        ("ágúst", PLAIN, 8),
        ("september", PLAIN, 9),
        ("október", PLAIN, 10),
        ("nóvember", PLAIN, 11),
        ("desember", PLAIN, 12),
    ],
    abbreviations: &[],
    capitalised: false,
    month_first: false,
};

/// Hindi month names; matched with nukta removed, so फ़रवरी and फरवरी meet.
static HI: Table = Table {
    forms: &[
        ("जनवरी", PLAIN, 1),
        ("फरवरी", PLAIN, 2),
        ("मार्च", PLAIN, 3),
        ("अप्रैल", PLAIN, 4),
        ("मई", PLAIN, 5),
        ("जून", PLAIN, 6),
        ("जुलाई", PLAIN, 7),
        ("अगस्त", PLAIN, 8),
        ("सितंबर", PLAIN, 9),
        ("सितम्बर", PLAIN, 9),
        ("अक्टूबर", PLAIN, 10),
        ("अक्तूबर", PLAIN, 10),
        ("नवंबर", PLAIN, 11),
        ("नवम्बर", PLAIN, 11),
        ("दिसंबर", PLAIN, 12),
        ("दिसम्बर", PLAIN, 12),
    ],
    abbreviations: &[],
    capitalised: false,
    month_first: false,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str, lang: &str) -> Vec<String> {
        extract(text, lang).into_iter().map(|d| d.key).collect()
    }

    #[test]
    fn table() {
        let cases: &[(&str, &str, &[&str])] = &[
            ("on April 12, 2021", "en", &["m04d12"]),
            ("on April 12th", "en", &["m04d12"]),
            ("the 12th of April", "en", &["m04d12"]),
            ("12 April 2021", "en", &["m04d12"]),
            ("Apr. 12", "en", &["m04d12"]),
            ("in March", "en", &["m03"]),
            ("you may go", "en", &[]),
            ("troops march on", "en", &[]),
            ("am 12. April", "de", &["m04d12"]),
            ("am 12.April", "de", &["m04d12"]),
            ("im März", "de", &["m03"]),
            ("seit 3. Okt.", "de", &["m10d03"]),
            ("le 12 avril", "fr", &["m04d12"]),
            ("le 1er mai", "fr", &["m05d01"]),
            ("la mission vers Mars", "fr", &[]),
            ("en mars", "fr", &["m03"]),
            ("el 12 de abril", "es", &["m04d12"]),
            ("Julio Iglesias", "es", &[]),
            ("il 12 aprile", "it", &["m04d12"]),
            ("Musk non è mai stato", "it", &[]),
            ("12 de abril", "pt", &["m04d12"]),
            ("12 апреля", "ru", &["m04d12"]),
            ("12-го мая", "ru", &["m05d12"]),
            ("в марте", "ru", &["m03"]),
            ("Марта сказала", "ru", &[]),
            ("Мартин", "ru", &[]),
            ("12 квітня", "uk", &["m04d12"]),
            ("у лютому", "uk", &["m02"]),
            ("12. dubna", "cs", &["m04d12"]),
            ("1. července", "cs", &["m07d01"]),
            ("1. června", "cs", &["m06d01"]),
            ("v listopadu", "cs", &["m11"]),
            ("12. travnja", "hr", &["m04d12"]),
            ("u listopadu", "hr", &["m10"]),
            ("30. studenoga", "hr", &["m11d30"]),
            ("12. apríl", "is", &["m04d12"]),
            ("í mars", "is", &["m03"]),
            ("12 अप्रैल", "hi", &["m04d12"]),
            ("5 फ़रवरी", "hi", &["m02d05"]),
            ("4月12日", "zh", &["m04d12"]),
            ("9 月 5 日", "zh", &["m09d05"]),
            ("５月２０日电", "zh", &["m05d20"]),
            ("十二月二十五日", "zh", &["m12d25"]),
            ("四月", "ja", &["m04"]),
            ("4月12号", "zh", &["m04d12"]),
            ("3个月", "zh", &[]),
            ("13月", "ja", &[]),
            ("2021-04-12", "en", &["m04d12"]),
            ("12.04.2021", "de", &["m04d12"]),
            ("12/4", "en", &[]),
            ("31. Februar", "de", &["m02"]),
            ("May 12,000 people", "en", &["m05"]),
            ("12 апреля", "", &["m04d12"]),
            ("April 12", "", &["m04d12"]),
            ("в конце июня 25-го года", "ru", &["m06"]),
            ("26 и 27 ноября", "ru", &["m11d26", "m11d27"]),
            ("26. a 27. listopadu", "cs", &["m11d26", "m11d27"]),
            ("9–10 декабря", "ru", &["m12d09", "m12d10"]),
            ("on November 26 and 27", "en", &["m11d26", "m11d27"]),
            ("December 9–10", "en", &["m12d09", "m12d10"]),
            ("12月8日至10日", "zh", &["m12d08", "m12d10"]),
            ("12月8日から10日まで", "ja", &["m12d08", "m12d10"]),
            ("8月9日と10日", "ja", &["m08d09", "m08d10"]),
            ("7月25日から7月31日", "ja", &["m07d25", "m07d31"]),
            ("between 2 and 12 April", "en", &["m04d02", "m04d12"]),
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
    fn spans() {
        let text = "Am 12. April 2021 und im Mai.";
        let got = extract(text, "de");
        let spans: Vec<&str> = got.iter().map(|d| &text[d.start..d.end]).collect();
        assert_eq!(spans, ["12. April", "Mai"]);
    }

    #[test]
    fn no_panics() {
        let nasty = [
            "1".repeat(300),
            "月".repeat(50),
            "十".repeat(50),
            "1.".repeat(200),
        ];
        for s in &nasty {
            for lang in ["en", "zh", ""] {
                for d in extract(s, lang) {
                    assert!(s.is_char_boundary(d.start) && s.is_char_boundary(d.end));
                }
            }
        }
        // The shared dev data beside the repository; a missing file fails the test.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/wmt-dev/dev-small.jsonl"
        );
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(text.len() > 1_000_000, "{path} holds the dev set");
        let bounds: Vec<usize> = text.char_indices().map(|(b, _)| b).step_by(89).collect();
        for w in bounds.windows(2).take(20_000) {
            let slice = &text[w[0]..w[1]];
            for d in extract(slice, "") {
                assert!(slice.is_char_boundary(d.start) && slice.is_char_boundary(d.end));
            }
        }
    }
}
