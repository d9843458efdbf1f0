//! The deadline field of the request form: what the professor types, understood as an
//! instant, and the live preview shown under the field.
//!
//! Everything typed is wall-clock time in the professor's zone. Results are whole
//! minutes, so they survive Dropbox's second-precision wire format unchanged. A past
//! date is not an error here: the form asks for an explicit confirmation instead.
//!
//! Accepted, case-insensitively (`at`, `on`, `by` and commas may be sprinkled in):
//!
//! | typed                                 | meaning                                        |
//! |---------------------------------------|------------------------------------------------|
//! | `2026-12-04 23:59`, `2026-12-04T9:05` | that day and time                              |
//! | `4 dec 17:00`, `dec 4 2026`, `4/12`   | day and month (day first); this year or next   |
//! | `fri`, `friday 17:00`                 | the next such day, today if the time is ahead  |
//! | `today 17:00`, `tomorrow 9am`         | that day                                       |
//! | `17:00`, `5:30pm`, `noon`             | today if still ahead, else tomorrow            |
//! | `+90m`, `+36h`, `+7d`, `+2w`          | that long from now, to the minute              |
//!
//! A day without a time means 23:59 of that day: "due Friday" ends with Friday.

use chrono::{
    DateTime, Datelike, Days, Month, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike, Utc,
    Weekday,
};

use crate::time::{self, Zone};

/// Why the deadline text was not understood: one sentence for the form, naming what is
/// wrong and showing something that works.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DeadlineError(String);

/// What the professor typed in the deadline field, understood: `Ok(None)` for an empty
/// field (no deadline), otherwise the UTC instant, in whole minutes.
pub fn parse(
    text: &str,
    now: DateTime<Utc>,
    zone: Zone,
) -> Result<Option<DateTime<Utc>>, DeadlineError> {
    let typed = text.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    let lower = typed.to_lowercase();
    let at = if let Some(offset) = lower.strip_prefix('+') {
        after_offset(offset, typed, now)?
    } else if lower
        .strip_prefix('-')
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
    {
        return Err(DeadlineError(
            "a deadline must be after now, so offsets count forward, as in +3d".to_string(),
        ));
    } else {
        Sentence::read(&lower, typed)?.resolve(typed, now, zone)?
    };
    let year = zone.localize(at).year();
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(year_out_of_range(year));
    }
    Ok(Some(at))
}

/// The live preview under the field: "Fri 4 Dec 23:59 CET, in 7 days" (or "…, 3 days ago").
pub fn describe(at: DateTime<Utc>, now: DateTime<Utc>, zone: Zone) -> String {
    format!(
        "{} {}, {}",
        time::short(at, now, zone),
        zone.abbreviation(at),
        time::relative(at, now)
    )
}

/// The text that prefills the field when an existing deadline is edited; [`parse`] reads
/// it back as the same minute.
pub fn field_text(at: DateTime<Utc>, zone: Zone) -> String {
    zone.localize(at).format("%Y-%m-%d %H:%M").to_string()
}

const EXAMPLES: &str = "try 2026-12-04 23:59, +7d, fri 17:00 or tomorrow 9:00";

/// Dropbox stores deadlines far ahead, but a year outside this range is a typo.
const FIRST_YEAR: i32 = 2000;
const LAST_YEAR: i32 = 2100;

/// Ten years including leap days: further than any course runs, and a typo's mark.
const MAX_OFFSET_MINUTES: u64 = 3_653 * 24 * 60;

/// What a day without a time means: the whole of that day.
const END_OF_DAY: NaiveTime = clock(23, 59);
const NOON: NaiveTime = clock(12, 0);

/// A time of day for the constants above; evaluated at compile time, so a bad one fails
/// the build rather than a run.
const fn clock(hour: u32, minute: u32) -> NaiveTime {
    match NaiveTime::from_hms_opt(hour, minute, 0) {
        Some(time) => time,
        None => panic!("not a time of day"),
    }
}

/// Quoted input can be pasted junk thousands of characters long; the sentence shows its
/// start only.
fn quoted(typed: &str) -> String {
    const LIMIT: usize = 40;
    if typed.chars().count() <= LIMIT {
        format!("\"{typed}\"")
    } else {
        let start: String = typed.chars().take(LIMIT).collect();
        format!("\"{start}…\"")
    }
}

fn not_understood(typed: &str) -> DeadlineError {
    DeadlineError(format!(
        "{} is not a date handin understands; {EXAMPLES}",
        quoted(typed)
    ))
}

/// Only reachable with a `now` at the far end of chrono's range; kept as an error so
/// that no input can make the parser panic.
fn too_far(typed: &str) -> DeadlineError {
    DeadlineError(format!(
        "{} is too far ahead; deadlines go up to {LAST_YEAR}",
        quoted(typed)
    ))
}

fn year_out_of_range(year: i32) -> DeadlineError {
    DeadlineError(format!(
        "{year} is out of range: deadlines go from {FIRST_YEAR} to {LAST_YEAR}; {EXAMPLES}"
    ))
}

