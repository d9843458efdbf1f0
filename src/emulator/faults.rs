//! Injected failures, so the client's retry, timeout and integrity checks can
//! be exercised against something that really misbehaves.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::Deserialize;

/// A way for one API call to go wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 429 with `Retry-After`; the body is Dropbox's JSON `RateLimitError`,
    /// or the bare text Dropbox sometimes sends instead.
    TooManyRequests { retry_after: u32, plain_text: bool },
    /// A 5xx status (500 and 503 are the ones Dropbox sends) with a text body.
    ServerError(u16),
    /// Answer normally, but only after this long.
    Delay(Duration),
    /// Close the connection without sending a response.
    DropConnection,
    /// Announce the full `Content-Length`, send half the body, then close.
    TruncateBody,
    /// Send a complete response whose body has some bytes flipped.
    CorruptBody,
    /// Answer 409 with the route's error union set to this tag (e.g. `email_unverified`),
    /// without running the route: for errors the emulator's state cannot produce.
    RouteError(String),
}

/// Matches any API route; faults queued for the exact route go first.
const ANY_ROUTE: &str = "*";

#[derive(Default)]
pub(crate) struct FaultQueue {
    pending: Mutex<HashMap<String, VecDeque<(Fault, u32)>>>,
}

impl FaultQueue {
    pub(crate) fn push(&self, route: &str, fault: Fault, count: u32) {
        if count == 0 {
            return;
        }
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        pending
            .entry(normalize_route(route))
            .or_default()
            .push_back((fault, count));
    }

    /// The fault for this call of `route`, if one is queued; consumes it.
    pub(crate) fn take(&self, route: &str) -> Option<Fault> {
        self.take_first(&[route, ANY_ROUTE])
    }

    /// Like [`FaultQueue::take`], but ignores faults queued for any route (`*`): for
    /// the OAuth endpoints, which are not API routes.
    pub(crate) fn take_exact(&self, route: &str) -> Option<Fault> {
        self.take_first(&[route])
    }

    fn take_first(&self, keys: &[&str]) -> Option<Fault> {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        keys.iter().find_map(|key| {
            let queue = pending.get_mut(*key)?;
            let (fault, remaining) = queue.front_mut()?;
            let fault = fault.clone();
            *remaining -= 1;
            if *remaining == 0 {
                queue.pop_front();
            }
            Some(fault)
        })
    }
}

/// Accepts a route as the brief names it (`file_requests/list_v2`), as a URL
/// path (`/2/file_requests/list_v2`) or as Stone names it (`file_requests/list:2`).
fn normalize_route(route: &str) -> String {
    let route = route.trim();
    let route = route.strip_prefix("/2/").unwrap_or(route);
    let route = route.strip_prefix('/').unwrap_or(route);
    match route.rsplit_once(':') {
        Some((name, version)) if version.chars().all(|c| c.is_ascii_digit()) => {
            format!("{name}_v{version}")
        }
        _ => route.to_owned(),
    }
}

/// The `fault` object of `POST /_emulator/faults`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FaultSpec {
    kind: String,
    retry_after: Option<u32>,
    plain_text: Option<bool>,
    millis: Option<u64>,
    tag: Option<String>,
}

impl FaultSpec {
    pub(crate) fn into_fault(self) -> Result<Fault, String> {
        let fault = match self.kind.as_str() {
            "429" => Fault::TooManyRequests {
                retry_after: self.retry_after.unwrap_or(1),
                plain_text: self.plain_text.unwrap_or(false),
            },
            "delay" => Fault::Delay(Duration::from_millis(
                self.millis.ok_or("a delay fault needs \"millis\"")?,
            )),
            "drop" => Fault::DropConnection,
            "truncate" => Fault::TruncateBody,
            "corrupt" => Fault::CorruptBody,
            "409" => Fault::RouteError(self.tag.ok_or("a 409 fault needs \"tag\"")?),
            other => match other.parse::<u16>() {
                Ok(status @ 500..=599) => Fault::ServerError(status),
                _ => {
                    return Err(format!(
                        "unknown fault kind {other:?}; expected 409, 429, 500, 503, delay, drop, truncate or corrupt"
                    ));
                }
            },
        };
        Ok(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_consumed_in_order_and_by_count() {
        let queue = FaultQueue::default();
        queue.push("file_requests/list:2", Fault::ServerError(503), 2);
        queue.push("/2/file_requests/list_v2", Fault::DropConnection, 1);
        let taken: Vec<_> = (0..4)
            .map(|_| queue.take("file_requests/list_v2"))
            .collect();
        assert_eq!(
            taken,
            [
                Some(Fault::ServerError(503)),
                Some(Fault::ServerError(503)),
                Some(Fault::DropConnection),
                None
            ]
        );
    }

    #[test]
    fn wildcard_faults_apply_after_specific_ones() {
        let queue = FaultQueue::default();
        queue.push("*", Fault::CorruptBody, 1);
        queue.push("files/download", Fault::TruncateBody, 1);
        assert_eq!(queue.take("files/download"), Some(Fault::TruncateBody));
        assert_eq!(
            queue.take("users/get_current_account"),
            Some(Fault::CorruptBody)
        );
        assert_eq!(queue.take("files/download"), None);
    }

    #[test]
    fn specs_parse_into_faults() {
        let spec: FaultSpec =
            serde_json::from_str(r#"{"kind": "429", "retry_after": 7, "plain_text": true}"#)
                .unwrap();
        assert_eq!(
            spec.into_fault(),
            Ok(Fault::TooManyRequests {
                retry_after: 7,
                plain_text: true
            })
        );
        let spec: FaultSpec = serde_json::from_str(r#"{"kind": "delay"}"#).unwrap();
        assert!(spec.into_fault().is_err());
        let spec: FaultSpec = serde_json::from_str(r#"{"kind": "418"}"#).unwrap();
        assert!(spec.into_fault().is_err());
    }
}
