//! `formsmith`: the command line. A thin shell over the engine: parse flags, read files,
//! print results, and map errors to `error: CODE: message` with a non-zero exit.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use formsmith_engine::{
    Error, FillOptions, Form, OpenOptions, SaveOptions, values_from_json, values_from_xfdf,
};

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
    /// Fill the form with values and write the result.
    Fill {
        /// The PDF form.
        pdf: PathBuf,
        /// Values: a JSON object (field name -> value) or an XFDF file (.xfdf).
        #[arg(long)]
        values: PathBuf,
        /// Where to write the filled PDF.
        #[arg(short, long)]
        output: PathBuf,
        /// Draw the values into the pages and remove the form.
        #[arg(long)]
        flatten: bool,
        /// Password of an encrypted PDF.
        #[arg(long)]
        password: Option<String>,
        /// Cut text longer than a field's MaxLen instead of refusing it.
        #[arg(long)]
        truncate: bool,
        /// Rewrite the whole file instead of appending an incremental update.
        #[arg(long)]
        full_rewrite: bool,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}: {e}", e.reason().code());
            ExitCode::from(2)
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path)
        .map_err(|e| Error::BadValues(format!("cannot read {}: {e}", path.display())))
}

fn open(pdf: &Path, password: Option<String>) -> Result<Form, Error> {
    let bytes = std::fs::read(pdf)
        .map_err(|e| Error::Corrupt(format!("cannot read {}: {e}", pdf.display())))?;
    Form::open(
        &bytes,
        &OpenOptions {
            password,
            ..OpenOptions::default()
        },
    )
}

fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Fields {
            pdf,
            json,
            password,
        } => {
            let form = open(&pdf, password)?;
            if json {
                let text = serde_json::to_string_pretty(form.fields())
                    .map_err(|e| Error::Internal(e.to_string()))?;
                println!("{text}");
            } else {
                for f in form.fields() {
                    let kind = serde_json::to_value(f.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default();
                    println!("{:<10} {:<50} {}", kind, f.name, f.value);
                }
            }
            Ok(())
        }
        Command::Fill {
            pdf,
            values,
            output,
            flatten,
            password,
            truncate,
            full_rewrite,
        } => {
            let raw = read(&values)?;
            let is_xml = raw.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<');
            let values = if is_xml {
                values_from_xfdf(&raw)?
            } else {
                let json: serde_json::Value = serde_json::from_slice(&raw)
                    .map_err(|e| Error::BadValues(format!("{}: {e}", values.display())))?;
                let base = values.parent().map(Path::to_path_buf).unwrap_or_default();
                values_from_json(&json, &|p| read(&base.join(p)))?
            };
            let mut form = open(&pdf, password)?;
            let report = form.fill(&values, &FillOptions { truncate })?;
            let out = form.save(&SaveOptions {
                flatten,
                full_rewrite,
            })?;
            std::fs::write(&output, out)
                .map_err(|e| Error::Internal(format!("cannot write {}: {e}", output.display())))?;
            for w in &report.warnings {
                eprintln!("warning: {w}");
            }
            Ok(())
        }
    }
}
