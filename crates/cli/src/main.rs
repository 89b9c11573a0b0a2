//! `formsmith`: the command line. A thin shell over the libraries: parse flags, read files,
//! print results, and map errors to `error: CODE: message` with a non-zero exit.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod batch;

use clap::{Parser, Subcommand};
use formsmith_engine::{
    FillOptions, Form, OpenOptions, SaveOptions, values_from_json, values_from_xfdf,
};
use formsmith_schema::{EditContext, EditRequest, Error, GenerateOptions, detected, edit};

type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Parser)]
#[command(
    name = "formsmith",
    version,
    about = "Fill PDF forms correctly, offline."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// One Command is parsed per process: the size of `Serve`'s flattened server config costs
// nothing worth boxing it for.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// List the form's fields.
    Fields {
        /// The PDF form.
        pdf: PathBuf,
        /// Print a JSON array (one object per field) instead of a table.
        #[arg(long)]
        json: bool,
        /// Password of an encrypted PDF.
        #[arg(long)]
        password: Option<String>,
    },
    /// Print the form's edit schema (EditRootJson): one property per fillable field.
    Schema {
        /// The PDF form.
        pdf: PathBuf,
        #[command(flatten)]
        generation: GenerationArgs,
        /// Password of an encrypted PDF.
        #[arg(long)]
        password: Option<String>,
    },
    /// Fill the form and write the result: from field values (--values), from an edit schema
    /// (--schema, with --instructions for properties without extend_edit:value), or from
    /// instructions alone (the schema is generated from the form).
    Fill {
        /// The PDF form.
        pdf: PathBuf,
        /// Values by field name: a JSON object (name -> value) or an XFDF file (.xfdf).
        #[arg(long, conflicts_with = "schema")]
        values: Option<PathBuf>,
        /// An edit schema (EditRootJson); prints filledValues and metrics as JSON.
        #[arg(long)]
        schema: Option<PathBuf>,
        /// Plain-language values ("Name: Jordan Avery; check Single").
        #[arg(long, conflicts_with = "values")]
        instructions: Option<String>,
        /// Where to write the filled PDF. With --rows, a pattern: `{row}` (1-based) and
        /// `{column}` (that row's cell) make one file per row, e.g. 'out/{last_name}-{row}.pdf'.
        #[arg(short, long)]
        output: PathBuf,
        /// Fill once per row (a mail merge): a CSV file whose header names the fields, or
        /// JSON Lines (.jsonl) of objects as --values takes them. Every column is checked
        /// against the form first; a bad row is reported and skipped, and the exit status is
        /// 2 if any row failed.
        #[arg(long, conflicts_with_all = ["values", "schema", "instructions"])]
        rows: Option<PathBuf>,
        /// With --rows: rows filled at once (default: one per core).
        #[arg(long, requires = "rows")]
        jobs: Option<usize>,
        /// Print the summary as JSON (with --values: the values written and the warnings;
        /// with --rows: the batch summary). --schema and --instructions always print JSON.
        #[arg(long)]
        json: bool,
        /// Draw the values into the pages and remove the form.
        #[arg(long)]
        flatten: bool,
        /// How the schema is generated when --schema is not given.
        #[command(flatten)]
        generation: GenerationArgs,
        /// Password of an encrypted PDF.
        #[arg(long)]
        password: Option<String>,
        /// Cut text longer than a field's MaxLen instead of refusing it (--values only).
        #[arg(long)]
        truncate: bool,
        /// Rewrite the whole file instead of appending an incremental update (--values only).
        #[arg(long)]
        full_rewrite: bool,
        /// Print each filled value and where it came from (the instruction's words, the
        /// record path, or extend_edit:value) to stderr.
        #[arg(long)]
        explain: bool,
        /// A language model for --instructions (off unless --llm-url is given).
        #[command(flatten)]
        llm: formsmith_llm::LlmArgs,
    },
    /// Find the fillable areas printed on flat pages (boxes, rules, comb rows, check boxes,
    /// signature lines) with their labels; print them, print them as an edit schema, or
    /// write a copy of the PDF with real form fields there.
    Detect {
        /// The PDF.
        pdf: PathBuf,
        /// Print the detected fields as an edit schema (EditRootJson): bbox-only properties.
        #[arg(long, conflicts_with = "make_fillable")]
        json: bool,
        /// Write a copy with AcroForm fields (text, comb, check box, signature) at the
        /// detected places, named like the schema's keys (needs -o).
        #[arg(long, requires = "output")]
        make_fillable: bool,
        /// Where --make-fillable writes the PDF.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Pages to read (1-based, comma separated); default: every page without form
        /// fields.
        #[arg(long, value_delimiter = ',')]
        pages: Option<Vec<usize>>,
        /// Password of an encrypted PDF.
        #[arg(long)]
        password: Option<String>,
        /// Score detection on a fillable PDF: its widgets are removed, detection runs on
        /// what is left, and each detection is matched to a widget (same page and type,
        /// IoU ≥ 0.5); prints precision, recall and F1 per type and what was missed.
        #[arg(long, conflicts_with_all = ["json", "make_fillable", "pages"])]
        eval: bool,
        /// With --eval: write a PNG of each page with a miss into this directory, the
        /// evaluation drawn over the page (matched widgets green, missed widgets red —
        /// dashed where the page draws nothing —, detections that match nothing blue).
        #[arg(long, requires = "eval", value_name = "DIR")]
        overlay: Option<PathBuf>,
    },
    /// Parse a document (PDF, image, office file) into markdown chunks with located blocks
    /// and print the ParseRun output JSON (`{"chunks": [...]}`).
    Parse {
        /// The document.
        file: PathBuf,
        /// A ParseConfig JSON file (target, chunkingStrategy, blockOptions, advancedOptions).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Print only the markdown: the chunks' content, one after another.
        #[arg(long)]
        markdown: bool,
        /// Password of an encrypted PDF.
        #[arg(long)]
        password: Option<String>,
    },
    /// Run the HTTP API (Extend's Edit API) on a SQLite store and a local file store.
    Serve {
        #[command(flatten)]
        config: formsmith_server::Config,
    },
    /// Manage API keys of a server's data directory.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