/// `+7d` and friends; `spec` is what follows the `+`, lowercased.
fn after_offset(
    spec: &str,
    typed: &str,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, DeadlineError> {
    let spec = spec.trim_start();
    let digits_end = spec
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(spec.len());
    let (digits, unit) = spec.split_at(digits_end);
    let unit_minutes: u64 = match unit.trim() {
        "m" | "min" | "mins" | "minute" | "minutes" => 1,
        "h" | "hr" | "hrs" | "hour" | "hours" => 60,
        "d" | "day" | "days" => 24 * 60,
        "w" | "wk" | "wks" | "week" | "weeks" => 7 * 24 * 60,
        _ => return Err(bad_offset(typed)),
    };
    if digits.is_empty() {
        return Err(bad_offset(typed));
    }
    // Only digits remain, so parsing fails only on overflow: that is "too far" as well.
    let count = digits.parse::<u64>().unwrap_or(u64::MAX);
    let minutes = count.saturating_mul(unit_minutes);
    if minutes == 0 {
        return Err(DeadlineError(format!(
            "a deadline must be after now, and {} is now itself; try +1d",
            quoted(typed)
        )));
    }
    if minutes > MAX_OFFSET_MINUTES {
        return Err(DeadlineError(format!(
            "{} is more than 10 years away, further than a deadline can be; try +7d",
            quoted(typed)
        )));
    }
    let at = i64::try_from(minutes)
        .ok()
        .and_then(|minutes| now.checked_add_signed(TimeDelta::minutes(minutes)))
        .ok_or_else(|| too_far(typed))?;
    // `now` carries seconds; the deadline should not.
    at.with_second(0)
        .and_then(|at| at.with_nanosecond(0))
        .ok_or_else(|| not_understood(typed))
}

fn bad_offset(typed: &str) -> DeadlineError {
    DeadlineError(format!(
        "{} is not an offset handin understands; write a number and a unit: +90m, +36h, +7d or +2w",
        quoted(typed)
    ))
}

/// A calendar day as typed, before the year is known to be right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TypedDay {
    year: Option<i32>,
    month: u32,
    day: u32,
}

/// One word of the field, understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    Day(TypedDay),
    Today,
    Tomorrow,
    Weekday(Weekday),
    MonthName(u32),
    /// A day of the month or a year next to a month name; `digits` tells which.
    Number {
        value: u32,
        digits: usize,
    },
    Time(NaiveTime),
}

/// Which day the text names, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayChoice {
    Calendar(TypedDay),
    Today,
    Tomorrow,
}

/// The field's words sorted into a day, a weekday and a time, each at most once.
#[derive(Debug, Default)]
struct Sentence {
    day: Option<DayChoice>,
    weekday: Option<Weekday>,
    time: Option<NaiveTime>,
    month: Option<u32>,
    numbers: Vec<(u32, usize)>,
}

impl Sentence {
    fn read(lower: &str, typed: &str) -> Result<Sentence, DeadlineError> {
        let mut sentence = Sentence::default();
        for word in words(lower) {
            match classify(&word)? {
                Some(word) => sentence.add(word, typed)?,
                None => return Err(not_understood(typed)),
            }
        }
        sentence.join_month_and_numbers(typed)?;
        Ok(sentence)
    }

    fn add(&mut self, word: Word, typed: &str) -> Result<(), DeadlineError> {
        let two_days = || more_than_one_day(typed);
        match word {
            Word::Day(day) => set_once(&mut self.day, DayChoice::Calendar(day), two_days)?,
            Word::Today => set_once(&mut self.day, DayChoice::Today, two_days)?,
            Word::Tomorrow => set_once(&mut self.day, DayChoice::Tomorrow, two_days)?,
            Word::Weekday(weekday) => set_once(&mut self.weekday, weekday, two_days)?,
            Word::MonthName(month) => set_once(&mut self.month, month, two_days)?,
            Word::Number { value, digits } => self.numbers.push((value, digits)),
            Word::Time(time) => set_once(&mut self.time, time, || {
                DeadlineError(format!(
                    "{} has more than one time; give one, as in fri 17:00",
                    quoted(typed)
                ))
            })?,
        }
        Ok(())
    }

