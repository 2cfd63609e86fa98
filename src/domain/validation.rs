//! Input validation shared by every input struct: the validator derive plus our custom rules,
//! reported as a domain [`Error`] that names the field the way the API spells it.

use regex::Regex;
use serde_json::Value;
use std::sync::LazyLock;
use validator::{Validate, ValidationError, ValidationErrors, ValidationErrorsKind};

use super::Error;

/// Sylius resource codes: letters, digits, `_` and `-`.
static CODE: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern, checked by the unit tests below.
    Regex::new(r"^[A-Za-z0-9_-]+$").unwrap_or_else(|_| unreachable!("constant pattern"))
});

/// A channel or payment method code: `^[A-Za-z0-9_-]+$`, at most 255 characters.
pub(crate) fn check_code(code: &str) -> Result<(), ValidationError> {
    if code.is_empty() || code.len() > 255 || !CODE.is_match(code) {
        return Err(ValidationError::new("code")
            .with_message("must be 1 to 255 characters of letters, digits, `_` or `-`".into()));
    }
    Ok(())
}

/// An idempotency key or order number: 1 to 255 printable characters, no control characters.
pub(crate) fn check_external_ref(key: &str) -> Result<(), ValidationError> {
    let length = key.chars().count();
    if length == 0 || length > 255 || key.chars().any(char::is_control) {
        return Err(ValidationError::new("key")
            .with_message("must be 1 to 255 characters without control characters".into()));
    }
    Ok(())
}

/// Free text (names, descriptions, instructions): any characters but NUL and the other
/// control characters, line breaks and tabs excepted. PostgreSQL cannot store a NUL in
/// text, so letting one through would turn bad input into a database error.
pub(crate) fn check_text(text: &str) -> Result<(), ValidationError> {
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(
            ValidationError::new("text").with_message("must not contain control characters".into())
        );
    }
    Ok(())
}

/// JSON whose serialized form fits in `max` bytes.
pub(crate) fn check_json_size(value: &Value, max: usize) -> Result<(), ValidationError> {
    let size = serde_json::to_string(value)
        .map(|s| s.len())
        .unwrap_or(usize::MAX);
    if size > max {
        return Err(ValidationError::new("size")
            .with_message(format!("must be at most {max} bytes of JSON, got {size}").into()));
    }
    Ok(())
}

/// Runs the validator derive of `input` and reports the first failure (by field name, so
/// the answer is deterministic) as [`Error::Invalid`].
pub fn validate_input<T: Validate>(input: &T) -> Result<(), Error> {
    input.validate().map_err(|errors| first_error(&errors, ""))
}

fn first_error(errors: &ValidationErrors, prefix: &str) -> Error {
    let mut fields: Vec<_> = errors.errors().iter().collect();
    fields.sort_by(|a, b| a.0.cmp(b.0));
    let Some((name, kind)) = fields.into_iter().next() else {
        return Error::invalid(prefix, "is invalid");
    };
    let field = format!("{prefix}{}", camel_case(name));
    match kind {
        ValidationErrorsKind::Field(list) => Error::invalid(
            field,
            list.first()
                .map(describe)
                .unwrap_or_else(|| "is invalid".into()),
        ),
        ValidationErrorsKind::Struct(inner) => first_error(inner, &format!("{field}.")),
        ValidationErrorsKind::List(items) => match items.iter().next() {
            Some((index, inner)) => first_error(inner, &format!("{field}[{index}].")),
            None => Error::invalid(field, "is invalid"),
        },
    }
}

fn describe(error: &ValidationError) -> String {
    if let Some(message) = &error.message {
        return message.to_string();
    }
    let param = |name: &str| error.params.get(name).map(|v| v.to_string());
    match error.code.as_ref() {
        "length" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be {min} to {max} characters"),
            (None, Some(max)) => format!("must be at most {max} characters"),
            (Some(min), None) => format!("must be at least {min} characters"),
            (None, None) => "has an invalid length".into(),
        },
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            (None, Some(max)) => format!("must be at most {max}"),
            (Some(min), None) => format!("must be at least {min}"),
            (None, None) => "is out of range".into(),
        },
        code => format!("is invalid ({code})"),
    }
}

/// `external_ref` → `externalRef`: the API's spelling of a Rust field name.
fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_sylius_pattern() {
        for good in ["US_WEB", "bank_transfer", "a-1", &"x".repeat(255)] {
            assert!(check_code(good).is_ok(), "{good}");
        }
        for bad in ["", "with space", "é", "a/b", &"x".repeat(256)] {
            assert!(check_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_may_break_lines_but_holds_no_other_control_characters() {
        assert!(check_text("Pay within 30 days.\nIBAN:\tXX00").is_ok());
        for bad in ["a\0b", "bell\u{7}", "escape\u{1b}[31m"] {
            assert!(check_text(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn field_names_are_camel_cased() {
        assert_eq!(camel_case("external_ref"), "externalRef");
        assert_eq!(
            camel_case("tax_calculation_strategy"),
            "taxCalculationStrategy"
        );
        assert_eq!(camel_case("amount"), "amount");
    }
}