/// How a schema is generated from the form (`schema`, and `fill` without --schema).
#[derive(clap::Args)]
struct GenerationArgs {
    /// One enum property per radio group instead of one boolean per option.
    #[arg(long)]
    radio_enums: bool,
    /// Use only the form's own (AcroForm) fields: no fields detected on pages without
    /// widgets (the API's nativeFieldsOnly).
    #[arg(long)]
    native_only: bool,
    /// Add root-level rules read from the form ("If yes, explain" is required when Yes is
    /// checked): the API's conditionalGenerationEnabled.
    #[arg(long)]
    conditional: bool,
    /// Steer generation in plain words ("only page 1; skip the signature block; keep the
    /// PDF's field names"): the API's schemaGenerationInstructions (README lists the
    /// phrasings understood).
    #[arg(long, value_name = "TEXT")]
    generation_instructions: Option<String>,
}

impl GenerationArgs {
    fn options(&self) -> formsmith_schema::SchemaOptions {
        formsmith_schema::SchemaOptions {
            generate: GenerateOptions {
                radio_enums: self.radio_enums,
            },
            detect_flat_pages: !self.native_only,
            conditional_rules: self.conditional,
            instructions: self.generation_instructions.clone(),
        }
    }
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create an API key and print it (it is stored hashed and shown only this once).
    Create {
        /// Workspace of the key (created when missing); default `ws_default`. With
        /// --organization: a workspace to create in the organization.
        #[arg(long)]
        workspace: Option<String>,
        /// An organization key: valid for every workspace of the organization; requests
        /// name theirs with the x-extend-workspace-id header.
        #[arg(long)]
        organization: bool,
        /// The server's data directory.
        #[arg(long, env = "FORMSMITH_DATA_DIR", default_value = "./formsmith-data")]
        data_dir: PathBuf,
    },
}