    /// `4 dec`, `dec 4`, `dec 4 2026`: numbers only mean something next to a month name.
    fn join_month_and_numbers(&mut self, typed: &str) -> Result<(), DeadlineError> {
        let Some(month) = self.month else {
            return match self.numbers.first() {
                Some((value, _)) => Err(DeadlineError(format!(
                    "\"{value}\" alone is unclear; write a time as 17:00 or 5pm, a day as 4 dec"
                ))),
                None => Ok(()),
            };
        };
        let days: Vec<u32> = self
            .numbers
            .iter()
            .filter(|(_, digits)| *digits <= 2)
            .map(|(value, _)| *value)
            .collect();
        let years: Vec<u32> = self
            .numbers
            .iter()
            .filter(|(_, digits)| *digits == 4)
            .map(|(value, _)| *value)
            .collect();
        let (&[day], years) = (days.as_slice(), years.as_slice()) else {
            return Err(DeadlineError(format!(
                "{} needs one day of the month, as in 4 dec or dec 4 2026",
                quoted(typed)
            )));
        };
        let year = match years {
            [] => None,
            [year] => Some(i32::try_from(*year).map_err(|_| not_understood(typed))?),
            _ => return Err(not_understood(typed)),
        };
        if days.len() + years.len() != self.numbers.len() {
            return Err(not_understood(typed));
        }
        if self.day.is_some() {
            return Err(more_than_one_day(typed));
        }
        self.day = Some(DayChoice::Calendar(TypedDay { year, month, day }));
        Ok(())
    }

    fn resolve(
        &self,
        typed: &str,
        now: DateTime<Utc>,
        zone: Zone,
    ) -> Result<DateTime<Utc>, DeadlineError> {
        let local_now = zone.localize(now).naive_local();
        let today = local_now.date();
        let date = match self.day {
            Some(DayChoice::Calendar(typed_day)) => Some(calendar_date(typed_day, today)?),
            Some(DayChoice::Today) => Some(today),
            Some(DayChoice::Tomorrow) => Some(days_after(today, 1, typed)?),
            None => None,
        };
        match (date, self.weekday, self.time) {
            (Some(date), weekday, time) => {
                if let Some(weekday) = weekday.filter(|weekday| *weekday != date.weekday()) {
                    return Err(DeadlineError(format!(
                        "{} is a {}, not a {}",
                        date.format("%-d %b %Y"),
                        weekday_name(date.weekday()),
                        weekday_name(weekday)
                    )));
                }
                instant(date.and_time(time.unwrap_or(END_OF_DAY)), zone)
            }
            (None, Some(weekday), time) => {
                let ahead = u64::from(weekday.days_since(today.weekday()));
                let candidate = days_after(today, ahead, typed)?;
                let time = time.unwrap_or(END_OF_DAY);
                first_ahead(candidate, 7, time, now, zone, typed)
            }
            (None, None, Some(time)) => first_ahead(today, 1, time, now, zone, typed),
            // Only filler words such as "at".
            (None, None, None) => Err(not_understood(typed)),
        }
    }
}

fn more_than_one_day(typed: &str) -> DeadlineError {
    DeadlineError(format!(
        "{} names more than one day; give one, as in fri 17:00 or 2026-12-04 23:59",
        quoted(typed)
    ))
}

/// Fills `slot`, refusing a second value: "17:00 18:00" is a typo, not a choice.
fn set_once<T>(
    slot: &mut Option<T>,
    value: T,
    twice: impl FnOnce() -> DeadlineError,
) -> Result<(), DeadlineError> {
    if slot.is_some() {
        return Err(twice());
    }
    *slot = Some(value);
    Ok(())
}

/// `date` at `time` if that is still ahead of `now`, otherwise `step_days` later: a bare
/// "17:00" typed at 18:00 means tomorrow, "fri" typed late on a Friday means next week.
fn first_ahead(
    date: NaiveDate,
    step_days: u64,
    time: NaiveTime,
    now: DateTime<Utc>,
    zone: Zone,
    typed: &str,
) -> Result<DateTime<Utc>, DeadlineError> {
    let wall = date.and_time(time);
    match zone.from_local(wall) {
        Ok(at) if at > now => Ok(at),
        // A time the clocks skip today is still worth reporting if it lies ahead: the
        // professor meant today.
        Err(skipped) if wall > zone.localize(now).naive_local() => Err(DeadlineError(skipped)),
        _ => instant(days_after(date, step_days, typed)?.and_time(time), zone),
    }
}

fn instant(wall: NaiveDateTime, zone: Zone) -> Result<DateTime<Utc>, DeadlineError> {
    zone.from_local(wall).map_err(DeadlineError)
}

fn days_after(date: NaiveDate, days: u64, typed: &str) -> Result<NaiveDate, DeadlineError> {
    date.checked_add_days(Days::new(days))
        .ok_or_else(|| too_far(typed))
}

