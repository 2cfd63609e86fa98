//! Use cases of API tokens: issue, register, authenticate, revoke.

use rand::RngCore;

use super::{Error, Payments};
use crate::domain::{ApiToken, MIN_TOKEN_LENGTH, TokenScope, hash_token, token_hashes_match};
use crate::store::tokens;

/// A token just issued: the secret is shown this once and never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The stored token.
    pub token: ApiToken,
    /// The bearer secret to hand to the client.
    pub secret: String,
}

impl Payments {
    /// Issues a new random token (`sp_` and 64 hex digits) with `scope`.
    pub fn create_api_token(&self, name: &str, scope: TokenScope) -> Result<IssuedToken, Error> {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let secret = format!(
            "sp_{}",
            bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        let token = self.register_api_token(&secret, name, scope)?;
        Ok(IssuedToken { token, secret })
    }

    /// Registers a token the host chose (e.g. from its configuration). Registering the same
    /// secret again returns the token already stored.
    pub fn register_api_token(
        &self,
        secret: &str,
        name: &str,
        scope: TokenScope,
    ) -> Result<ApiToken, Error> {
        if secret.chars().count() < MIN_TOKEN_LENGTH
            || secret.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(Error::validation(
                "token",
                format!("must be at least {MIN_TOKEN_LENGTH} characters without spaces"),
            ));
        }
        if name.is_empty() || name.chars().count() > 255 || name.chars().any(char::is_control) {
            return Err(Error::validation("name", "must be 1 to 255 characters"));
        }
        let hash = hash_token(secret);
        let now = self.now();
        let token = self.write(|conn| match tokens::by_hash(conn, &hash)? {
            Some((token, _)) => Ok(token),
            None => Ok(tokens::insert(conn, name, &hash, scope, now)?),
        });
        self.inner.tokens.clear();
        token
    }

    /// The live token a bearer secret belongs to, if any. Only the secret's hash is looked
    /// up, and the stored hash is compared in constant time. Answers are remembered for
    /// [`crate::TOKEN_CACHE_TTL`] (see [`Payments::cached_authentication`]).
    pub fn authenticate(&self, secret: &str) -> Result<Option<ApiToken>, Error> {
        let hash = hash_token(secret);
        if let Some(known) = self.inner.tokens.get(&hash) {
            return Ok(known);
        }
        let token = self.read(|conn| {
            let Some((token, stored)) = tokens::by_hash(conn, &hash)? else {
                return Ok::<_, Error>(None);
            };
            let live = token.revoked_at.is_none() && token_hashes_match(&stored, &hash);
            Ok(live.then_some(token))
        })?;
        self.inner.tokens.put(hash, token.clone());
        Ok(token)
    }

    /// The remembered answer of [`Payments::authenticate`] for this secret, without
    /// touching the database (so without blocking): `None` when there is none.
    pub fn cached_authentication(&self, secret: &str) -> Option<Option<ApiToken>> {
        self.inner.tokens.get(&hash_token(secret))
    }

    /// Revokes token `id`: it authenticates nothing from now on.
    pub fn revoke_api_token(&self, id: i64) -> Result<(), Error> {
        let now = self.now();
        let revoked = self.write(|conn| match tokens::revoke(conn, id, now)? {
            true => Ok(()),
            false => Err(Error::not_found("api token", id)),
        });
        self.inner.tokens.clear();
        revoked
    }

    /// Every token, revoked ones included, oldest first.
    pub fn api_tokens(&self) -> Result<Vec<ApiToken>, Error> {
        self.read(|conn| Ok(tokens::list(conn)?))
    }
}