/// Tesseract's OpenMP runtime sizes its thread pool from `OMP_THREAD_LIMIT` when the
/// library is loaded (on the first page that needs OCR); unset, a scanned page took 19 s
/// instead of 3 on two shared cores (see README, Scanned pages). Setting the variable from
/// Rust is not safe once threads run (and the workspace forbids unsafe code), so a command
/// that may read a scanned page runs itself again once with it set. The others (`--version`,
/// `--help`, `keys`, `fields`) never load tesseract and start at once.
#[cfg(unix)]
fn limit_openmp_threads() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("OMP_THREAD_LIMIT").is_some() {
        return;
    }
    let may_read_scans = std::env::args().nth(1).is_some_and(|command| {
        matches!(
            command.as_str(),
            "serve" | "parse" | "detect" | "fill" | "schema"
        )
    });
    if !may_read_scans {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let error = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("OMP_THREAD_LIMIT", "1")
        .exec();
    // Only reached when exec failed: go on as we are.
    eprintln!("note: could not restart with OMP_THREAD_LIMIT=1 ({error}); OCR may be slow");
}

fn main() -> ExitCode {
    #[cfg(unix)]
    limit_openmp_threads();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { config } => return serve(config),
        Command::Parse {
            file,
            config,
            markdown,
            password,
        } => {
            return match parse_command(&file, config.as_deref(), markdown, password.as_deref()) {
                Ok(()) => ExitCode::SUCCESS,
                Err((code, message)) => {
                    eprintln!("error: {code}: {message}");
                    ExitCode::from(2)
                }
            };
        }
        Command::Keys { command } => return keys(command),
        Command::Fill {
            pdf,
            rows: Some(rows),
            output,
            flatten,
            truncate,
            password,
            jobs,
            json,
            ..
        } => {
            let request = batch::BatchRequest {
                pdf,
                rows,
                output: output.to_string_lossy().into_owned(),
                flatten,
                truncate,
                password,
                jobs,
                json,
            };
            return match batch::run(&request) {
                Ok(summary) => {
                    batch::report(&summary, &request);
                    if summary.failed.is_empty() {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(2)
                    }
                }
                Err((code, message)) => {
                    eprintln!("error: {code}: {message}");
                    ExitCode::from(2)
                }
            };
        }
        Command::Detect {
            pdf,
            json,
            make_fillable,
            output,
            pages,
            password,
            eval,
            overlay,
        } => {
            if eval {
                return match detect_eval(&pdf, password, overlay.as_deref()) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err((code, message)) => {
                        eprintln!("error: {code}: {message}");
                        ExitCode::from(2)
                    }
                };
            }
            let request = DetectRequest {
                pdf,
                json,
                make_fillable,
                output,
                pages,
                password,
            };
            return match detect_command(request) {
                Ok(()) => ExitCode::SUCCESS,
                Err((code, message)) => {
                    eprintln!("error: {code}: {message}");
                    ExitCode::from(2)
                }
            };
        }
        _ => {}
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}: {e}", e.reason().code());
            ExitCode::from(2)
        }
    }
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

/// `formsmith serve`: runs until Ctrl-C or SIGTERM.
fn serve(config: formsmith_server::Config) -> ExitCode {
    formsmith_server::init_logging();
    let result = runtime()
        .map_err(|e| ("INTERNAL_ERROR", e.to_string()))
        .and_then(|rt| {
            rt.block_on(async {
                let server = formsmith_server::start(config).await.map_err(|e| {
                    // A flag that does not hold together is the operator's to fix, not ours.
                    let code = match e {
                        formsmith_server::StartError::Config(_) => "INVALID_OPTIONS",
                        _ => "INTERNAL_ERROR",
                    };
                    (code, e.to_string())
                })?;
                eprintln!("formsmith: listening on {}", server.url());
                server.run_until_signal().await;
                Ok::<(), (&str, String)>(())
            })
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, e)) => {
            eprintln!("error: {code}: {e}");
            ExitCode::from(2)
        }
    }
}

/// `formsmith keys create`.
fn keys(command: KeysCommand) -> ExitCode {
    let KeysCommand::Create {
        workspace,
        organization,
        data_dir,
    } = command;
    let result = runtime().map_err(|e| e.to_string()).and_then(|rt| {
        rt.block_on(formsmith_server::create_key(
            &data_dir,
            workspace.as_deref(),
            organization,
        ))
        .map_err(|e| e.to_string())
    });
    match result {
        Ok(key) => {
            print(&key);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: INTERNAL_ERROR: {e}");
            ExitCode::from(2)
        }
    }
}

