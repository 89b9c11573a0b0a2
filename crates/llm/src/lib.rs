//! An [`InstructionResolver`] that asks a language model, through any OpenAI-compatible
//! chat-completions endpoint (OpenAI, vLLM, Ollama, llama.cpp's server, LM Studio).
//!
//! Off by default: Formsmith is offline unless the operator names an endpoint
//! (`--llm-url` / `FORMSMITH_LLM_URL`). The prompt carries the field model (each property's
//! key, the "Expects …" sentence the schema generator wrote, type, options, length) and the
//! request; the answer is constrained by a JSON Schema response format where the server
//! supports it (a plain JSON-object format where it does not). The model's answer is then
//! treated like a record the user sent: only asked-for keys are kept, and the offline
//! resolver checks and shapes every value (options, dates, digit groups, lengths) exactly as
//! it does its own, so a model cannot write what the offline resolver would refuse.
//!
//! Failure is loud: an endpoint that stays unreachable, keeps answering 5xx/429 past the
//! retries, refuses, or answers no JSON object sets [`Resolution::failure`] and the run fails
//! with a message naming the cause, rather than filling a form with half the answers.

use std::time::Duration;

use formsmith_schema::{EditJson, EditRootJson, InstructionResolver, Resolution, RuleResolver, ValueKind};
use serde_json::{Map, Value, json};

/// Longest instructions sent, in bytes (the offline resolver reads as much).
const MAX_INSTRUCTION_BYTES: usize = 64 * 1024;
/// Longest description sent per field; the rest of a long description is noise to a model.
const MAX_DESCRIPTION_CHARS: usize = 300;
/// Longest wait a 429's Retry-After is honoured for; beyond it the run fails instead.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);
/// Longest error body quoted in a failure message.
const MAX_QUOTED_BYTES: usize = 300;

const SYSTEM_PROMPT: &str = "You fill in PDF forms. You receive the form's fields as a JSON \
array (key, what the field expects, value type, options, maximum length) and a request written \
by a person or sent by a system (sentences, a data record, label: value lines; any language). \
Answer with one JSON object: keys are field keys, values are what belongs in that field \
according to the request.\n\
Rules:\n\
- Use only facts the request states. Never invent, guess or complete a value.\n\
- Leave a field out when the request does not give its value, when you are unsure, or when \
the field is about a different person or thing than the request describes.\n\
- Choice fields: answer exactly one of the listed options. Check boxes (boolean): true when \
the request says yes to it, false when it says no; leave out otherwise.\n\
- Split values the way the form asks: a first-name field takes only the first name, an \
area-code field only the area code, a month field only the month; write dates in the format \
the field expects when it says one.\n\
- Values in the request that belong in no field stay out of the answer.";

/// Which fields the model is asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LlmMode {
    /// Every field not pinned by the schema: the model answers, the offline resolver checks.
    #[default]
    All,
    /// The offline resolver first; the model only for the fields it left blank.
    Blanks,
}

/// Where and how to reach the model.
#[derive(Debug, Clone)]
pub struct LlmConfig {
    /// The API's base URL (`http://127.0.0.1:11434/v1`), or the full chat-completions URL.
    pub base_url: String,
    pub model: String,
    /// Sent as the Bearer token when set.
    pub api_key: Option<String>,
    /// For one request, connection to last byte.
    pub timeout: Duration,
    /// Further attempts after a transport error, a timeout, 429, 5xx or an unreadable answer.
    pub retries: u32,
    pub mode: LlmMode,
}

impl LlmConfig {
    /// The chat-completions URL.
    fn endpoint(&self) -> String {
        let base = self.base_url.trim_end_matches('/');
        if base.ends_with("/chat/completions") {
            base.to_string()
        } else {
            format!("{base}/chat/completions")
        }
    }
}

/// Command-line flags (and their environment variables) shared by `formsmith fill` and
/// `formsmith serve`. The API key is read from `FORMSMITH_LLM_API_KEY` only, so it never
/// shows in a process list.
#[derive(Debug, Clone, clap::Args)]
pub struct LlmArgs {
    /// Base URL of an OpenAI-compatible API (e.g. http://127.0.0.1:11434/v1) used to resolve
    /// instructions; unset: the offline resolver only. Key: FORMSMITH_LLM_API_KEY.
    #[arg(long = "llm-url", env = "FORMSMITH_LLM_URL")]
    pub url: Option<String>,
    /// The model name sent with each request (required with --llm-url).
    #[arg(long = "llm-model", env = "FORMSMITH_LLM_MODEL")]
    pub model: Option<String>,
    /// all: the model answers every field, the offline resolver checks; blanks: the offline
    /// resolver first, the model for what it left blank.
    #[arg(long = "llm-mode", env = "FORMSMITH_LLM_MODE", value_enum, default_value_t = LlmMode::All)]
    pub mode: LlmMode,
    /// Seconds one model request may take.
    #[arg(long = "llm-timeout-secs", env = "FORMSMITH_LLM_TIMEOUT_SECS", default_value_t = 60)]
    pub timeout_secs: u64,
    /// Further attempts after a timeout, 429, 5xx or an unreadable answer.
    #[arg(long = "llm-retries", env = "FORMSMITH_LLM_RETRIES", default_value_t = 2)]
    pub retries: u32,
}

