//! libtesseract's C API, loaded when the first page needs OCR (`dlopen` through
//! `libloading`), not linked into the binary.
//!
//! Linking tesseract made every `formsmith` process load and relocate it and the ~50
//! libraries it pulls in (leptonica, libcurl, libarchive, ICU, GnuTLS …) before `main`,
//! though most runs never read a scanned page (issue "Speed where users feel it": a
//! `formsmith --version` spent ~20 ms there). Loading it on first use also lets the process
//! set `OMP_THREAD_LIMIT` before libgomp (loaded with tesseract) reads it.
//!
//! Only the stable C API of `tesseract/capi.h` (tesseract 4 and 5) is used; each call is
//! wrapped in a safe method, so `formsmith-detect` (and everything else in the workspace)
//! keeps `unsafe_code = "forbid"`.

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::sync::OnceLock;

/// Sonames tried in turn: Debian's libtesseract5, then 4, then a development symlink.
const LIBRARY_NAMES: &[&str] = &["libtesseract.so.5", "libtesseract.so.4", "libtesseract.so"];

/// `TessPageSegMode::PSM_SPARSE_TEXT`.
pub const PSM_SPARSE_TEXT: c_int = 11;

type Create = unsafe extern "C" fn() -> *mut c_void;
type Delete = unsafe extern "C" fn(*mut c_void);
type Init3 = unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char) -> c_int;
type SetVariable = unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char) -> c_int;
type SetPageSegMode = unsafe extern "C" fn(*mut c_void, c_int);
type SetImage = unsafe extern "C" fn(*mut c_void, *const u8, c_int, c_int, c_int, c_int);
type SetSourceResolution = unsafe extern "C" fn(*mut c_void, c_int);
type Recognize = unsafe extern "C" fn(*mut c_void, *mut c_void) -> c_int;
type GetTsvText = unsafe extern "C" fn(*mut c_void, c_int) -> *mut c_char;
type DeleteText = unsafe extern "C" fn(*const c_char);

/// The functions of the loaded library (the library stays loaded for the process's life).
struct Api {
    create: Create,
    delete: Delete,
    end: Delete,
    init3: Init3,
    set_variable: SetVariable,
    set_page_seg_mode: SetPageSegMode,
    set_image: SetImage,
    set_source_resolution: SetSourceResolution,
    recognize: Recognize,
    get_tsv_text: GetTsvText,
    delete_text: DeleteText,
}

static API: OnceLock<Result<Api, String>> = OnceLock::new();

