//! API tokens: what a bearer token may do, and how it is stored (only as a hash).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::InvalidValue;

/// What a token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenScope {
    /// Reads only (HTTP `GET`).
    Read,
    /// Everything.
    Write,
}

impl TokenScope {
    /// `"read"` or `"write"`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
        }
    }

    /// Parses `"read"` or `"write"`.
    pub fn parse(name: &str) -> Result<Self, InvalidValue> {
        match name {
            "read" => Ok(TokenScope::Read),
            "write" => Ok(TokenScope::Write),
            other => Err(InvalidValue(format!(
                "`{other}` is not a token scope; use read or write"
            ))),
        }
    }

    /// Whether a token of this scope may do what `needed` requires.
    pub fn allows(self, needed: TokenScope) -> bool {
        self == TokenScope::Write || needed == TokenScope::Read
    }
}

/// A registered API token (without its secret, which is never stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiToken {
    /// The token's id, to revoke it by.
    pub id: i64,
    /// A label for people ("admin panel", "order service").
    pub name: String,
    /// What the token may do.
    pub scope: TokenScope,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was revoked; a revoked token authenticates nothing.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The shortest secret accepted when a host registers its own token.
pub const MIN_TOKEN_LENGTH: usize = 16;

/// The lower-case hex SHA-256 of a token: the only form in which tokens are stored.
pub fn hash_token(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Compares two token hashes in constant time, so response timing says nothing about how
/// much of a guess was right.
pub fn token_hashes_match(stored: &str, presented: &str) -> bool {
    stored.as_bytes().ct_eq(presented.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_allow_what_they_should() {
        assert!(TokenScope::Write.allows(TokenScope::Write));
        assert!(TokenScope::Write.allows(TokenScope::Read));
        assert!(TokenScope::Read.allows(TokenScope::Read));
        assert!(!TokenScope::Read.allows(TokenScope::Write));
    }

    #[test]
    fn hashes_are_sha256_hex_and_compare_exactly() {
        let hash = hash_token("abc");
        assert_eq!(
            hash,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(token_hashes_match(&hash, &hash_token("abc")));
        assert!(!token_hashes_match(&hash, &hash_token("abd")));
        assert!(!token_hashes_match(&hash, ""));
    }
}