/// The flags' defaults: no endpoint.
impl Default for LlmArgs {
    fn default() -> Self {
        Self { url: None, model: None, mode: LlmMode::All, timeout_secs: 60, retries: 2 }
    }
}

impl LlmArgs {
    /// The model configuration, `None` when no endpoint is set; an error names what is missing.
    pub fn config(&self) -> Result<Option<LlmConfig>, String> {
        let Some(url) = self.url.as_deref().map(str::trim).filter(|u| !u.is_empty()) else {
            return Ok(None);
        };
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!("--llm-url must be an http(s) URL, not {url:?}"));
        }
        let model = self
            .model
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .ok_or("--llm-url needs --llm-model (or FORMSMITH_LLM_MODEL): the model name the endpoint serves")?;
        Ok(Some(LlmConfig {
            base_url: url.to_string(),
            model: model.to_string(),
            api_key: std::env::var("FORMSMITH_LLM_API_KEY").ok().filter(|k| !k.is_empty()),
            timeout: Duration::from_secs(self.timeout_secs.max(1)),
            retries: self.retries,
            mode: self.mode,
        }))
    }

    /// The resolver these flags ask for: the model's when an endpoint is set, else the offline one.
    pub fn resolver(&self) -> Result<Box<dyn InstructionResolver>, String> {
        Ok(match self.config()? {
            Some(config) => Box::new(LlmResolver::new(config)),
            None => Box::new(RuleResolver::default()),
        })
    }
}

/// Resolves instructions with a language model; see the crate docs.
#[derive(Debug, Clone)]
pub struct LlmResolver {
    config: LlmConfig,
    offline: RuleResolver,
}

impl LlmResolver {
    pub fn new(config: LlmConfig) -> Self {
        Self { config, offline: RuleResolver::default() }
    }
}

impl InstructionResolver for LlmResolver {
    fn resolve(&self, schema: &EditRootJson, instructions: &str, pinned: &Map<String, Value>) -> Resolution {
        let offline = match self.config.mode {
            LlmMode::Blanks => Some(self.offline.resolve(schema, instructions, pinned)),
            LlmMode::All => None,
        };
        let settled: Map<String, Value> = match &offline {
            Some(o) => pinned.iter().chain(o.values.iter()).map(|(k, v)| (k.clone(), v.clone())).collect(),
            None => pinned.clone(),
        };
        let asked: Vec<(&String, &EditJson)> = schema
            .properties
            .iter()
            .filter(|(key, p)| !settled.contains_key(*key) && p.image.is_none())
            .collect();
        let mut resolution = offline.unwrap_or_default();
        if asked.is_empty() {
            return resolution;
        }
        let answer = match self.ask(&asked, instructions) {
            Ok(answer) => answer,
            Err(failure) => {
                resolution.failure = Some(failure);
                return resolution;
            }
        };
        // Keep what was asked; what the model made up is named.
        let mut record = Map::new();
        let mut unknown = Vec::new();
        for (key, value) in answer {
            if value.is_null() {
                continue;
            }
            if asked.iter().any(|(k, _)| **k == key) {
                record.insert(key, value);
            } else {
                unknown.push(key);
            }
        }
        if !unknown.is_empty() {
            unknown.truncate(10);
            resolution.warnings.push(format!(
                "the language model answered for fields the form does not have (ignored): {}",
                unknown.join(", ")
            ));
        }
        if record.is_empty() {
            return resolution;
        }
        // The offline resolver checks and shapes the answer as it would a user's record.
        let checked = self.offline.resolve(schema, &Value::Object(record).to_string(), &settled);
        let from_model = checked.values.len();
        for key in checked.values.keys() {
            resolution.sources.insert(key.clone(), format!("language model {}", self.config.model));
        }
        resolution.values.extend(checked.values);
        resolution
            .warnings
            .extend(checked.warnings.into_iter().map(|w| format!("language model answer: {w}")));
        resolution.warnings.push(format!(
            "{from_model} value(s) came from the language model {} at {}",
            self.config.model,
            host_of(&self.config.base_url)
        ));
        resolution
    }
}

