//! Checking an edit schema (`EditRootJson`, spec §5) and validating values against it.
//!
//! Both entry points work on plain [`serde_json::Value`]s, so they run on whatever a caller
//! sent, before anything is deserialized into typed structs:
//!
//! - [`check_schema`]: the structural rules whose breach makes a schema unusable (a `type`
//!   outside the §5.3 matrix or paired with the wrong `extend_edit:field_type`, bad boxes,
//!   `extend_edit:*` keys inside conditions, patterns that do not compile, ...). Every finding
//!   is a pointer into the schema; together they become an `INVALID_OPTIONS` failure.
//! - [`validate_values`]: the values of the fields against the schema: types, enums, lengths,
//!   table rows, `required`, and the root conditional keywords (`if`/`then`/`else`,
//!   `dependentRequired`, `allOf`, `anyOf`, `oneOf`, `not`) with JSON Schema 2020-12 semantics.
//!   Every finding is a pointer into the values; together they become a
//!   `SCHEMA_VALIDATION_ERROR`.
//!
//! # Semantics
//!
//! - **Blank values.** A JSON `null` and an absent key mean the same thing, "left blank", for
//!   object members at every level (top-level values, table cells, nested objects). Values
//!   are validated with those nulls removed: `required` needs a non-null value, a null is
//!   never type-checked, and a null whose key names no property is ignored like an absent
//!   key. A `null` array item (a table row) is a blank row: it counts for `minItems` and
//!   `maxItems` and `contains` sees it, but no `items` schema applies to it. An empty string
//!   `""` is a value, as in JSON Schema: use `minLength` to require text.
//! - **Keys that name no property.** A non-null value whose key is not in `properties` (at
//!   the root, in a table row, in an object field) is always a violation, whatever
//!   `additionalProperties` says: it names no field, so it cannot be placed. The message
//!   suggests the closest property name.
//! - **Conditions** follow JSON Schema 2020-12 to the letter, including its best-known
//!   surprise: `"if": {"properties": {"x": {"const": "a"}}}` also holds when `x` is blank
//!   (add `"required": ["x"]` to the `if` to avoid it). Messages say which case applied
//!   ("is required when /x is blank (if/then)").
//! - **Field-level JSON Schema keywords** (`const`, `pattern`, `minimum`, `maxLength`,
//!   `minItems`, `contains`, ...) are enforced on fields too, not only inside conditions: the
//!   edit schema is a JSON Schema, and a caller who writes `pattern` on a field expects it to
//!   hold. Other unknown non-`extend_edit` keys on a field are tolerated, as in the SDK.
//! - **Conditional clauses are strict**: a key that is not a clause keyword (or an annotation
//!   such as `description`) is reported rather than silently ignored, since ignoring a rule
//!   would let values through that the caller meant to refuse.
//! - **Order and duplicates.** Violations come in schema order (the crate keeps JSON object
//!   order), each (path, message) pair once.
//! - [`validate_values`] assumes [`check_schema`] found nothing; on an unchecked schema it
//!   ignores malformed parts and never panics. Nesting is bounded by [`MAX_DEPTH`] in both.

mod schema_check;
mod terms;
mod values;

pub use schema_check::check_schema;
pub use terms::{MAX_DEPTH, suggest};
pub use values::validate_values;
