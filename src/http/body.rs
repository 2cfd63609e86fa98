//! Reading JSON request bodies: at most 64 KiB, `application/json`, unknown fields and wrong
//! types rejected with the path of the field at fault.

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;

use super::problem::ApiError;

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A JSON body deserialized into `T`.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let checked = check_headers(req);
        let mut payload = payload.take();
        Box::pin(async move {
            checked?;
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk
                    .map_err(|e| ApiError::bad_request("body", format!("unreadable body: {e}")))?;
                if body.len() + chunk.len() > MAX_BODY_BYTES {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            parse(&body).map(JsonBody)
        })
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the body exceeds {MAX_BODY_BYTES} bytes"),
    )
}

fn check_headers(req: &HttpRequest) -> Result<(), ApiError> {
    let length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if length.is_some_and(|length| length > MAX_BODY_BYTES) {
        return Err(too_large());
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json" && !essence.ends_with("+json") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the body as application/json",
        ));
    }
    Ok(())
}

/// Parses `body`, reporting malformed JSON, a wrong type or an unknown field as a 400 that
/// names the field (`amount`, `payments[3].metadata`).
pub(crate) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    // Every body of the API is an object; serde would also build a struct from an array.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::bad_request(
            "body",
            "the body must be a JSON object",
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let field = field_of(&path, &inner.to_string());
        ApiError::bad_request(field, format!("invalid JSON body: {inner}"))
    })?;
    deserializer
        .end()
        .map_err(|e| ApiError::bad_request("body", format!("invalid JSON body: {e}")))?;
    Ok(value)
}

/// Deserializes an already parsed JSON value, naming the field at fault like [`parse`].
pub(crate) fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        ApiError::bad_request(
            field_of(&path, &inner.to_string()),
            format!("invalid JSON body: {inner}"),
        )
    })
}

/// The field a deserialization error is about. serde_path_to_error's path already ends
/// at an unknown field; a missing field is reported at the enclosing object, so its name is
/// taken from the message.
fn field_of(path: &str, message: &str) -> String {
    // `?` marks a segment the parser had not identified yet (say, a truncated object).
    let path = match path.trim_end_matches(".?") {
        "?" | "" => ".",
        known => known,
    };
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match (path, missing) {
        (".", Some(name)) => name.to_owned(),
        (".", None) => "body".to_owned(),
        (path, Some(name)) => format!("{path}.{name}"),
        (path, None) => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewPayment;

    #[test]
    fn errors_name_the_field_at_fault() {
        let wrong_type = parse::<NewPayment>(br#"{"order": 1, "amount": "ten"}"#).err();
        assert_eq!(
            wrong_type.as_ref().and_then(ApiError::field),
            Some("amount")
        );
        let unknown = parse::<NewPayment>(br#"{"order": 1, "colour": "red"}"#).err();
        assert_eq!(unknown.as_ref().and_then(ApiError::field), Some("colour"));
        let missing = parse::<NewPayment>(br#"{"amount": 5}"#).err();
        assert_eq!(missing.as_ref().and_then(ApiError::field), Some("order"));
        let malformed = parse::<NewPayment>(br#"{"order": 1,"#).err();
        assert_eq!(malformed.map(|e| e.status()), Some(StatusCode::BAD_REQUEST));
        let trailing = parse::<NewPayment>(br#"{"order": 1} x"#).err();
        assert_eq!(trailing.map(|e| e.status()), Some(StatusCode::BAD_REQUEST));
    }
}