fn engine_error(e: formsmith_engine::Error) -> Error {
    Error::Engine(e)
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        engine_error(formsmith_engine::Error::BadValues(format!(
            "cannot read {}: {e}",
            path.display()
        )))
    })
}

/// A path that cannot be read (missing, a directory, no permission) is a bad argument,
/// not a corrupt file: INVALID_OPTIONS, like the other files the commands read.
fn read_pdf(pdf: &Path) -> Result<Vec<u8>> {
    std::fs::read(pdf).map_err(|e| {
        engine_error(formsmith_engine::Error::Unreadable(format!(
            "cannot read {}: {e}",
            pdf.display()
        )))
    })
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| {
        engine_error(formsmith_engine::Error::Internal(format!(
            "cannot write {}: {e}",
            path.display()
        )))
    })
}

/// Prints to stdout; a closed pipe (`| head`) ends quietly instead of panicking.
fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string_pretty(value)
        .map_err(|e| engine_error(formsmith_engine::Error::Internal(e.to_string())))
}

fn open(bytes: &[u8], password: Option<String>) -> Result<Form> {
    Ok(Form::open(
        bytes,
        &OpenOptions {
            password,
            ..OpenOptions::default()
        },
    )?)
}

/// Reads an `image_url` of a schema: a data: URL, a file:// URL, or a path relative to `base`.
fn load_image(base: &Path, url: &str) -> std::result::Result<Vec<u8>, String> {
    if let Some(bytes) = formsmith_schema::images::decode_data_url(url) {
        return bytes;
    }
    if url.starts_with("http://") || url.starts_with("https://") {
        return Err(
            "the command line reads local files and data: URLs only; download the image first"
                .into(),
        );
    }
    let path = url.strip_prefix("file://").unwrap_or(url);
    std::fs::read(base.join(path)).map_err(|e| e.to_string())
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Fields {
            pdf,
            json,
            password,
        } => {
            let bytes = read_pdf(&pdf)?;
            let form = open(&bytes, password.clone())?;
            // What each field means (label and where it came from, semantic type, entity,
            // part), from the printed page, the tooltip and the name: the field model.
            let text = formsmith_schema::page_text(&bytes, &form, password.as_deref());
            let model = formsmith_schema::fieldmodel::build(&form, &text);
            if json {
                let mut listed = Vec::with_capacity(form.fields().len());
                for (field, info) in form.fields().iter().zip(&model.fields) {
                    let internal = |e: serde_json::Error| {
                        engine_error(formsmith_engine::Error::Internal(e.to_string()))
                    };
                    let mut value = serde_json::to_value(field).map_err(internal)?;
                    let mut meaning = serde_json::to_value(info).map_err(internal)?;
                    if let Some(m) = meaning.as_object_mut() {
                        m.remove("name");
                    }
                    if let Some(object) = value.as_object_mut() {
                        object.insert("meaning".into(), meaning);
                    }
                    listed.push(value);
                }
                print(&to_json(&listed)?);
            } else {
                for (f, info) in form.fields().iter().zip(&model.fields) {
                    let kind = serde_json::to_value(f.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default();
                    print(&format!(
                        "{:<10} {:<50} {:<18} {:<40} {}",
                        kind,
                        f.name,
                        info.semantic.token(),
                        info.label.as_deref().unwrap_or("-"),
                        f.value
                    ));
                }
            }
            Ok(())
        }
        Command::Schema {
            pdf,
            generation,
            password,
        } => {
            let bytes = read_pdf(&pdf)?;
            let form = open(&bytes, password.clone())?;
            let labels = formsmith_schema::printed_labels(&bytes, &form, password.as_deref());
            let built = formsmith_schema::build_schema(
                &bytes,
                &form,
                password.as_deref(),
                labels.as_ref(),
                &generation.options(),
            );
            for w in &built.warnings {
                eprintln!("warning: {w}");
            }
            print(&to_json(&built.schema)?);
            Ok(())
        }
        Command::Fill {
            pdf,
            values: Some(values),
            output,
            flatten,
            password,
            truncate,
            full_rewrite,
            json,
            ..
        } => {
            let values_path = values.clone();
            let raw = read(&values)?;
            let is_xml = raw.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<');
            let values = if is_xml {
                values_from_xfdf(&raw)?
            } else {
                let json: serde_json::Value = serde_json::from_slice(&raw).map_err(|e| {
                    engine_error(formsmith_engine::Error::BadValues(format!(
                        "{}: {e}",
                        values.display()
                    )))
                })?;
                let base = values.parent().map(Path::to_path_buf).unwrap_or_default();
                values_from_json(&json, &|p| {
                    std::fs::read(base.join(p)).map_err(|e| {
                        formsmith_engine::Error::BadValues(format!("cannot read {p}: {e}"))
                    })
                })?
            };
            let mut form = open(&read_pdf(&pdf)?, password)?;
            let field_count = form.fields().len();
            let report = form.fill(&values, &FillOptions { truncate })?;
            let out = form.save(&SaveOptions {
                flatten,
                full_rewrite,
            })?;
            write_file(&output, &out)?;
            for w in &report.warnings {
                eprintln!("warning: {w}");
            }
            if json {
                print(&to_json(&report)?);
            } else {
                // One line for people: what was written where.
                print(&format!(
                    "filled {} of {} fields of {} from {} into {}{}",
                    report.filled.len(),
                    field_count,
                    pdf.display(),
                    values_path.display(),
                    output.display(),
                    if flatten { " (flattened)" } else { "" }
                ));
            }
            Ok(())
        }
        Command::Fill {
            pdf,
            schema,
            instructions,
            output,
            flatten,
            generation,
            password,
            llm,
            explain,
            ..
        } => {
            if schema.is_none() && instructions.is_none() {
                return Err(Error::EmptySchema(
                    "nothing to fill: give --values, --schema or --instructions".into(),
                ));
            }
            let base = schema
                .as_deref()
                .and_then(Path::parent)
                .map(Path::to_path_buf)
                .unwrap_or_default();
            let schema = match &schema {
                Some(path) => Some(serde_json::from_slice(&read(path)?).map_err(|e| {
                    Error::InvalidOptions(vec![formsmith_schema::Violation {
                        path: String::new(),
                        message: format!("{} is not JSON: {e}", path.display()),
                    }])
                })?),
                None => None,
            };
            let bytes = read_pdf(&pdf)?;
            let request = EditRequest {
                schema,
                instructions,
                flatten,
                generation: generation.options(),
                password,
            };
            let resolver = llm.resolver().map_err(|message| {
                Error::InvalidOptions(vec![formsmith_schema::Violation {
                    path: "--llm-url".into(),
                    message,
                }])
            })?;
            let context = EditContext {
                resolver: resolver.as_ref(),
                load_image: &|url| load_image(&base, url),
                labels: &formsmith_schema::printed_labels,
            };
            let outcome = edit(&bytes, &request, &context)?;
            write_file(&output, &outcome.pdf)?;
            for w in &outcome.warnings {
                eprintln!("warning: {w}");
            }
            if explain {
                for (key, value) in &outcome.filled_values {
                    let source = outcome
                        .sources
                        .get(key)
                        .map_or("(not recorded)", String::as_str);
                    eprintln!("{key} = {value}\n    from {source}");
                }
            }
            print(&to_json(&serde_json::json!({
                "filledValues": outcome.filled_values,
                "valueSources": outcome.sources,
                "metrics": outcome.metrics,
                "warnings": outcome.warnings,
            }))?);
            Ok(())
        }
        // Handled in main before run.
        Command::Serve { .. }
        | Command::Keys { .. }
        | Command::Detect { .. }
        | Command::Parse { .. } => Ok(()),
    }
}

