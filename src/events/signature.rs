//! Webhook signatures, Stripe's scheme: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
//! "<t>.<body>" keyed with the subscription's secret>`.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "Webhook-Signature";
/// How far a signature's timestamp may be from the receiver's clock (replay protection).
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// Why a webhook was not trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The header is not `t=…,v1=…`.
    #[error("the signature header is malformed")]
    Malformed,
    /// The timestamp is further from now than the tolerance.
    #[error("the signature is too old or from the future")]
    OutsideTolerance,
    /// No `v1` signature matches the body and the secret.
    #[error("no signature matches")]
    Mismatch,
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The signature header value for `body` sent at `timestamp` (unix seconds).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let digest = mac(secret, timestamp, body).finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={timestamp},v1={hex}")
}

/// Checks a received webhook: the header's timestamp is within `tolerance` of `now` (unix
/// seconds) and one of its `v1` signatures is the HMAC of `"<t>.<body>"` with `secret`,
/// compared in constant time.
pub fn verify_signature(
    secret: &str,
    header: &str,
    body: &[u8],
    now: i64,
    tolerance: Duration,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => {
                timestamp = Some(
                    value
                        .parse::<i64>()
                        .map_err(|_| SignatureError::Malformed)?,
                )
            }
            Some(("v1", value)) => {
                signatures.push(decode_hex(value).ok_or(SignatureError::Malformed)?)
            }
            Some(_) => {}
            None => return Err(SignatureError::Malformed),
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    if now.abs_diff(timestamp) > tolerance.unsigned_abs() {
        return Err(SignatureError::OutsideTolerance);
    }
    let expected = mac(secret, timestamp, body);
    // verify_slice compares in constant time.
    if signatures
        .iter()
        .any(|signature| expected.clone().verify_slice(signature).is_ok())
    {
        return Ok(());
    }
    Err(SignatureError::Mismatch)
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";

    #[test]
    fn a_signature_verifies_with_its_secret_and_body() {
        let header = sign(SECRET, 1_700_000_000, b"{\"a\":1}");
        assert!(header.starts_with("t=1700000000,v1="));
        assert_eq!(
            verify_signature(
                SECRET,
                &header,
                b"{\"a\":1}",
                1_700_000_100,
                DEFAULT_TOLERANCE
            ),
            Ok(())
        );
    }

    #[test]
    fn tampering_old_timestamps_and_garbage_are_refused() {
        let header = sign(SECRET, 1_700_000_000, b"body");
        let now = 1_700_000_000;
        assert_eq!(
            verify_signature(SECRET, &header, b"b0dy", now, DEFAULT_TOLERANCE),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature("other", &header, b"body", now, DEFAULT_TOLERANCE),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(SECRET, &header, b"body", now + 301, DEFAULT_TOLERANCE),
            Err(SignatureError::OutsideTolerance)
        );
        assert_eq!(
            verify_signature(SECRET, &header, b"body", now - 301, DEFAULT_TOLERANCE),
            Err(SignatureError::OutsideTolerance)
        );
        for bad in [
            "",
            "t=1",
            "v1=00",
            "t=x,v1=00",
            "t=1,v1=zz",
            "t=1,v1=0",
            "nonsense",
        ] {
            assert_eq!(
                verify_signature(SECRET, bad, b"body", 1, DEFAULT_TOLERANCE),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
        // A rotated secret: any matching v1 is enough.
        let rotated = format!("{header},v1={}", "ab".repeat(32));
        assert_eq!(
            verify_signature(SECRET, &rotated, b"body", now, DEFAULT_TOLERANCE),
            Ok(())
        );
    }
}