fn open() -> Result<Api, String> {
    let mut errors = Vec::new();
    for name in LIBRARY_NAMES {
        // SAFETY: loading libtesseract runs its (and its dependencies') initialisers, which
        // only set up their own state.
        match unsafe { libloading::Library::new(name) } {
            Ok(library) => {
                // The library is never unloaded: the function pointers below stay valid.
                let library: &'static libloading::Library = Box::leak(Box::new(library));
                return resolve(library).map_err(|e| format!("{name}: {e}"));
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    Err(format!(
        "libtesseract is not installed (install the Debian package libtesseract5 and \
         tesseract-ocr-eng): {}",
        errors.join("; ")
    ))
}

fn resolve(library: &'static libloading::Library) -> Result<Api, String> {
    fn symbol<T: Copy>(library: &'static libloading::Library, name: &str) -> Result<T, String> {
        // SAFETY: each symbol is looked up with the signature `tesseract/capi.h` declares.
        unsafe { library.get::<T>(name.as_bytes()) }
            .map(|s| *s)
            .map_err(|e| format!("{name}: {e}"))
    }
    Ok(Api {
        create: symbol(library, "TessBaseAPICreate")?,
        delete: symbol(library, "TessBaseAPIDelete")?,
        end: symbol(library, "TessBaseAPIEnd")?,
        init3: symbol(library, "TessBaseAPIInit3")?,
        set_variable: symbol(library, "TessBaseAPISetVariable")?,
        set_page_seg_mode: symbol(library, "TessBaseAPISetPageSegMode")?,
        set_image: symbol(library, "TessBaseAPISetImage")?,
        set_source_resolution: symbol(library, "TessBaseAPISetSourceResolution")?,
        recognize: symbol(library, "TessBaseAPIRecognize")?,
        get_tsv_text: symbol(library, "TessBaseAPIGetTsvText")?,
        delete_text: symbol(library, "TessDeleteText")?,
    })
}

fn api() -> Result<&'static Api, String> {
    API.get_or_init(open).as_ref().map_err(Clone::clone)
}

/// Loads libtesseract (once per process); the error says which packages to install.
pub fn load() -> Result<(), String> {
    api().map(|_| ())
}

/// One `TessBaseAPI` instance, initialised for a language; used from one thread at a time.
pub struct Tesseract {
    api: &'static Api,
    handle: *mut c_void,
}

// SAFETY: a TessBaseAPI may move between threads; it is never shared (no `Sync`).
unsafe impl Send for Tesseract {}

impl Tesseract {
    /// A new instance reading `language` (`eng`, `eng+rus`) from the default tessdata
    /// directory (or `TESSDATA_PREFIX`).
    pub fn new(language: &str) -> Result<Self, String> {
        let api = api()?;
        let language =
            CString::new(language).map_err(|_| "a language name holds a NUL byte".to_string())?;
        // SAFETY: Create has no preconditions; a null handle is checked.
        let handle = unsafe { (api.create)() };
        if handle.is_null() {
            return Err("tesseract could not create an instance".into());
        }
        let tess = Tesseract { api, handle };
        // SAFETY: the handle is live; a null datapath means the default; the language is a
        // NUL-terminated string that outlives the call.
        let status = unsafe { (api.init3)(handle, std::ptr::null(), language.as_ptr()) };
        if status != 0 {
            return Err("tesseract could not load the language data".into());
        }
        Ok(tess)
    }

    /// Sets one of tesseract's variables.
    pub fn set_variable(&mut self, name: &str, value: &str) -> Result<(), String> {
        let (Ok(n), Ok(v)) = (CString::new(name), CString::new(value)) else {
            return Err("a variable holds a NUL byte".into());
        };
        // SAFETY: live handle, NUL-terminated strings that outlive the call.
        let ok = unsafe { (self.api.set_variable)(self.handle, n.as_ptr(), v.as_ptr()) };
        if ok == 0 {
            Err(format!("tesseract has no variable {name}"))
        } else {
            Ok(())
        }
    }

    /// Sets the page segmentation mode.
    pub fn set_page_seg_mode(&mut self, mode: c_int) {
        // SAFETY: live handle; any mode value is accepted (unknown ones are ignored).
        unsafe { (self.api.set_page_seg_mode)(self.handle, mode) }
    }

    /// Recognizes an 8-bit grayscale image of `width` × `height` pixels (rows packed) and
    /// returns tesseract's TSV text; `dpi` is its resolution when known.
    pub fn recognize_gray(
        &mut self,
        pixels: &[u8],
        width: usize,
        height: usize,
        dpi: Option<i32>,
    ) -> Result<String, String> {
        let (Ok(w), Ok(h)) = (c_int::try_from(width), c_int::try_from(height)) else {
            return Err("the raster is too large".into());
        };
        if width == 0 || height == 0 || pixels.len() < width.saturating_mul(height) {
            return Err("the raster is empty or shorter than its size".into());
        }
        // SAFETY: live handle; `pixels` holds at least w*h bytes (checked above) and stays
        // borrowed until the recognition below is done (tesseract copies it on SetImage).
        unsafe {
            (self.api.set_image)(self.handle, pixels.as_ptr(), w, h, 1, w);
            if let Some(dpi) = dpi {
                (self.api.set_source_resolution)(self.handle, dpi);
            }
            if (self.api.recognize)(self.handle, std::ptr::null_mut()) != 0 {
                return Err("tesseract could not recognize the page".into());
            }
            let text = (self.api.get_tsv_text)(self.handle, 0);
            if text.is_null() {
                return Err("tesseract gave no result".into());
            }
            let tsv = CStr::from_ptr(text).to_string_lossy().into_owned();
            (self.api.delete_text)(text);
            Ok(tsv)
        }
    }
}

impl Drop for Tesseract {
    fn drop(&mut self) {
        // SAFETY: the handle is live and dropped once.
        unsafe {
            (self.api.end)(self.handle);
            (self.api.delete)(self.handle);
        }
    }
}