/// `formsmith parse`: errors as (failure reason code, message).
fn parse_command(
    file: &std::path::Path,
    config: Option<&std::path::Path>,
    markdown: bool,
    password: Option<&str>,
) -> std::result::Result<(), (&'static str, String)> {
    let bytes = std::fs::read(file).map_err(|e| {
        (
            "UNABLE_TO_DOWNLOAD_FILE",
            format!("cannot read {}: {e}", file.display()),
        )
    })?;
    let config_json = match config {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                (
                    "INVALID_CONFIG_OPTIONS",
                    format!("cannot read {}: {e}", path.display()),
                )
            })?;
            serde_json::from_str(&text).map_err(|e| {
                (
                    "INVALID_CONFIG_OPTIONS",
                    format!("{} is not JSON: {e}", path.display()),
                )
            })?
        }
        None => serde_json::Value::Null,
    };
    let fail = |e: formsmith_parse::Error| (e.reason(), e.to_string());
    let name = file.file_name().and_then(|n| n.to_str());
    let request = formsmith_parse::ParseRequest {
        config: formsmith_parse::ParseConfig::from_json(&config_json).map_err(fail)?,
        password,
        file_name: name,
    };
    let outcome = formsmith_parse::parse(&bytes, &request).map_err(fail)?;
    for w in &outcome.warnings {
        eprintln!("warning: {w}");
    }
    let text = if markdown {
        let parts: Vec<&str> = outcome
            .output
            .chunks
            .iter()
            .map(|c| c.content.as_str())
            .collect();
        parts.join("\n\n")
    } else {
        serde_json::to_string_pretty(&outcome.output)
            .map_err(|e| ("FAILED_TO_GENERATE_TARGET_FORMAT", e.to_string()))?
    };
    print(&text);
    Ok(())
}

