//! The cage LibreOffice runs in.
//!
//! A document can make LibreOffice fetch: `<img src>`/`<link>` in HTML, linked images
//! in ODT and DOCX, OLE links, fields such as INCLUDEPICTURE. Run open, that is a blind
//! SSRF past the download guard and a read of any file the server can read (another
//! workspace's blobs). So every conversion runs under bubblewrap with:
//! - no network (`--unshare-all` gives it a network namespace of its own with no
//!   interface but a down loopback);
//! - a file system of `/usr` (read-only), the few `/etc` entries LibreOffice needs to
//!   start (fonts, its own registry, the loader cache), an empty `/tmp`, and the
//!   conversion's private directory at `/job` — nothing of the data directory, `/home`,
//!   `/root` or the rest of `/etc`;
//! - no capabilities, its own PID namespace and session, killed with its parent;
//! - an address-space and CPU-time limit (`ulimit` in the cage's shell).
//!
//! If the cage cannot be set up on a host (no bwrap, namespaces refused), conversion is
//! refused with an error saying so: never run open.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::error::{Error, Result};

/// Where the conversion's private directory appears inside the cage.
pub(crate) const JOB_DIR: &str = "/job";

/// `/etc` entries LibreOffice needs to start; each is bound read-only when present.
/// Deliberately not `/etc/passwd`, `/etc/hosts`, `/etc/resolv.conf` or anything else.
const ETC_ENTRIES: [&str; 5] = [
    "/etc/fonts",
    "/etc/libreoffice",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
];

/// The bubblewrap binary: `FORMSMITH_BWRAP`, else `bwrap` on `PATH`.
pub(crate) fn find_bwrap() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FORMSMITH_BWRAP").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("bwrap"))
        .find(|candidate| candidate.is_file())
}

/// A command that runs `program args…` in the cage, with `job_dir` (host path) as
/// `/job`, at most `memory_bytes` of address space and `cpu_seconds` of CPU.
pub(crate) fn command(
    bwrap: &Path,
    job_dir: &Path,
    program: &Path,
    args: &[String],
    memory_bytes: u64,
    cpu_seconds: u64,
) -> Command {
    let mut cmd = Command::new(bwrap);
    cmd.env_clear()
        .args(["--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL"])
        .args(["--ro-bind", "/usr", "/usr"]);
    // Merged-/usr systems link /bin, /lib… into /usr; older ones have real directories.
    for top in ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"] {
        match std::fs::read_link(top) {
            Ok(target) => {
                cmd.arg("--symlink").arg(target).arg(top);
            }
            Err(_) if Path::new(top).is_dir() => {
                cmd.args(["--ro-bind", top, top]);
            }
            Err(_) => {}
        }
    }
    for entry in ETC_ENTRIES {
        cmd.args(["--ro-bind-try", entry, entry]);
    }
    // LibreOffice installed outside /usr (e.g. /opt/libreoffice24.8): bind its tree.
    if let Some(install) = install_root(program).filter(|root| !root.starts_with("/usr")) {
        cmd.arg("--ro-bind").arg(&install).arg(&install);
    }
    cmd.args(["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"])
        .arg("--bind")
        .arg(job_dir)
        .arg(JOB_DIR)
        .args(["--chdir", JOB_DIR])
        .args(["--setenv", "HOME", JOB_DIR])
        .args(["--setenv", "PATH", "/usr/bin:/bin"])
        .args(["--setenv", "LANG", "C.UTF-8"])
        .args(["--setenv", "TMPDIR", "/tmp"])
        .arg("--")
        // dash's ulimit: -v in KiB, -t in seconds; `exec` so the limits hold for soffice.
        .args(["/bin/sh", "-c", "ulimit -v \"$1\" && ulimit -t \"$2\" && shift 2 && exec \"$@\"", "sh"])
        .arg((memory_bytes / 1024).to_string())
        .arg(cpu_seconds.to_string())
        .arg(program)
        .args(args)
        .stdin(Stdio::null());
    cmd
}

/// The directory a LibreOffice install lives in (`…/program/soffice` → `…`).
fn install_root(program: &Path) -> Option<PathBuf> {
    let real = std::fs::canonicalize(program).ok()?;
    let program_dir = real.parent()?;
    program_dir.parent().map(Path::to_path_buf)
}

/// Checks once per process that the cage can be set up here (bwrap present, namespaces
/// allowed); the error says what is missing.
pub(crate) fn available() -> Result<PathBuf> {
    static PROBE: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    PROBE
        .get_or_init(probe)
        .clone()
        .map_err(|why| Error::ConversionFailed(format!("office conversion is refused: {why}")))
}

fn probe() -> std::result::Result<PathBuf, String> {
    let Some(bwrap) = find_bwrap() else {
        return Err("its sandbox needs bubblewrap (`bwrap`; Debian package bubblewrap), which is not installed \
                    (or set FORMSMITH_BWRAP to its binary)"
            .into());
    };
    let dir = std::env::temp_dir();
    let output = command(&bwrap, &dir, Path::new("/bin/true"), &[], 1 << 30, 10)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run bubblewrap ({}): {e}", bwrap.display()))?;
    if output.status.success() {
        Ok(bwrap)
    } else {
        let why = String::from_utf8_lossy(&output.stderr);
        Err(format!(
            "its sandbox cannot be set up on this host (bubblewrap: {}); allow user or network namespaces for the service",
            why.trim()
        ))
    }
}
