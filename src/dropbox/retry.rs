//! When, and for how long, to wait before retrying a failed Dropbox request.
//!
//! Dropbox asks clients to back off on 429 (honouring `Retry-After`) and on 5xx. Retrying
//! in lock-step with every other client only prolongs an outage, so waits use "full
//! jitter": a uniform draw from zero up to an exponentially growing ceiling. Every retry
//! loop is bounded twice, by a number of attempts and by a wall-clock budget, so a
//! caller (and the person looking at the screen) always gets an answer in bounded time.

use std::time::{Duration, SystemTime};

/// How many times, and for how long, a request is tried before its failure is reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first one included; 1 disables retries.
    pub max_attempts: u32,
    /// Ceiling of the first backoff window; the ceiling doubles with every retry.
    pub base_delay: Duration,
    /// No backoff window grows beyond this.
    pub max_delay: Duration,
    /// Wall-clock budget counted from the start of the first attempt: no wait ends after
    /// it. An attempt that is already under way is not cut short by it; the request
    /// timeout bounds that.
    pub total_budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            total_budget: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that tries each request exactly once.
    pub fn no_retries() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The upper end of the backoff window before retry number `retry` (0 for the first
    /// retry): `base_delay * 2^retry`, capped at `max_delay`.
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        // 2^31 times any useful base delay already saturates; the cap keeps the shift defined.
        let factor = 1u32 << retry.min(31);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// A full-jitter backoff for retry number `retry`: uniform in `[0, backoff_ceiling]`.
    pub fn jittered_backoff(&self, retry: u32, rng: &mut fastrand::Rng) -> Duration {
        let ceiling = u64::try_from(self.backoff_ceiling(retry).as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rng.u64(0..=ceiling))
    }

    /// How long to wait before the next attempt, or `None` to give up and report the
    /// last failure.
    ///
    /// * `failed_attempts`: attempts made so far, all failed (at least 1).
    /// * `elapsed`: time since the first attempt started.
    /// * `retry_after`: the server's own hint, if it gave one (429 `Retry-After`).
    ///
    /// A server hint is a floor: retrying sooner only earns another 429, so when the hint
    /// does not fit in the remaining budget the caller gives up at once rather than
    /// sleep and fail anyway. A small jitter (at most `base_delay`) is added so that
    /// clients told the same hint do not return in the same instant. Without a hint, the
    /// jittered backoff is shortened to whatever budget remains.
    pub fn next_delay(
        &self,
        failed_attempts: u32,
        elapsed: Duration,
        retry_after: Option<Duration>,
        rng: &mut fastrand::Rng,
    ) -> Option<Duration> {
        if failed_attempts >= self.max_attempts {
            return None;
        }
        let remaining = self.total_budget.checked_sub(elapsed)?;
        if remaining.is_zero() {
            return None;
        }
        match retry_after.filter(|hint| !hint.is_zero()) {
            Some(hint) => {
                if hint > remaining {
                    return None;
                }
                let spread = Duration::from_nanos(
                    rng.u64(0..=u64::try_from(self.base_delay.as_nanos()).unwrap_or(u64::MAX)),
                );
                Some((hint + spread).min(remaining))
            }
            None => {
                let retry = failed_attempts.saturating_sub(1);
                Some(self.jittered_backoff(retry, rng).min(remaining))
            }
        }
    }
}

