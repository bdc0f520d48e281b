//! Citations: every rule says which clause of which document it encodes.

/// A quoted clause of a source document, with an English gloss.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Citation {
    /// The document's reference number, e.g. `豫卫医函〔2024〕10号`.
    pub document: &'static str,
    /// Path of the clause inside the document, e.g. `一(三)`.
    pub clause: &'static str,
    /// The clause quoted in the original Chinese.
    pub quote: &'static str,
    /// An English gloss of the quote.
    pub gloss: &'static str,
}

/// Henan's 2024 notice on hospital security order.
pub const HENAN_2024: &str = "豫卫医函〔2024〕10号";
