//! A generated schema, end to end: the form's native fields through the field model, the
//! fields detected on pages without widgets, then what the caller asked of generation —
//! generation instructions ([`crate::steer`]: `schemaGenerationInstructions` of an edit,
//! `instructions` of a form detection) and conditional rules read from the form
//! ([`crate::conditions`]: `conditionalGenerationEnabled`). Edits, form detection runs and
//! the CLI all build their schemas here.

use std::time::Duration;

use formsmith_engine::Form;

use crate::detected::{FlatFields, add_detected_with_facts, detect_flat_pages};
use crate::generate::{GenerateOptions, generate_with_facts};
use crate::labels::LabelSource;
use crate::model::EditRootJson;
pub use crate::facts::PropertyFacts;
use crate::steer::GenerationInstructions;

/// How a schema is generated when the caller gives none.
#[derive(Debug, Clone, Default)]
pub struct SchemaOptions {
    /// Choices of generation proper (radio enums).
    pub generate: GenerateOptions,
    /// Add the fields detected on pages without native widgets.
    pub detect_flat_pages: bool,
    /// Add root-level conditional rules read from the form (`conditionalGenerationEnabled`).
    pub conditional_rules: bool,
    /// Generation instructions in plain words (`schemaGenerationInstructions`).
    pub instructions: Option<String>,
}

/// A generated schema and what was found on the way.
#[derive(Debug, Clone, Default)]
pub struct BuiltSchema {
    /// The schema.
    pub schema: EditRootJson,
    /// Fields detected on pages without native widgets (before instructions dropped any).
    pub detected_count: usize,
    /// Time spent detecting fields on flat pages.
    pub detection_time: Duration,
    /// Conditional rules added.
    pub rule_count: usize,
    /// Pages that could not be read, and generation instructions that were not understood.
    pub warnings: Vec<String>,
}

/// Generates the schema of `form` (whose bytes are `pdf`) as `options` ask.
pub fn build_schema(
    pdf: &[u8],
    form: &Form,
    password: Option<&str>,
    labels: &dyn LabelSource,
    options: &SchemaOptions,
) -> BuiltSchema {
    let steering = options
        .instructions
        .as_deref()
        .map(GenerationInstructions::parse)
        .unwrap_or_default();
    let mut warnings: Vec<String> = steering
        .not_understood
        .iter()
        .map(|s| {
            format!(
                "generation instructions: \"{s}\" was not understood and is ignored (the README lists the phrasings understood)"
            )
        })
        .collect();
    let (mut schema, mut facts) = generate_with_facts(form, labels, &options.generate);
    let flat = if options.detect_flat_pages && !steering.native_only {
        detect_flat_pages(pdf, form, password)
    } else {
        FlatFields::default()
    };
    facts.extend(add_detected_with_facts(&mut schema, form, &flat));
    warnings.extend(flat.warnings.iter().cloned());
    steering.apply(&mut schema, &mut facts, form.page_count());
    let rule_count = if options.conditional_rules {
        crate::conditions::add_conditional_rules(&mut schema, &facts)
    } else {
        0
    };
    BuiltSchema {
        schema,
        detected_count: flat.count(),
        detection_time: flat.elapsed,
        rule_count,
        warnings,
    }
}