/// Longest wait accepted from a server hint; anything beyond is treated as this. A day
/// is far past any retry budget, so such a hint always means "give up now".
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// Parses an HTTP `Retry-After` value: either delay-seconds (`"7"`) or an HTTP-date
/// (`"Wed, 21 Oct 2015 07:28:00 GMT"`), the latter measured from `now`. A date in the
/// past means "retry now" (zero). Returns `None` for anything unparsable.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(seconds).min(MAX_RETRY_AFTER));
    }
    // HTTP-date (IMF-fixdate) is a subset of RFC 2822 with the obsolete "GMT" zone.
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let at = SystemTime::from(date);
    Some(
        at.duration_since(now)
            .unwrap_or(Duration::ZERO)
            .min(MAX_RETRY_AFTER),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            total_budget: Duration::from_secs(10),
        }
    }

    #[test]
    fn default_matches_the_documented_numbers() {
        let p = RetryPolicy::default();
        assert_eq!(p.max_attempts, 5);
        assert_eq!(p.base_delay, Duration::from_millis(500));
        assert_eq!(p.max_delay, Duration::from_secs(30));
        assert_eq!(p.total_budget, Duration::from_secs(60));
    }

    #[test]
    fn ceiling_doubles_then_caps() {
        let p = policy();
        assert_eq!(p.backoff_ceiling(0), Duration::from_millis(100));
        assert_eq!(p.backoff_ceiling(1), Duration::from_millis(200));
        assert_eq!(p.backoff_ceiling(3), Duration::from_millis(800));
        assert_eq!(p.backoff_ceiling(4), Duration::from_secs(1));
        assert_eq!(p.backoff_ceiling(31), Duration::from_secs(1));
        assert_eq!(p.backoff_ceiling(u32::MAX), Duration::from_secs(1));
    }

    #[test]
    fn ceiling_survives_huge_settings() {
        let p = RetryPolicy {
            base_delay: Duration::MAX,
            max_delay: Duration::MAX,
            ..policy()
        };
        assert_eq!(p.backoff_ceiling(40), Duration::MAX);
        let mut rng = fastrand::Rng::with_seed(1);
        // Must not panic on the nanosecond conversion.
        let _ = p.jittered_backoff(40, &mut rng);
    }

    #[test]
    fn jitter_stays_within_the_window_and_spreads() {
        let p = policy();
        let mut rng = fastrand::Rng::with_seed(7);
        for retry in 0..8 {
            let ceiling = p.backoff_ceiling(retry);
            let draws: Vec<Duration> = (0..500)
                .map(|_| p.jittered_backoff(retry, &mut rng))
                .collect();
            assert!(draws.iter().all(|d| *d <= ceiling), "retry {retry}");
            let low = draws.iter().filter(|d| **d < ceiling / 4).count();
            let high = draws.iter().filter(|d| **d > ceiling * 3 / 4).count();
            // Uniform over the window: each quarter holds roughly 125 of 500 draws.
            assert!(
                low > 60 && high > 60,
                "retry {retry}: low {low}, high {high}"
            );
        }
    }

    #[test]
    fn gives_up_after_max_attempts() {
        let p = policy();
        let mut rng = fastrand::Rng::with_seed(1);
        for failed in 1..5 {
            assert!(
                p.next_delay(failed, Duration::ZERO, None, &mut rng)
                    .is_some()
            );
        }
        assert_eq!(p.next_delay(5, Duration::ZERO, None, &mut rng), None);
        assert_eq!(
            RetryPolicy::no_retries().next_delay(1, Duration::ZERO, None, &mut rng),
            None
        );
    }

    #[test]
    fn backoff_grows_with_each_failure() {
        let p = policy();
        let mut rng = fastrand::Rng::with_seed(3);
        for failed in 1..5 {
            let ceiling = p.backoff_ceiling(failed - 1);
            for _ in 0..100 {
                let d = p
                    .next_delay(failed, Duration::ZERO, None, &mut rng)
                    .expect("retry allowed");
                assert!(d <= ceiling);
            }
        }
    }

    #[test]
    fn waits_never_exceed_the_remaining_budget() {
        let p = RetryPolicy {
            max_delay: Duration::from_secs(30),
            base_delay: Duration::from_secs(20),
            total_budget: Duration::from_secs(5),
            ..policy()
        };
        let mut rng = fastrand::Rng::with_seed(11);
        for _ in 0..200 {
            let d = p
                .next_delay(2, Duration::from_secs(4), None, &mut rng)
                .expect("one second left");
            assert!(d <= Duration::from_secs(1));
        }
        assert_eq!(
            p.next_delay(1, Duration::from_secs(5), None, &mut rng),
            None
        );
        assert_eq!(
            p.next_delay(1, Duration::from_secs(9), None, &mut rng),
            None
        );
    }

    #[test]
    fn server_hint_is_a_floor() {
        let p = policy();
        let mut rng = fastrand::Rng::with_seed(5);
        for _ in 0..200 {
            let d = p
                .next_delay(1, Duration::ZERO, Some(Duration::from_secs(2)), &mut rng)
                .expect("fits in budget");
            assert!(d >= Duration::from_secs(2), "{d:?}");
            assert!(d <= Duration::from_secs(2) + p.base_delay, "{d:?}");
        }
    }

    #[test]
    fn hint_beyond_the_budget_gives_up_at_once() {
        let p = policy();
        let mut rng = fastrand::Rng::with_seed(5);
        let hint = Some(Duration::from_secs(11));
        assert_eq!(p.next_delay(1, Duration::ZERO, hint, &mut rng), None);
        let hint = Some(Duration::from_secs(3));
        assert_eq!(
            p.next_delay(1, Duration::from_secs(8), hint, &mut rng),
            None
        );
    }

    #[test]
    fn zero_hint_falls_back_to_backoff() {
        // too_many_write_operations may come with retry_after 0.
        let p = policy();
        let mut rng = fastrand::Rng::with_seed(5);
        let d = p
            .next_delay(1, Duration::ZERO, Some(Duration::ZERO), &mut rng)
            .expect("retry allowed");
        assert!(d <= p.base_delay);
    }

    #[test]
    fn retry_after_as_seconds() {
        let now = SystemTime::now();
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(MAX_RETRY_AFTER)
        );
    }

    #[test]
    fn retry_after_as_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_470);
        // 2015-10-21T07:28:00Z is 10 s after `now`.
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(10))
        );
        let later = now + Duration::from_secs(60);
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", later),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn retry_after_rejects_garbage() {
        let now = SystemTime::now();
        for value in ["", "-1", "1.5", "soon", "7s", "Wed, 99 Foo 2015"] {
            assert_eq!(parse_retry_after(value, now), None, "{value:?}");
        }
    }
}
