//! The optional multilingual model: a standard model directory (`config.json`,
//! `tokenizer.json`, `model.safetensors`, a BERT encoder such as multilingual-e5-small)
//! run in pure Rust with candle on an article's title and lead. Output: one L2-normalised
//! vector per text (mean-pooled over the tokens, the e5 recipe with the `passage: `
//! prefix). Used to retrieve cross-script candidates and as one feature of the match
//! decision, never as its sole judge. Nothing is downloaded: the directory is given.

use crate::{Error, Result};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config, HiddenAct};
use std::path::{Path, PathBuf};

/// Tokens fed to the model per text, specials included: the title and the lead carry
/// the story, and cost grows with length.
pub const MAX_TOKENS: usize = 64;

/// Characters of the lead taken before tokenising (more than [`MAX_TOKENS`] can use).
const LEAD_CHARS: usize = 800;

/// Texts run through the model at once.
pub const BATCH: usize = 16;

/// A loaded model.
pub struct Model {
    bert: BertModel,
    tokenizer: tokenizers::Tokenizer,
    device: Device,
    dim: usize,
    dir: PathBuf,
    key: String,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("dir", &self.dir)
            .field("dim", &self.dim)
            .finish_non_exhaustive()
    }
}

fn model_err(dir: &Path, reason: impl std::fmt::Display) -> Error {
    Error::Model {
        path: dir.display().to_string(),
        reason: reason.to_string(),
    }
}

/// The model's `config.json`, with the fields a BERT encoder needs; training-only fields
/// get their usual defaults when a directory leaves them out.
fn config(dir: &Path) -> Result<Config> {
    let path = dir.join("config.json");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::Read {
        path: path.clone(),
        source: e,
    })?;
    let mut v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| model_err(dir, format!("config.json: {e}")))?;
    if let Some(t) = v.get("model_type").and_then(serde_json::Value::as_str)
        && t != "bert"
    {
        return Err(model_err(
            dir,
            format!("config.json: model_type {t:?}; firsthand runs BERT encoders"),
        ));
    }
    if let Some(o) = v.as_object_mut() {
        for (k, d) in [
            ("hidden_dropout_prob", serde_json::json!(0.1)),
            ("initializer_range", serde_json::json!(0.02)),
            ("layer_norm_eps", serde_json::json!(1e-12)),
            ("pad_token_id", serde_json::json!(0)),
            ("type_vocab_size", serde_json::json!(2)),
            ("hidden_act", serde_json::json!("gelu")),
        ] {
            o.entry(k).or_insert(d);
        }
    }
    let mut cfg: Config =
        serde_json::from_value(v).map_err(|e| model_err(dir, format!("config.json: {e}")))?;
    // The tanh form of GELU: within 1e-3 of the exact one and several times cheaper on a
    // CPU (the exact form spends a sixth of the model's time in erf).
    if cfg.hidden_act == HiddenAct::Gelu {
        cfg.hidden_act = HiddenAct::GeluApproximate;
    }
    Ok(cfg)
}

impl Model {
    /// Loads a model directory.
    ///
    /// # Errors
    /// [`Error::Model`] or [`Error::Read`] naming the file that is missing or bad.
    pub fn load(dir: &Path) -> Result<Self> {
        let cfg = config(dir)?;
        let tok_path = dir.join("tokenizer.json");
        let mut tokenizer = tokenizers::Tokenizer::from_file(&tok_path)
            .map_err(|e| model_err(dir, format!("tokenizer.json: {e}")))?;
        tokenizer
            .with_truncation(Some(tokenizers::TruncationParams {
                max_length: MAX_TOKENS,
                ..tokenizers::TruncationParams::default()
            }))
            .map_err(|e| model_err(dir, format!("tokenizer.json: {e}")))?;
        tokenizer.with_padding(None);
        let weights_path = dir.join("model.safetensors");
        let bytes = std::fs::read(&weights_path).map_err(|e| Error::Read {
            path: weights_path,
            source: e,
        })?;
        let device = Device::Cpu;
        let vb = VarBuilder::from_buffered_safetensors(bytes, DType::F32, &device)
            .map_err(|e| model_err(dir, format!("model.safetensors: {e}")))?;
        let bert = BertModel::load(vb, &cfg)
            .map_err(|e| model_err(dir, format!("model.safetensors: {e}")))?;
        let key = std::fs::canonicalize(dir)
            .unwrap_or_else(|_| dir.to_path_buf())
            .display()
            .to_string();
        Ok(Self {
            bert,
            tokenizer,
            device,
            dim: cfg.hidden_size,
            dir: dir.to_path_buf(),
            key,
        })
    }