/// `formsmith detect --eval`: detection scored against the form's own widgets.
fn detect_eval(
    pdf: &std::path::Path,
    password: Option<String>,
    overlay: Option<&Path>,
) -> std::result::Result<(), (&'static str, String)> {
    use formsmith_detect::evaluate;
    let fail = |e: Error| (e.reason().code(), e.to_string());
    let bytes = read_pdf(pdf).map_err(fail)?;
    // Opened first for the documented errors (wrong password, corrupt file, no fields).
    let form = open(&bytes, password).map_err(fail)?;
    if form.fields().is_empty() {
        return Err((
            "INVALID_OPTIONS",
            "--eval needs a fillable PDF: its form fields are the truth".into(),
        ));
    }
    let name = pdf
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let r = evaluate::evaluate_pdf(&name, &bytes, &formsmith_detect::DetectOptions::default());
    if let Some(e) = r.error {
        return Err(("CORRUPT_FILE", e));
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{name}: {} pages, {} scored widgets ({} drawn by the page)",
        r.pages, r.widgets, r.printed_widgets
    );
    for (title, scores) in [("all widgets", &r.scores), ("drawn widgets", &r.printed)] {
        let _ = writeln!(out, "{title}:");
        for (kind, s) in evaluate::KINDS.iter().zip(scores.iter()) {
            let _ = writeln!(
                out,
                "  {:<10} precision {:.3}  recall {:.3}  F1 {:.3}  ({} matched, {} detected, {} widgets)",
                kind.as_str(),
                s.precision(),
                s.recall(),
                s.f1(),
                s.tp,
                s.tp + s.fp,
                s.tp + s.fn_
            );
        }
    }
    if !r.misses.is_empty() {
        let _ = writeln!(
            out,
            "misses (page, FP = detected where no widget is, FN = widget not found):"
        );
        for m in &r.misses {
            let _ = writeln!(out, "  {m}");
        }
    }
    if let Some(dir) = overlay {
        // Drawn over the stripped form: what detection saw, without the widgets' appearances.
        let stripped = evaluate::strip(&bytes).map_err(|e| ("CORRUPT_FILE", e))?;
        std::fs::create_dir_all(dir).map_err(|e| {
            (
                "INVALID_OPTIONS",
                format!("cannot create {}: {e}", dir.display()),
            )
        })?;
        let stem = pdf
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut written = 0;
        for detail in &r.details {
            let missed =
                detail.truths.iter().any(|t| !t.1) || detail.detections.iter().any(|d| !d.1);
            if !missed {
                continue;
            }
            let png = evaluate::overlay_png(&stripped, detail, 72.0)
                .map_err(|e| ("CORRUPT_FILE", e.to_string()))?;
            let file = dir.join(format!("{stem}-p{}.png", detail.page + 1));
            std::fs::write(&file, png).map_err(|e| {
                (
                    "INVALID_OPTIONS",
                    format!("cannot write {}: {e}", file.display()),
                )
            })?;
            written += 1;
        }
        let _ = writeln!(
            out,
            "overlays: {written} page(s) with misses drawn into {}",
            dir.display()
        );
    }
    Ok(())
}