/// The date a typed day names; without a year, the next time that day comes round
/// (today included).
fn calendar_date(typed: TypedDay, today: NaiveDate) -> Result<NaiveDate, DeadlineError> {
    let Some(month_name) = u8::try_from(typed.month)
        .ok()
        .and_then(|month| Month::try_from(month).ok())
        .map(|month| month.name())
    else {
        return Err(DeadlineError(format!(
            "there is no month {}; months go from 1 to 12",
            typed.month
        )));
    };
    let year = match typed.year {
        Some(year) => year,
        None if (typed.month, typed.day) < (today.month(), today.day()) => today.year() + 1,
        None => today.year(),
    };
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(year_out_of_range(year));
    }
    if typed.day == 0 {
        return Err(DeadlineError(
            "there is no day 0; days of the month start at 1".to_string(),
        ));
    }
    NaiveDate::from_ymd_opt(year, typed.month, typed.day)
        .ok_or_else(|| DeadlineError(format!("{month_name} {year} has no {}", ordinal(typed.day))))
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn weekday_name(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// Splits the lowercased field into words: commas and filler words go, `2026-12-04t23:59`
/// becomes two words, and a detached `am`/`pm` joins the number before it.
fn words(lower: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for raw in lower.split(|c: char| c.is_whitespace() || c == ',') {
        let parts: Vec<&str> = match raw.split_once('t') {
            Some((date, time)) if looks_like_iso_date(date) => vec![date, time],
            _ => vec![raw],
        };
        for part in parts {
            match part {
                "" | "at" | "on" | "by" => {}
                "am" | "pm" if words.last().is_some_and(|last| ends_with_digit(last)) => {
                    if let Some(last) = words.last_mut() {
                        last.push_str(part);
                    }
                }
                _ => words.push(part.to_string()),
            }
        }
    }
    words
}

fn looks_like_iso_date(word: &str) -> bool {
    word.len() >= 8 && word.contains('-') && word.chars().all(|c| c.is_ascii_digit() || c == '-')
}

fn ends_with_digit(word: &str) -> bool {
    word.ends_with(|c: char| c.is_ascii_digit())
}

/// Between `min_len` and `max_len` ASCII digits; the length bound keeps `parse` from
/// overflowing and rejects `+12` or `1e3` that `str::parse` would take.
fn number(text: &str, min_len: usize, max_len: usize) -> Option<u32> {
    let fits = (min_len..=max_len).contains(&text.len());
    if fits && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

/// What one word means; `Ok(None)` when it means nothing to handin.
fn classify(word: &str) -> Result<Option<Word>, DeadlineError> {
    if let Some(time) = time_of_day(word) {
        return time.map(|time| Some(Word::Time(time)));
    }
    if let Some(day) = numeric_date(word) {
        return day.map(|day| Some(Word::Day(day)));
    }
    let name = word.strip_suffix('.').unwrap_or(word);
    let named = match name {
        "today" => Some(Word::Today),
        "tomorrow" | "tmrw" => Some(Word::Tomorrow),
        _ => weekday_named(name)
            .map(Word::Weekday)
            .or_else(|| month_named(name).map(Word::MonthName)),
    };
    if named.is_some() {
        return Ok(named);
    }
    Ok(number(word, 1, 4).map(|value| Word::Number {
        value,
        digits: word.len(),
    }))
}

fn weekday_named(name: &str) -> Option<Weekday> {
    Some(match name {
        "mon" | "monday" => Weekday::Mon,
        "tue" | "tues" | "tuesday" => Weekday::Tue,
        "wed" | "weds" | "wednesday" => Weekday::Wed,
        "thu" | "thur" | "thurs" | "thursday" => Weekday::Thu,
        "fri" | "friday" => Weekday::Fri,
        "sat" | "saturday" => Weekday::Sat,
        "sun" | "sunday" => Weekday::Sun,
        _ => return None,
    })
}

fn month_named(name: &str) -> Option<u32> {
    Some(match name {
        "jan" | "january" => 1,
        "feb" | "february" => 2,
        "mar" | "march" => 3,
        "apr" | "april" => 4,
        "may" => 5,
        "jun" | "june" => 6,
        "jul" | "july" => 7,
        "aug" | "august" => 8,
        "sep" | "sept" | "september" => 9,
        "oct" | "october" => 10,
        "nov" | "november" => 11,
        "dec" | "december" => 12,
        _ => return None,
    })
}

/// `17:00`, `9:05`, `5pm`, `5:30pm`, `noon`; `None` when the word is not shaped like a
/// time at all, an error when it is but names no time of day (`25:00`, `13pm`).
fn time_of_day(word: &str) -> Option<Result<NaiveTime, DeadlineError>> {
    if word == "noon" {
        return Some(Ok(NOON));
    }
    let (clock, half) = match (word.strip_suffix("am"), word.strip_suffix("pm")) {
        (Some(clock), _) => (clock, Some(0)),
        (_, Some(clock)) => (clock, Some(12)),
        _ => (word, None),
    };
    let starts_with_digit = clock.starts_with(|c: char| c.is_ascii_digit());
    if !starts_with_digit || !(clock.contains(':') || half.is_some()) {
        return None;
    }
    let shape_error = || {
        DeadlineError(format!(
            "{} is not a time handin understands; write hours and minutes, as in 9:05 or 17:30",
            quoted(word)
        ))
    };
    let (hour, minute) = match clock.split_once(':') {
        Some((hour, minute)) => (number(hour, 1, 2), number(minute, 2, 2)),
        None => (number(clock, 1, 2), Some(0)),
    };
    let (Some(hour), Some(minute)) = (hour, minute) else {
        return Some(Err(shape_error()));
    };
    let hour = match half {
        Some(_) if !(1..=12).contains(&hour) => {
            return Some(Err(DeadlineError(format!(
                "{} is not a time of day: with am or pm, hours go from 1 to 12",
                quoted(word)
            ))));
        }
        // 12am is midnight, 12pm noon.
        Some(half) => hour % 12 + half,
        None => hour,
    };
    if hour > 23 {
        return Some(Err(DeadlineError(format!(
            "{} is not a time of day: hours go from 0 to 23 (the end of a day is 23:59)",
            quoted(word)
        ))));
    }
    if minute > 59 {
        return Some(Err(DeadlineError(format!(
            "{} is not a time of day: minutes go from 00 to 59",
            quoted(word)
        ))));
    }
    Some(NaiveTime::from_hms_opt(hour, minute, 0).ok_or_else(shape_error))
}

/// `2026-12-04` or, day first as the rest of the app writes dates, `4/12` and
/// `4/12/2026`; `None` when the word is not shaped like either.
fn numeric_date(word: &str) -> Option<Result<TypedDay, DeadlineError>> {
    if !word.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let iso = word.contains('-');
    if !iso && !word.contains('/') {
        return None;
    }
    let parts: Vec<&str> = word.split(if iso { '-' } else { '/' }).collect();
    let fields = match (iso, parts.as_slice()) {
        (true, &[year, month, day]) => Some((Some(year), month, day)),
        (false, &[day, month]) => Some((None, month, day)),
        (false, &[day, month, year]) => Some((Some(year), month, day)),
        _ => None,
    };
    let typed = fields.and_then(|(year, month, day)| {
        let year = match year {
            Some(year) => Some(i32::try_from(number(year, 4, 4)?).ok()?),
            None => None,
        };
        Some(TypedDay {
            year,
            month: number(month, 1, 2)?,
            day: number(day, 1, 2)?,
        })
    });
    let Some(typed) = typed else {
        return Some(Err(DeadlineError(format!(
            "{} is not a date handin understands; write 2026-12-04, or day/month as 4/12",
            quoted(word)
        ))));
    };
    if !(1..=12).contains(&typed.month) {
        let how = if iso {
            "write year-month-day, as in 2026-12-04"
        } else {
            "write day/month, as in 4/12 for 4 December"
        };
        return Some(Err(DeadlineError(format!(
            "there is no month {}; {how}",
            typed.month
        ))));
    }
    Some(Ok(typed))
}

#[cfg(test)]
mod tests {
    use chrono::FixedOffset;
    use proptest::prelude::*;

    use super::*;

    /// Friday 27 November 2026, 13:00 on the professor's clock.
    fn now() -> DateTime<Utc> {
        utc("2026-11-27T12:00:00Z")
    }

    fn cet() -> Zone {
        Zone::Fixed(FixedOffset::east_opt(3_600).expect("valid offset"))
    }

    fn utc(text: &str) -> DateTime<Utc> {
        time::parse_dropbox(text).expect("valid timestamp")
    }

    fn accepted(text: &str) -> DateTime<Utc> {
        match parse(text, now(), cet()) {
            Ok(Some(at)) => at,
            other => panic!("{text:?} should parse, got {other:?}"),
        }
    }

    fn refused(text: &str) -> String {
        match parse(text, now(), cet()) {
            Err(error) => error.to_string(),
            other => panic!("{text:?} should be refused, got {other:?}"),
        }
    }

    fn assert_accepts(cases: &[(&str, &str)]) {
        for (text, expected) in cases {
            assert_eq!(accepted(text), utc(expected), "parsing {text:?}");
        }
    }

    #[test]
    fn empty_text_means_no_deadline() {
        for text in ["", "   ", "\t\n"] {
            assert_eq!(parse(text, now(), cet()), Ok(None), "parsing {text:?}");
        }
    }

    #[test]
    fn iso_dates_with_and_without_a_time() {
        assert_accepts(&[
            ("2026-12-04 23:59", "2026-12-04T22:59:00Z"),
            ("2026-12-04T23:59", "2026-12-04T22:59:00Z"),
            ("2026-12-04t23:59", "2026-12-04T22:59:00Z"),
            ("  2026-12-04   23:59  ", "2026-12-04T22:59:00Z"),
            ("2026-12-04 9:05", "2026-12-04T08:05:00Z"),
            ("2026-12-04 09:05", "2026-12-04T08:05:00Z"),
            ("2026-12-4 0:00", "2026-12-03T23:00:00Z"),
            ("2026-12-04", "2026-12-04T22:59:00Z"),
            ("2026-12-04 at 5pm", "2026-12-04T16:00:00Z"),
        ]);
    }

    #[test]
    fn relative_offsets_count_from_now() {
        assert_accepts(&[
            ("+7d", "2026-12-04T12:00:00Z"),
            ("+36h", "2026-11-29T00:00:00Z"),
            ("+90m", "2026-11-27T13:30:00Z"),
            ("+2w", "2026-12-11T12:00:00Z"),
            ("+1 day", "2026-11-28T12:00:00Z"),
            ("+3 HOURS", "2026-11-27T15:00:00Z"),
        ]);
    }

    #[test]
    fn relative_offsets_drop_the_seconds_of_now() {
        let now = utc("2026-11-27T12:00:42Z") + TimeDelta::milliseconds(500);
        assert_eq!(
            parse("+90m", now, cet()),
            Ok(Some(utc("2026-11-27T13:30:00Z")))
        );
    }

    #[test]
    fn weekdays_mean_the_next_one_today_included_while_the_time_is_ahead() {
        assert_accepts(&[
            // Friday, 13:00 local: 17:00 is still ahead today...
            ("fri 17:00", "2026-11-27T16:00:00Z"),
            ("Friday 17:00", "2026-11-27T16:00:00Z"),
            // ...9:00 has gone, so next Friday.
            ("fri 9:00", "2026-12-04T08:00:00Z"),
            // A day alone runs to its end, which today is still ahead.
            ("fri", "2026-11-27T22:59:00Z"),
            ("FRIDAY", "2026-11-27T22:59:00Z"),
            ("sat", "2026-11-28T22:59:00Z"),
            ("mon", "2026-11-30T22:59:00Z"),
            ("thu 8:00", "2026-12-03T07:00:00Z"),
            ("thursday", "2026-12-03T22:59:00Z"),
            ("by wed at 5pm", "2026-12-02T16:00:00Z"),
            ("17:00 tue", "2026-12-01T16:00:00Z"),
        ]);
    }

    #[test]
    fn a_weekday_late_in_the_evening_wraps_to_next_week() {
        // Friday 23:59:30 local: the end of today has all but gone.
        let late = utc("2026-11-27T22:59:30Z");
        assert_eq!(
            parse("fri", late, cet()),
            Ok(Some(utc("2026-12-04T22:59:00Z")))
        );
        assert_eq!(
            parse("sat", late, cet()),
            Ok(Some(utc("2026-11-28T22:59:00Z")))
        );
    }

    #[test]
    fn today_and_tomorrow() {
        assert_accepts(&[
            ("today 17:00", "2026-11-27T16:00:00Z"),
            ("today", "2026-11-27T22:59:00Z"),
            ("tomorrow 9:00", "2026-11-28T08:00:00Z"),
            ("Tomorrow 9am", "2026-11-28T08:00:00Z"),
            ("tomorrow", "2026-11-28T22:59:00Z"),
            ("fri today", "2026-11-27T22:59:00Z"),
        ]);
        // Already gone, but typed on purpose: the form asks before accepting it.
        assert_eq!(accepted("today 9:00"), utc("2026-11-27T08:00:00Z"));
    }

    #[test]
    fn a_bare_time_is_the_next_time_the_clock_shows_it() {
        assert_accepts(&[
            ("17:00", "2026-11-27T16:00:00Z"),
            ("9:00", "2026-11-28T08:00:00Z"),
            ("13:00", "2026-11-28T12:00:00Z"),
            ("13:01", "2026-11-27T12:01:00Z"),
            ("9am", "2026-11-28T08:00:00Z"),
            ("5pm", "2026-11-27T16:00:00Z"),
            ("5 PM", "2026-11-27T16:00:00Z"),
            ("5:30pm", "2026-11-27T16:30:00Z"),
            ("12am", "2026-11-27T23:00:00Z"),
            ("12pm", "2026-11-28T11:00:00Z"),
            ("noon", "2026-11-28T11:00:00Z"),
        ]);
    }

    #[test]
    fn day_and_month_forms_pick_the_next_such_day() {
        assert_accepts(&[
            ("4 dec 23:59", "2026-12-04T22:59:00Z"),
            ("dec 4", "2026-12-04T22:59:00Z"),
            ("Dec 4, 2026", "2026-12-04T22:59:00Z"),
            ("4 December 2026 17:00", "2026-12-04T16:00:00Z"),
            ("4/12", "2026-12-04T22:59:00Z"),
            ("4/12/2026 9:00", "2026-12-04T08:00:00Z"),
            // Today counts; January has gone this year, so next year.
            ("27 nov", "2026-11-27T22:59:00Z"),
            ("4 jan", "2027-01-04T22:59:00Z"),
            ("26/11", "2027-11-26T22:59:00Z"),
            // What the views show reads back.
            ("Fri 4 Dec 23:59", "2026-12-04T22:59:00Z"),
            ("Tue 5 Jan 2027 09:00", "2027-01-05T08:00:00Z"),
        ]);
    }

    #[test]
    fn a_past_date_parses_for_the_form_to_confirm() {
        assert_eq!(accepted("2020-01-01"), utc("2020-01-01T22:59:00Z"));
    }

    #[test]
    fn impossible_dates_name_the_missing_day() {
        assert_eq!(refused("2026-02-31"), "February 2026 has no 31st");
        assert_eq!(refused("2027-02-29"), "February 2027 has no 29th");
        assert_eq!(refused("31/04/2026"), "April 2026 has no 31st");
        // No year: February comes round next in 2027.
        assert_eq!(refused("31/02"), "February 2027 has no 31st");
        assert_eq!(refused("feb 30"), "February 2027 has no 30th");
        assert!(refused("0/12").contains("no day 0"));
        assert_eq!(accepted("2028-02-29"), utc("2028-02-29T22:59:00Z"));
    }

    #[test]
    fn impossible_months_say_which_order_is_expected() {
        let us_style = refused("12/25");
        assert!(us_style.contains("no month 25"), "{us_style}");
        assert!(us_style.contains("4/12 for 4 December"), "{us_style}");
        assert!(refused("2026-13-01").contains("2026-12-04"));
    }

    #[test]
    fn unknown_words_are_quoted_with_examples() {
        assert_eq!(
            refused("next blursday"),
            "\"next blursday\" is not a date handin understands; \
             try 2026-12-04 23:59, +7d, fri 17:00 or tomorrow 9:00"
        );
        for text in [
            "yesterday-ish",
            "at",
            "fri cet",
            "soon",
            "😀",
            "4 dec 17:00 CET",
        ] {
            assert!(refused(text).contains("try 2026-12-04 23:59"), "{text}");
        }
    }

    #[test]
    fn long_junk_is_quoted_only_in_part() {
        let junk = "x".repeat(5_000);
        let message = refused(&junk);
        assert!(message.len() < 200, "{message}");
        assert!(message.contains("xxx…\""), "{message}");
    }

    #[test]
    fn a_zero_or_backwards_offset_is_not_after_now() {
        for text in ["+0d", "+0h", "+0m", "+00w"] {
            let message = refused(text);
            assert!(message.contains("after now"), "{message}");
            assert!(message.contains(text), "{message}");
        }
        assert!(refused("-3d").contains("+3d"));
    }

    #[test]
    fn malformed_offsets_show_the_units() {
        for text in ["+7", "+d", "+7x", "+", "+7d3h", "+-1d"] {
            let message = refused(text);
            assert!(message.contains("+36h"), "{text}: {message}");
        }
    }

    #[test]
    fn absurd_offsets_are_refused() {
        assert_eq!(accepted("+3650d"), utc("2036-11-24T12:00:00Z"));
        for text in ["+3654d", "+600w", "+99999999h", "+99999999999999999999999d"] {
            let message = refused(text);
            assert!(message.contains("10 years"), "{text}: {message}");
        }
    }

    #[test]
    fn out_of_range_times_say_what_the_range_is() {
        let message = refused("25:00");
        assert!(message.contains("\"25:00\""), "{message}");
        assert!(message.contains("0 to 23"), "{message}");
        assert!(refused("24:00").contains("23:59"));
        assert!(refused("fri 17:75").contains("00 to 59"));
        assert!(refused("13pm").contains("1 to 12"));
        assert!(refused("0am").contains("1 to 12"));
        assert!(refused("9:5").contains("9:05"));
        assert!(refused("17:00:00").contains("17:30"));
    }

    #[test]
    fn years_outside_the_supported_range_are_refused() {
        for (text, year) in [
            ("1999-12-31", "1999"),
            ("2101-01-01", "2101"),
            ("4 dec 1990", "1990"),
            ("4/12/9999", "9999"),
        ] {
            let message = refused(text);
            assert!(message.contains(year), "{message}");
            assert!(message.contains("2000 to 2100"), "{message}");
        }
        assert_eq!(accepted("2100-12-31"), utc("2100-12-31T22:59:00Z"));
    }

    #[test]
    fn two_days_or_two_times_are_refused() {
        assert!(refused("today tomorrow").contains("more than one day"));
        assert!(refused("2026-12-04 4 dec").contains("more than one day"));
        assert!(refused("fri sat").contains("more than one day"));
        assert!(refused("17:00 18:00").contains("more than one time"));
    }

    #[test]
    fn a_weekday_that_contradicts_the_date_is_refused() {
        assert_eq!(
            refused("thu 4 dec"),
            "4 Dec 2026 is a Friday, not a Thursday"
        );
        assert_eq!(
            refused("sat today"),
            "27 Nov 2026 is a Friday, not a Saturday"
        );
        assert_eq!(
            refused("fri tomorrow"),
            "28 Nov 2026 is a Saturday, not a Friday"
        );
    }

    #[test]
    fn lone_numbers_are_not_guessed() {
        assert!(refused("17").contains("17:00"));
        assert!(refused("dec").contains("4 dec"));
        assert!(refused("dec 4 5").contains("4 dec"));
    }

    #[test]
    fn describe_gives_day_zone_and_distance() {
        let zone = cet();
        assert_eq!(
            describe(utc("2026-12-04T22:59:00Z"), now(), zone),
            "Fri 4 Dec 23:59 UTC+01:00, in 7 days"
        );
        assert_eq!(
            describe(utc("2026-11-24T12:00:00Z"), now(), zone),
            "Tue 24 Nov 13:00 UTC+01:00, 3 days ago"
        );
        assert_eq!(
            describe(utc("2020-06-01T22:59:00Z"), now(), Zone::utc()),
            "Mon 1 Jun 2020 22:59 UTC, 6 years ago"
        );
    }

    #[test]
    fn field_text_reads_back_as_the_same_minute() {
        let at = utc("2026-12-04T22:59:00Z");
        assert_eq!(field_text(at, cet()), "2026-12-04 23:59");
        assert_eq!(parse(&field_text(at, cet()), now(), cet()), Ok(Some(at)));
    }

    #[test]
    fn the_local_zone_parses_ordinary_times_wherever_the_tests_run() {
        // The machine's zone is unknown here, so only what holds in every zone: midday on
        // a date no zone changes its clocks is a real time, shown back as typed.
        let at = match parse("2026-07-15 12:00", now(), Zone::Local) {
            Ok(Some(at)) => at,
            other => panic!("midday exists everywhere, got {other:?}"),
        };
        assert_eq!(field_text(at, Zone::Local), "2026-07-15 12:00");
        assert!(describe(at, now(), Zone::Local).starts_with("Wed 15 Jul 12:00 "));
    }

    fn zones() -> impl Strategy<Value = Zone> {
        prop_oneof![
            Just(Zone::Local),
            // Real offsets run from -12:00 to +14:00, in quarter hours.
            (-48i32..=56).prop_map(|quarters| {
                Zone::Fixed(FixedOffset::east_opt(quarters * 900).expect("within a day"))
            }),
        ]
    }

    /// Any instant from 2001 to 2089, to the nanosecond.
    fn instants() -> impl Strategy<Value = DateTime<Utc>> {
        (978_307_200i64..3_786_825_600, 0u32..1_000_000_000).prop_map(|(seconds, nanos)| {
            DateTime::from_timestamp(seconds, nanos).expect("within chrono's range")
        })
    }

    /// Text made of the grammar's own pieces, so that near misses get exercised and not
    /// only noise.
    fn grammar_soup() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "0",
            "1",
            "4",
            "9",
            "12",
            "13",
            "24",
            "29",
            "31",
            "59",
            "60",
            "2026",
            "1999",
            "99999999999",
            "-",
            ":",
            "/",
            "+",
            "d",
            "h",
            "m",
            "w",
            "t",
            " ",
            ",",
            ".",
            "am",
            "pm",
            "fri",
            "friday",
            "mon",
            "today",
            "tomorrow",
            "dec",
            "feb",
            "at",
            "noon",
            "é",
            "\u{130}",
        ]);
        prop::collection::vec(piece, 0..8).prop_map(|pieces| pieces.concat())
    }

    fn check_accepted(result: Result<Option<DateTime<Utc>>, DeadlineError>) {
        if let Ok(Some(at)) = result {
            assert_eq!((at.second(), at.nanosecond()), (0, 0), "{at}");
            assert_eq!(time::parse_dropbox(&time::to_dropbox(at)), Some(at));
        }
    }

    proptest! {
        // Enough cases to shake out panics, few enough that the module stays well under
        // two seconds in a debug build.
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn any_text_parses_or_is_refused_without_panicking(
            text in "\\PC*",
            now in instants(),
            zone in zones(),
        ) {
            check_accepted(parse(&text, now, zone));
        }

        #[test]
        fn grammar_like_text_round_trips_through_the_wire_format(
            text in grammar_soup(),
            now in instants(),
            zone in zones(),
        ) {
            check_accepted(parse(&text, now, zone));
        }

        #[test]
        fn offsets_land_that_far_from_now(
            count in 1i64..3650,
            hours in prop::bool::ANY,
            now in instants(),
            zone in zones(),
        ) {
            let (text, span) = if hours {
                (format!("+{count}h"), TimeDelta::hours(count))
            } else {
                (format!("+{count}d"), TimeDelta::days(count))
            };
            let at = parse(&text, now, zone)
                .map_err(|error| TestCaseError::fail(error.to_string()))?
                .ok_or_else(|| TestCaseError::fail("no deadline"))?;
            let error = (at - (now + span)).abs();
            prop_assert!(error < TimeDelta::minutes(1), "{text} from {now} gave {at}");
        }

        #[test]
        fn field_text_round_trips_any_minute(
            minute in 15_778_800i64..63_113_904,
            now in instants(),
            zone in zones(),
        ) {
            let at = DateTime::from_timestamp(minute * 60, 0).expect("within chrono's range");
            let text = field_text(at, zone);
            let parsed = parse(&text, now, zone);
            // With the machine's zone, a minute that occurs twice reads back as its
            // first occurrence; fixed offsets have no such minutes.
            if matches!(zone, Zone::Fixed(_)) {
                prop_assert_eq!(parsed, Ok(Some(at)), "{}", text);
            } else {
                prop_assert!(parsed.is_ok(), "{}", text);
            }
        }
    }
}