    /// Width of the vectors.
    #[must_use]
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The model directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What stored vectors are keyed by: the model directory's canonical path.
    #[must_use]
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The text the model reads for an article: its title and the start of its body.
    #[must_use]
    pub fn input(title: &str, paragraphs: &[String]) -> String {
        let mut s = format!("passage: {}", title.trim());
        for p in paragraphs {
            if s.len() >= LEAD_CHARS {
                break;
            }
            s.push('\n');
            s.push_str(p.trim());
        }
        if s.len() > LEAD_CHARS * 2 {
            let mut cut = LEAD_CHARS * 2;
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            s.truncate(cut);
        }
        s
    }

    /// The token ids the model reads for `text` (specials included, truncated).
    ///
    /// # Errors
    /// [`Error::Model`] when the tokenizer fails.
    pub fn token_ids(&self, text: &str) -> Result<Vec<u32>> {
        self.tokenizer
            .encode(text, true)
            .map(|e| e.get_ids().to_vec())
            .map_err(|e| model_err(&self.dir, e))
    }

    /// One L2-normalised vector per text (from [`Model::input`]), in order.
    ///
    /// # Errors
    /// [`Error::Model`] when the tokenizer or the network fails.
    pub fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>> {
        let mut out = Vec::with_capacity(texts.len());
        for part in texts.chunks(BATCH) {
            out.extend(self.embed_batch(part)?);
        }
        Ok(out)
    }

    fn embed_batch(&self, texts: &[String]) -> Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let err = |e: &dyn std::fmt::Display| model_err(&self.dir, e);
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| err(&e))?;
        let len = encodings
            .iter()
            .map(|e| e.get_ids().len())
            .max()
            .unwrap_or(0)
            .max(1);
        let n = encodings.len();
        let mut ids = vec![0u32; n * len];
        let mut mask = vec![0u32; n * len];
        for (row, e) in encodings.iter().enumerate() {
            for (col, &id) in e.get_ids().iter().enumerate() {
                ids[row * len + col] = id;
                mask[row * len + col] = 1;
            }
        }
        let run = || -> candle_core::Result<Vec<Vec<f32>>> {
            let ids = Tensor::from_vec(ids, (n, len), &self.device)?;
            let mask = Tensor::from_vec(mask, (n, len), &self.device)?;
            let types = ids.zeros_like()?;
            let hidden = self.bert.forward(&ids, &types, Some(&mask))?; // (n, len, dim)
            let m = mask.to_dtype(DType::F32)?.unsqueeze(2)?; // (n, len, 1)
            let summed = hidden.broadcast_mul(&m)?.sum(1)?; // (n, dim)
            let counts = m.sum(1)?; // (n, 1)
            let mean = summed.broadcast_div(&counts)?;
            let norm = mean.sqr()?.sum_keepdim(1)?.sqrt()?;
            mean.broadcast_div(&norm)?.to_vec2::<f32>()
        };
        run().map_err(|e| err(&e))
    }
}

/// Cosine of two L2-normalised vectors.
#[must_use]
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// A vector as stored (little-endian f32).
#[must_use]
pub fn to_blob(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A stored vector; `None` when the blob is not a whole number of f32.
#[must_use]
pub fn from_blob(b: &[u8]) -> Option<Vec<f32>> {
    if !b.len().is_multiple_of(4) {
        return None;
    }
    Some(
        b.chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_round_trip() {
        let v = vec![0.25f32, -1.5, 3.0];
        assert_eq!(from_blob(&to_blob(&v)), Some(v));
        assert_eq!(from_blob(&[1, 2, 3]), None);
    }

    #[test]
    fn input_is_title_then_lead_and_bounded() {
        let paras = vec!["First paragraph.".to_string(), "x".repeat(5000)];
        let s = Model::input(" Title ", &paras);
        assert!(s.starts_with("passage: Title\nFirst paragraph."));
        assert!(s.len() <= LEAD_CHARS * 2);
    }

    #[test]
    fn a_missing_directory_is_named() {
        let e = Model::load(Path::new("/nonexistent/model")).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/model"), "{e}");
    }
}
