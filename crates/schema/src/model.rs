//! The edit schema as typed Rust: `EditRootJson` and `EditJson` of the official SDK (key names
//! are the wire contract). Unknown keys are kept in `extra` so a caller's schema round-trips.

use formsmith_engine::DisplayBox;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The root of an edit schema: one property per field, plus root conditional rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EditRootJson {
    /// Always `"object"`.
    #[serde(rename = "type", default = "object_type")]
    pub kind: String,
    /// Field key -> field node, in form order.
    pub properties: IndexMap<String, EditJson>,
    /// Keys that must be given a (non-null) value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<Vec<String>>,
    /// Whether values for keys outside `properties` are allowed.
    #[serde(
        rename = "additionalProperties",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub additional_properties: Option<bool>,
    /// Root conditional keywords (`if`, `then`, `else`, `allOf`, `anyOf`, `oneOf`, `not`,
    /// `dependentRequired`) and anything else, kept verbatim for the validator.
    #[serde(flatten)]
    pub rules: IndexMap<String, Value>,
}

fn object_type() -> String {
    "object".into()
}

/// `extend_edit:field_type`: how a property is put on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FieldKind {
    /// A text box (strings, numbers, lists of strings).
    Text,
    /// A check box (boolean).
    Checkbox,
    /// A radio button: boolean for one option, or an enum over a group.
    Radio,
    /// A combo box (enum).
    Dropdown,
    /// A list box (enum).
    OptionList,
    /// A signature: an image, or a typed name.
    Signature,
    /// Rows of cells (array of row objects).
    Table,
    /// Detected but not classified.
    Unknown,
}

/// `extend_edit:text_edit_options`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TextEditOptions {
    /// Font size in points.
    #[serde(rename = "fontSize", default, skip_serializing_if = "Option::is_none")]
    pub font_size: Option<f64>,
    /// RGB colour, 0-255 each.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<Vec<u8>>,
    /// Deprecated alias of `color`.
    #[serde(rename = "fontColor", default, skip_serializing_if = "Option::is_none")]
    pub font_color: Option<Vec<u8>>,
    /// Opacity 0-1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opacity: Option<f64>,
    /// Font family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font: Option<String>,
    /// One character per cell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub combing: Option<bool>,
    /// Maximum characters (the number of cells when combing).
    #[serde(rename = "maxLength", default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Text may wrap over several lines.
    #[serde(rename = "multiLine", default, skip_serializing_if = "Option::is_none")]
    pub multi_line: Option<bool>,
}

/// `extend_edit:image`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageRef {
    /// Where the PNG or JPEG is (an http(s) URL, a data: URL, or whatever the caller's loader takes).
    pub image_url: String,
}

/// `extend_edit:source_acroform`: the native field a property fills.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceAcroForm {
    /// Fully qualified field name.
    #[serde(rename = "fieldName")]
    pub field_name: String,
    /// The native field's type (`text`, `checkbox`, `radio`, `dropdown`, `optionList`, `signature`).
    #[serde(rename = "fieldType")]
    pub field_type: String,
    /// Schema value -> export value -> label, for choice fields.
    #[serde(rename = "optionMap", default, skip_serializing_if = "Option::is_none")]
    pub option_map: Option<Vec<OptionMapping>>,
    /// The export value this (boolean) property selects, for one radio option.
    #[serde(
        rename = "optionValue",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub option_value: Option<String>,
}

/// One choice of a native choice field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionMapping {
    /// The value used in the schema's `enum`.
    #[serde(rename = "schemaValue")]
    pub schema_value: String,
    /// The value written to the PDF field.
    #[serde(rename = "exportValue")]
    pub export_value: String,
    /// The label the form shows.
    #[serde(rename = "displayValue")]
    pub display_value: String,
}

/// One property of an edit schema.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EditJson {
    /// `["string","null"]`-style nullable tuple, `"array"`, `"object"`, or absent for enums.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Value>,
    /// What the field is for (label, tooltip, constraints).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// How the property is put on the page.
    #[serde(
        rename = "extend_edit:field_type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub field_type: Option<FieldKind>,
    /// A value that is always written (wins over instructions).
    #[serde(
        rename = "extend_edit:value",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub value: Option<Value>,
    /// Where the field is (points, top-left origin of the displayed page).
    #[serde(
        rename = "extend_edit:bbox",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub bbox: Option<DisplayBox>,
    /// Radio enums: the box of each `enum` option, in order.
    #[serde(
        rename = "extend_edit:bboxes",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub bboxes: Option<Vec<DisplayBox>>,
    /// Zero-based page.
    #[serde(
        rename = "extend_edit:page_index",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub page_index: Option<u32>,
    /// Text layout options.
    #[serde(
        rename = "extend_edit:text_edit_options",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub text_edit_options: Option<TextEditOptions>,
    /// Signature image.
    #[serde(
        rename = "extend_edit:image",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub image: Option<ImageRef>,
    /// Table column width, percent of the table's width.
    #[serde(
        rename = "extend_edit:column_width",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub column_width: Option<f64>,
    /// Table row heights as fractions of the table's height.
    #[serde(
        rename = "extend_edit:row_heights",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub row_heights: Option<Vec<f64>>,
    /// The native field this property fills.
    #[serde(
        rename = "extend_edit:source_acroform",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub source_acroform: Option<SourceAcroForm>,
    /// Row schema of arrays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<EditJson>>,
    /// Nested properties (rows, objects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<IndexMap<String, EditJson>>,
    /// Allowed values of choice fields.
    #[serde(rename = "enum", default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
    /// Labels of the `enum` values, same order.
    #[serde(
        rename = "extend:descriptions",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub option_descriptions: Option<Vec<String>>,
    /// Maximum rows.
    #[serde(rename = "maxItems", default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u32>,
    /// Required nested keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<Vec<String>>,
    /// Whether nested keys outside `properties` are allowed.
    #[serde(
        rename = "additionalProperties",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub additional_properties: Option<bool>,
    /// Keys we do not interpret, kept for the round trip.
    #[serde(flatten)]
    pub extra: IndexMap<String, Value>,
}

/// The JSON type a property's value takes, read from `type`/`enum`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A string.
    String,
    /// Any number.
    Number,
    /// A whole number.
    Integer,
    /// true/false.
    Boolean,
    /// One of `enum`.
    Enum,
    /// Rows or a list.
    Array,
    /// An object (signatures).
    Object,
}

impl EditJson {
    /// The value type, from `type` (a nullable tuple or a plain name) or `enum`.
    pub fn value_kind(&self) -> Option<ValueKind> {
        let name = match &self.kind {
            Some(Value::String(s)) => Some(s.as_str()),
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null"),
            _ => None,
        };
        match name {
            Some("string") => Some(ValueKind::String),
            Some("number") => Some(ValueKind::Number),
            Some("integer") => Some(ValueKind::Integer),
            Some("boolean") => Some(ValueKind::Boolean),
            Some("array") => Some(ValueKind::Array),
            Some("object") => Some(ValueKind::Object),
            None if self.options.is_some() => Some(ValueKind::Enum),
            _ => None,
        }
    }

    /// The nullable tuple `[name, "null"]` primitive properties are written with.
    pub fn nullable(name: &str) -> Value {
        Value::Array(vec![
            Value::String(name.into()),
            Value::String("null".into()),
        ])
    }
}