impl LlmResolver {
    /// Asks the model; the answer's JSON object, or why there is none.
    fn ask(&self, asked: &[(&String, &EditJson)], instructions: &str) -> Result<Map<String, Value>, String> {
        let client = reqwest::blocking::Client::builder()
            .timeout(self.config.timeout)
            .build()
            .map_err(|e| format!("could not set up the HTTP client: {e}"))?;
        let fields: Vec<Value> = asked.iter().map(|(key, p)| describe(key, p)).collect();
        let user = format!(
            "Fields:\n{}\n\nRequest:\n{}",
            Value::Array(fields),
            bounded(instructions, MAX_INSTRUCTION_BYTES)
        );
        let mut structured = true;
        let mut attempt = 0;
        let endpoint = self.config.endpoint();
        loop {
            let format = if structured { schema_format(asked) } else { json!({"type": "json_object"}) };
            let body = json!({
                "model": self.config.model,
                "temperature": 0,
                "messages": [
                    {"role": "system", "content": SYSTEM_PROMPT},
                    {"role": "user", "content": user},
                ],
                "response_format": format,
            });
            let mut request = client.post(&endpoint).header("content-type", "application/json").body(body.to_string());
            if let Some(key) = &self.config.api_key {
                request = request.bearer_auth(key);
            }
            let (problem, wait) = match request.send() {
                Err(e) if e.is_timeout() => {
                    (format!("the language model at {endpoint} did not answer within {} s", self.config.timeout.as_secs()), None)
                }
                Err(e) => (format!("could not reach the language model at {endpoint}: {e}"), None),
                Ok(response) => {
                    let status = response.status();
                    let retry_after = response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    let text = match response.text() {
                        Ok(text) => text,
                        Err(e) => format!("(unreadable body: {e})"),
                    };
                    if status.is_success() {
                        match read_answer(&text) {
                            Ok(answer) => return Ok(answer),
                            Err(Answer::Refused(why)) => return Err(format!("the language model refused: {why}")),
                            Err(Answer::Unreadable(why)) => (format!("the language model's answer {why}"), None),
                        }
                    } else if status.as_u16() == 400 && structured && text.to_lowercase().contains("response_format") {
                        // A server without JSON Schema output: ask again for a plain JSON object.
                        structured = false;
                        continue;
                    } else if status.as_u16() == 429 {
                        if retry_after.is_some_and(|w| w > MAX_RETRY_AFTER) {
                            return Err(format!("the language model is rate limited (429) and asks to wait longer than {} s", MAX_RETRY_AFTER.as_secs()));
                        }
                        (format!("the language model is rate limited (429): {}", quote(&text)), retry_after)
                    } else if status.is_server_error() {
                        (format!("the language model answered {status}: {}", quote(&text)), None)
                    } else {
                        // 401, 404, 400 for other reasons: asking again will not help.
                        return Err(format!("the language model at {endpoint} answered {status}: {}", quote(&text)));
                    }
                }
            };
            if attempt >= self.config.retries {
                let tries = attempt + 1;
                return Err(format!("{problem} ({tries} attempt{})", if tries == 1 { "" } else { "s" }));
            }
            std::thread::sleep(wait.unwrap_or_else(|| Duration::from_millis(250 << attempt.min(4))));
            attempt += 1;
        }
    }
}

enum Answer {
    Refused(String),
    Unreadable(String),
}

/// The JSON object in a chat-completions answer (fenced or wrapped in prose is fine).
fn read_answer(body: &str) -> Result<Map<String, Value>, Answer> {
    let body: Value = serde_json::from_str(body).map_err(|_| Answer::Unreadable("was not JSON".into()))?;
    let message = &body["choices"][0]["message"];
    if let Some(refusal) = message["refusal"].as_str().filter(|r| !r.trim().is_empty()) {
        return Err(Answer::Refused(refusal.to_string()));
    }
    let content = message["content"]
        .as_str()
        .ok_or_else(|| Answer::Unreadable("had no message content".into()))?;
    let object = match (content.find('{'), content.rfind('}')) {
        (Some(start), Some(end)) if start < end => &content[start..=end],
        _ => return Err(Answer::Unreadable(format!("held no JSON object: {}", quote(content)))),
    };
    match serde_json::from_str(object) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Answer::Unreadable(format!("held malformed JSON: {}", quote(content)))),
    }
}

