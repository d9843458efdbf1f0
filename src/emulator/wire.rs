//! Small pieces of Dropbox's wire format shared by the routes: timestamps,
//! ASCII-safe JSON for headers, error summaries, opaque cursors.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// `common.DropboxTimestamp`: UTC, whole seconds, a literal `Z`.
const TIMESTAMP_FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

pub(crate) fn format_timestamp(at: DateTime<Utc>) -> String {
    at.format(TIMESTAMP_FORMAT).to_string()
}

/// Parses exactly Dropbox's format; Stone rejects fractions and offsets.
pub(crate) fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(text, TIMESTAMP_FORMAT)
        .ok()
        .map(|naive| naive.and_utc())
}

/// Dropbox stores times with one-second precision; truncating up front keeps
/// comparisons consistent with what clients see on the wire.
pub(crate) fn whole_seconds(at: DateTime<Utc>) -> DateTime<Utc> {
    at.with_nanosecond(0).unwrap_or(at)
}

/// The 400 detail Dropbox gives when a string breaks its Stone pattern.
pub(crate) fn pattern_mismatch(field: &str, value: &str, pattern: &str) -> String {
    format!("{field}: '{value}' did not match pattern '{pattern}'")
}

/// JSON text for the `Dropbox-API-Result` header: every character outside
/// printable ASCII becomes a `\uXXXX` escape (a surrogate pair above U+FFFF),
/// so the header stays valid whatever the file names contain.
pub fn header_safe_json(value: &Value) -> String {
    let text = value.to_string();
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if (' '..='~').contains(&c) {
            escaped.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                escaped.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    escaped
}

/// The `error_summary` Dropbox sends next to a route error: the chain of
/// union tags (`path/not_found`) followed by `/...`. Clients must not parse it;
/// it exists for logs.
pub(crate) fn error_summary(error: &Value) -> String {
    let mut summary = String::new();
    let mut current = error;
    while let Some(tag) = current.get(".tag").and_then(Value::as_str) {
        summary.push_str(tag);
        summary.push('/');
        match current.get(tag) {
            Some(inner) if inner.get(".tag").is_some() => current = inner,
            _ => break,
        }
    }
    summary.push_str("...");
    summary
}

/// Serializes an SDK value into the JSON the wire carries.
///
/// The SDK's serializers only fail on the `Other` catch-all variants, which
/// the emulator never builds, so a failure here is a programming error.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("SDK types serialize to JSON")
}

/// Opaque cursors: URL-safe base64 of a small JSON document, which keeps them
/// printable and free of characters that need quoting anywhere.
pub(crate) fn encode_cursor<T: Serialize>(cursor: &T) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(cursor).expect("cursor serializes"))
}

pub(crate) fn decode_cursor<T: DeserializeOwned>(text: &str) -> Option<T> {
    let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
    serde_json::from_slice(&bytes).ok()
}

pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text.trim()).ok()
}

/// Serde adapter storing file contents as standard base64 in the state file.
pub(crate) mod base64_bytes {
    use super::STANDARD;
    use base64::Engine;
    use bytes::Bytes;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(
        bytes: &Bytes,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(bytes))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Bytes, D::Error> {
        let text = String::deserialize(deserializer)?;
        STANDARD
            .decode(text)
            .map(Bytes::from)
            .map_err(serde::de::Error::custom)
    }
}

/// Serde adapter storing instants as Dropbox timestamps in the state file.
pub(crate) mod timestamp {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(
        at: &DateTime<Utc>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format_timestamp(*at))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(deserializer)?;
        super::parse_timestamp(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("not a Dropbox timestamp: {text}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_round_trip_in_dropbox_format() {
        let at = parse_timestamp("2020-10-12T17:00:00Z").expect("valid");
        assert_eq!(format_timestamp(at), "2020-10-12T17:00:00Z");
        assert_eq!(parse_timestamp("2020-10-12T17:00:00.5Z"), None);
        assert_eq!(parse_timestamp("2020-10-12T17:00:00+01:00"), None);
        assert_eq!(parse_timestamp("2020-10-12 17:00:00"), None);
    }

    #[test]
    fn header_json_escapes_everything_outside_ascii() {
        let value = json!({"name": "Zoë 😀\u{7f}"});
        let header = header_safe_json(&value);
        assert_eq!(header, r#"{"name":"Zo\u00eb \ud83d\ude00\u007f"}"#);
        assert!(header.is_ascii());
        let back: Value = serde_json::from_str(&header).expect("still JSON");
        assert_eq!(back, value);
    }

    #[test]
    fn error_summary_follows_nested_tags() {
        let error = json!({".tag": "path", "path": {".tag": "not_found"}});
        assert_eq!(error_summary(&error), "path/not_found/...");
        assert_eq!(
            error_summary(&json!({".tag": "rate_limit"})),
            "rate_limit/..."
        );
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = encode_cursor(&json!({"a": 1}));
        assert_eq!(decode_cursor::<Value>(&cursor), Some(json!({"a": 1})));
        assert_eq!(decode_cursor::<Value>("not a cursor!"), None);
    }
}