/// `formsmith detect`'s arguments.
struct DetectRequest {
    pdf: PathBuf,
    json: bool,
    make_fillable: bool,
    output: Option<PathBuf>,
    pages: Option<Vec<usize>>,
    password: Option<String>,
}

/// `formsmith detect`: errors as (failure reason code, message).
fn detect_command(r: DetectRequest) -> std::result::Result<(), (&'static str, String)> {
    let fail = |e: Error| (e.reason().code(), e.to_string());
    let bytes = read_pdf(&r.pdf).map_err(fail)?;
    let form = open(&bytes, r.password.clone()).map_err(fail)?;
    let pages: Vec<usize> = match &r.pages {
        Some(list) => {
            let count = form.page_count();
            if let Some(bad) = list.iter().find(|&&p| p == 0 || p > count) {
                return Err((
                    "INVALID_OPTIONS",
                    format!("page {bad} does not exist (pages are 1 to {count})"),
                ));
            }
            list.iter().map(|p| p - 1).collect()
        }
        None => {
            let flat = detected::pages_without_widgets(&form);
            if flat.len() < form.page_count() {
                eprintln!(
                    "note: {} of {} pages have form fields and are skipped (use --pages to read them)",
                    form.page_count() - flat.len(),
                    form.page_count()
                );
            }
            flat
        }
    };
    let found = detected::detect(&bytes, Some(&pages), r.password.as_deref())
        .map_err(|e| (e.reason().code(), e.to_string()))?;
    for w in &found.warnings {
        eprintln!("warning: {w}");
    }
    let schema = detected::detected_schema(&form, &found);
    if r.json {
        print(&to_json(&schema).map_err(fail)?);
        return Ok(());
    }
    if r.make_fillable {
        let Some(output) = &r.output else {
            return Err(("INVALID_OPTIONS", "--make-fillable needs -o".into()));
        };
        let fields = detected::new_fields(&schema, &found);
        let out = formsmith_engine::add_fields(
            &bytes,
            &fields,
            &OpenOptions {
                password: r.password.clone(),
                ..OpenOptions::default()
            },
        )
        .map_err(|e| (e.reason().code(), e.to_string()))?;
        write_file(output, &out).map_err(fail)?;
        let count =
            |k: formsmith_engine::NewFieldKind| fields.iter().filter(|f| f.kind == k).count();
        eprintln!(
            "{}: {} fields ({} text, {} check boxes, {} signatures)",
            output.display(),
            fields.len(),
            count(formsmith_engine::NewFieldKind::Text),
            count(formsmith_engine::NewFieldKind::Checkbox),
            count(formsmith_engine::NewFieldKind::Signature)
        );
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    for (key, p) in &schema.properties {
        let kind = p
            .field_type
            .and_then(|k| serde_json::to_value(k).ok())
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        let b = p.bbox.unwrap_or(formsmith_engine::DisplayBox {
            left: 0.0,
            top: 0.0,
            right: 0.0,
            bottom: 0.0,
        });
        let comb = p
            .text_edit_options
            .as_ref()
            .filter(|o| o.combing == Some(true))
            .and_then(|o| o.max_length)
            .map(|n| format!(" comb {n}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "p{:<3} {:<10} [{:6.1} {:6.1} {:6.1} {:6.1}]{comb}  {key}",
            p.page_index.map_or(0, |i| i + 1),
            kind,
            b.left,
            b.top,
            b.right,
            b.bottom,
        );
    }
    Ok(())
}
