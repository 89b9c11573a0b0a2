//! What a form's native fields offer to a schema: which take a value, which are groups of
//! options (and their options), and the widget that stands for each.

use formsmith_engine::{Field, FieldType, Form, Widget};

/// A radio group, or a check box whose widgets carry different on-states (one field, several
/// exclusive boxes, as the 1040's filing status): options to choose from.
pub(crate) fn is_option_group(field: &Field) -> bool {
    match field.kind {
        FieldType::Radio => true,
        FieldType::Checkbox => radio_options(field).len() > 1,
        _ => false,
    }
}

/// Whether a value can be written to the field: not a push button, not read-only, and a
/// radio group or list with at least one option (a combo without options that allows typing
/// takes free text).
pub fn is_fillable(field: &Field) -> bool {
    let has_options = field.option_pairs.iter().any(|o| !o.export.is_empty());
    match field.kind {
        FieldType::Button => false,
        _ if field.has_flag("ReadOnly") => false,
        FieldType::Radio => !radio_options(field).is_empty(),
        FieldType::List => has_options,
        FieldType::Combo => has_options || field.has_flag("Edit"),
        _ => true,
    }
}

/// The widget that stands for the field: the first one a viewer shows (on a page, not hidden,
/// inside the visible box), else the first one on a page.
pub fn primary_widget<'a>(form: &Form, field: &'a Field) -> Option<&'a Widget> {
    let visible = |w: &&Widget| {
        let Some(geometry) = w.page.and_then(|p| form.page_geometry(p)) else {
            return false;
        };
        let c = geometry.crop_box;
        let (cx, cy) = ((w.rect[0] + w.rect[2]) / 2.0, (w.rect[1] + w.rect[3]) / 2.0);
        !w.hidden && cx >= c[0] && cx <= c[2] && cy >= c[1] && cy <= c[3]
    };
    field
        .widgets
        .iter()
        .find(visible)
        .or_else(|| field.widgets.iter().find(|w| w.page.is_some()))
}

/// A radio group's options, one per distinct on-state, each with its first widget. The
/// on-state name is the option's identity (it is what /V and /AS hold, and what the engine
/// matches first); /Opt text, when the form has it, is the label.
pub(crate) fn radio_options(field: &Field) -> Vec<(formsmith_engine::FieldOption, &Widget)> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for widget in &field.widgets {
        let Some(state) = widget.on_state.as_deref().filter(|s| !s.is_empty()) else {
            continue;
        };
        if !seen.insert(state.to_string()) {
            continue;
        }
        // The engine keeps (/Opt text, state) pairs for buttons with /Opt.
        let label = field
            .option_pairs
            .iter()
            .find(|o| o.label == state && o.export != state)
            .map(|o| o.export.clone())
            .unwrap_or_else(|| state.to_string());
        out.push((
            formsmith_engine::FieldOption {
                export: state.to_string(),
                label,
            },
            widget,
        ));
    }
    out
}
