//! Validation of values against an edit schema (placeholder; being written).