/// One field as the model sees it.
fn describe(key: &str, p: &EditJson) -> Value {
    let mut field = Map::new();
    field.insert("key".into(), json!(key));
    if let Some(d) = &p.description {
        field.insert("expects".into(), json!(d.chars().take(MAX_DESCRIPTION_CHARS).collect::<String>()));
    }
    let kind = match p.value_kind() {
        Some(ValueKind::Boolean) => "boolean (check box)",
        Some(ValueKind::Number | ValueKind::Integer) => "number",
        Some(ValueKind::Enum) => "choice",
        Some(ValueKind::Array) => "array of rows",
        Some(ValueKind::Object) => "object",
        _ => "text",
    };
    field.insert("type".into(), json!(kind));
    if let Some(options) = &p.options {
        field.insert("options".into(), json!(options));
        if let Some(labels) = &p.option_descriptions {
            field.insert("optionLabels".into(), json!(labels));
        }
    }
    if let Some(max) = p.text_edit_options.as_ref().and_then(|o| o.max_length) {
        field.insert("maxLength".into(), json!(max));
    }
    Value::Object(field)
}

/// The answer's JSON Schema: every asked key optional and nullable, nothing else allowed.
fn schema_format(asked: &[(&String, &EditJson)]) -> Value {
    let mut properties = Map::new();
    for (key, p) in asked {
        let schema = match p.value_kind() {
            Some(ValueKind::Boolean) => json!({"type": ["boolean", "null"]}),
            Some(ValueKind::Number) => json!({"type": ["number", "null"]}),
            Some(ValueKind::Integer) => json!({"type": ["integer", "null"]}),
            Some(ValueKind::Array | ValueKind::Object) => json!({}),
            _ => match &p.options {
                Some(options) => {
                    let mut allowed: Vec<Value> = options.iter().map(|o| json!(o)).collect();
                    allowed.push(Value::Null);
                    json!({"type": ["string", "null"], "enum": allowed})
                }
                None => json!({"type": ["string", "null"]}),
            },
        };
        properties.insert((*key).clone(), schema);
    }
    json!({
        "type": "json_schema",
        "json_schema": {
            "name": "form_values",
            "strict": false,
            "schema": {"type": "object", "properties": properties, "additionalProperties": false},
        },
    })
}

fn bounded(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn quote(text: &str) -> String {
    let t = bounded(text.trim(), MAX_QUOTED_BYTES);
    if t.len() < text.trim().len() { format!("{t}…") } else { t.to_string() }
}

/// The host of a URL, for messages (never the path or a key in it).
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split('/').next().unwrap_or(rest);
    host.rsplit_once('@').map_or(host, |(_, h)| h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_and_host() {
        let mut c = LlmConfig {
            base_url: "http://u:p@127.0.0.1:11434/v1/".into(),
            model: "m".into(),
            api_key: None,
            timeout: Duration::from_secs(1),
            retries: 0,
            mode: LlmMode::All,
        };
        assert_eq!(c.endpoint(), "http://u:p@127.0.0.1:11434/v1/chat/completions");
        assert_eq!(host_of(&c.base_url), "127.0.0.1:11434");
        c.base_url = "https://api.example/v1/chat/completions".into();
        assert_eq!(c.endpoint(), "https://api.example/v1/chat/completions");
    }

    #[test]
    fn answers_are_read_from_fences_and_refusals_are_seen() {
        let wrap = |content: &str| json!({"choices": [{"message": {"content": content}}]}).to_string();
        let got = read_answer(&wrap("Here you go:\n```json\n{\"a\": \"b\"}\n```")).ok();
        assert_eq!(got.and_then(|m| m.get("a").cloned()), Some(json!("b")));
        assert!(matches!(read_answer(&wrap("no idea")), Err(Answer::Unreadable(_))));
        assert!(matches!(read_answer(&wrap("{\"a\": ")), Err(Answer::Unreadable(_))));
        let refused = json!({"choices": [{"message": {"content": null, "refusal": "I can't"}}]}).to_string();
        assert!(matches!(read_answer(&refused), Err(Answer::Refused(_))));
    }

    #[test]
    fn flags_need_a_model_and_an_http_url() {
        let args = LlmArgs { url: Some("http://x/v1".into()), ..LlmArgs::default() };
        assert!(args.config().is_err());
        let args = LlmArgs { url: Some("file:///etc".into()), model: Some("m".into()), ..LlmArgs::default() };
        assert!(args.config().is_err());
        assert!(LlmArgs::default().config().ok().flatten().is_none());
    }
}
