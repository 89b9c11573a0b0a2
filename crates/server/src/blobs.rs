//! The local file store: one file per blob under `<data_dir>/blobs/`, written to
//! `<data_dir>/tmp/` first, synced, then renamed into place, so a crash leaves either the
//! whole blob or nothing (a stray temp file is removed at the next start).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::ids::random_base62;

/// The blob directory of a data dir.
#[derive(Debug, Clone)]
pub struct Blobs {
    dir: PathBuf,
    tmp: PathBuf,
}

/// Creates `dir` (and parents) and makes it 0700: the data dir holds secrets and callers'
/// files. The mode is set explicitly, whatever the umask or an older mode.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Creates `path` if missing and makes it 0600.
pub fn private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    drop(options.open(path)?);
    private_file_if_exists(path)
}

/// Makes `path` 0600 if it exists (files made before modes were set, SQLite's WAL/SHM).
pub fn private_file_if_exists(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Options that create a new file 0600 (umask can only take bits away).
pub fn private_create() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 255 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn invalid(id: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("bad blob id {id:?}"),
    )
}

impl Blobs {
    /// Opens (creating) `<data_dir>/blobs` and empties `<data_dir>/tmp`.
    pub fn open(data_dir: &Path) -> std::io::Result<Self> {
        let dir = data_dir.join("blobs");
        let tmp = data_dir.join("tmp");
        private_dir(data_dir)?;
        private_dir(&dir)?;
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)?;
        }
        private_dir(&tmp)?;
        Ok(Self { dir, tmp })
    }

    fn path(&self, id: &str) -> std::io::Result<PathBuf> {
        if valid_id(id) {
            Ok(self.dir.join(id))
        } else {
            Err(invalid(id))
        }
    }

    /// Writes a blob atomically (temp file, fsync, rename, fsync of the directory).
    pub fn put(&self, id: &str, bytes: &[u8]) -> std::io::Result<()> {
        let target = self.path(id)?;
        let temp = self.tmp.join(format!("{id}.{}", random_base62(8)));
        let result = (|| {
            let mut f = private_create().open(&temp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            std::fs::rename(&temp, &target)?;
            std::fs::File::open(&self.dir)?.sync_all()
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        result
    }

    /// Reads a whole blob.
    pub fn get(&self, id: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.path(id)?)
    }

    /// Removes a blob (missing is fine).
    pub fn delete(&self, id: &str) -> std::io::Result<()> {
        match std::fs::remove_file(self.path(id)?) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Removes blobs that no file record names (left by a crash between writing a blob
    /// and committing its record). Returns how many.
    pub fn sweep(&self, known: &std::collections::HashSet<String>) -> std::io::Result<usize> {
        let mut removed = 0;
        for entry in std::fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !known.contains(&name) {
                std::fs::remove_file(entry.path())?;
                removed += 1;
            } else {
                // Blobs written before modes were set explicitly.
                private_file_if_exists(&entry.path())?;
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_delete_sweep() {
        let dir = std::env::temp_dir().join(format!("formsmith-blobs-{}", random_base62(8)));
        let blobs = Blobs::open(&dir).expect("open");
        blobs.put("file_a", b"hello").expect("put");
        blobs.put("file_b", b"bye").expect("put");
        assert_eq!(blobs.get("file_a").expect("get"), b"hello");
        assert!(blobs.put("../x", b"no").is_err());
        blobs.delete("file_a").expect("delete");
        blobs.delete("file_a").expect("delete twice");
        assert!(blobs.get("file_a").is_err());
        let known = ["file_c".to_string()].into_iter().collect();
        assert_eq!(blobs.sweep(&known).expect("sweep"), 1);
        assert!(
            std::fs::read_dir(dir.join("tmp"))
                .expect("tmp")
                .next()
                .is_none()
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
