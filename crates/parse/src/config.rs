//! ParseConfig (spec §6.4): read from the request's JSON, echoed back with our defaults.
//! The helper owning this crate extends it; the server only uses `from_json` / `to_json`.

use serde_json::{Map, Value, json};

use crate::error::{Error, Result};

/// The effective parse configuration.
#[derive(Debug, Clone)]
pub struct ParseConfig {
    /// `target`: `markdown` (default) or `spatial`.
    pub target: String,
    /// `chunkingStrategy.type`: `page` (default), `document` or `section`.
    pub chunking: String,
    /// The request's JSON with defaults filled in, echoed as the run's `config`.
    raw: Map<String, Value>,
}

impl Default for ParseConfig {
    fn default() -> Self {
        Self::from_json(&Value::Null).unwrap_or(Self {
            target: "markdown".into(),
            chunking: "page".into(),
            raw: Map::new(),
        })
    }
}

impl ParseConfig {
    /// Reads a ParseConfig; `null`/absent means all defaults. Errors name the bad key.
    pub fn from_json(value: &Value) -> Result<Self> {
        let mut raw = match value {
            Value::Null => Map::new(),
            Value::Object(m) => m.clone(),
            _ => return Err(Error::InvalidConfig("config must be an object".into())),
        };
        let target = match raw.get("target") {
            None | Some(Value::Null) => "markdown".to_string(),
            Some(Value::String(s)) if s == "markdown" || s == "spatial" => s.clone(),
            Some(other) => {
                return Err(Error::InvalidConfig(format!(
                    "config.target must be \"markdown\" or \"spatial\", not {other}"
                )));
            }
        };
        let chunking = match raw.get("chunkingStrategy").and_then(|c| c.get("type")) {
            None | Some(Value::Null) => "page".to_string(),
            Some(Value::String(s)) if ["page", "document", "section"].contains(&s.as_str()) => {
                s.clone()
            }
            Some(other) => {
                return Err(Error::InvalidConfig(format!(
                    "config.chunkingStrategy.type must be page, document or section, not {other}"
                )));
            }
        };
        raw.insert("target".into(), json!(target));
        raw.entry("engine").or_insert(json!("parse_performance"));
        raw.entry("engineVersion").or_insert(json!("latest"));
        let strategy = raw
            .entry("chunkingStrategy")
            .or_insert_with(|| json!({}));
        if let Value::Object(s) = strategy {
            s.insert("type".into(), json!(chunking));
        }
        Ok(Self {
            target,
            chunking,
            raw,
        })
    }

    /// The effective config as the run's `config`.
    pub fn to_json(&self) -> Value {
        Value::Object(self.raw.clone())
    }
}
