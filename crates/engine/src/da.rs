//! A field's default appearance string (/DA): the font, size and colour its text is drawn
//! with, read by the appearance writer and by the field model (fixed font sizes).

/// The parts of a /DA string we use.
#[derive(Debug, Clone)]
pub(crate) struct DefaultAppearance {
    pub font: Vec<u8>,
    /// 0 means auto size.
    pub size: f32,
    /// The colour operator as written (e.g. `0 g`, `1 0 0 rg`).
    pub color: String,
}

pub(crate) fn parse_da(da: Option<&str>) -> DefaultAppearance {
    let mut out = DefaultAppearance {
        font: b"Helv".to_vec(),
        size: 0.0,
        color: "0 g".into(),
    };
    let Some(da) = da else { return out };
    let tokens: Vec<&str> = da.split_ascii_whitespace().collect();
    for (i, t) in tokens.iter().enumerate() {
        match *t {
            "Tf" if i >= 2 => {
                if let Some(name) = tokens[i - 2].strip_prefix('/') {
                    out.font = name.as_bytes().to_vec();
                }
                out.size = tokens[i - 1]
                    .parse::<f32>()
                    .ok()
                    .filter(|s| s.is_finite() && *s >= 0.0)
                    .unwrap_or(0.0);
            }
            "g" | "rg" | "k" => {
                let n = match *t {
                    "g" => 1,
                    "rg" => 3,
                    _ => 4,
                };
                if i >= n && tokens[i - n..i].iter().all(|x| x.parse::<f32>().is_ok()) {
                    out.color = format!("{} {}", tokens[i - n..i].join(" "), t);
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn da_parsing() {
        let da = parse_da(Some("/Helv 0 Tf 0 g"));
        assert_eq!(da.font, b"Helv");
        assert_eq!(da.size, 0.0);
        let da = parse_da(Some("0.2 0.4 0.6 rg /TiRo 11.5 Tf"));
        assert_eq!(da.font, b"TiRo");
        assert_eq!(da.size, 11.5);
        assert_eq!(da.color, "0.2 0.4 0.6 rg");
        let da = parse_da(Some("garbage Tf"));
        assert_eq!(da.font, b"Helv");
    }
}
