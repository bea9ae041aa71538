//! One adapter per builtin. Each checks its arguments, calls the library, and
//! converts the answer; none holds parsing or naming logic of its own.

mod import_manifest;
mod info;
mod input_name;
mod parse_manifest;
mod resolve;
#[cfg(feature = "test-panic")]
mod test_panic;
mod try_parse_manifest;

use crate::primop::Builtin;
use crate::value::{Args, Failure};

pub static ALL: &[&Builtin] = &[
    &parse_manifest::BUILTIN,
    &try_parse_manifest::BUILTIN,
    &input_name::BUILTIN,
    &resolve::BUILTIN,
    &import_manifest::BUILTIN,
    &info::BUILTIN,
    #[cfg(feature = "test-panic")]
    &test_panic::BUILTIN,
];

/// The `origin text` arguments the manifest-reading builtins start with.
fn origin_and_text(a: &Args) -> Result<(String, String), Failure> {
    Ok((a.string(0, "the origin (first argument)")?, a.string(1, "the manifest text (second argument)")?))
}
