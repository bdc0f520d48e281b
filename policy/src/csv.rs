//! A small RFC 4180 CSV reader (quoted fields, doubled quotes, CRLF or LF),
//! enough for hospital lists; no dependency.

use crate::error::PolicyError;

/// Parses CSV text into records of fields. A leading UTF-8 BOM is skipped;
/// blank lines are skipped.
///
/// # Errors
/// [`PolicyError::Parse`] for an unterminated quoted field.
pub fn parse(text: &str) -> Result<Vec<Vec<String>>, PolicyError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut line = 1usize;
    let mut any = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => {
                quoted = true;
                any = true;
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                any = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                line += 1;
                if any || !field.is_empty() {
                    record.push(std::mem::take(&mut field));
                    records.push(std::mem::take(&mut record));
                }
                any = false;
            }
            _ => {
                field.push(c);
                any = true;
            }
        }
    }
    if quoted {
        return Err(PolicyError::Parse {
            what: "CSV".into(),
            detail: format!("unterminated quoted field at line {line}"),
        });
    }
    if any || !field.is_empty() {
        record.push(field);
        records.push(record);
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_line_ends() {
        let r = parse("a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\n\n,\n").unwrap();
        assert_eq!(
            r,
            vec![vec!["a", "b"], vec!["x,1", "say \"hi\""], vec!["", ""]]
        );
        assert!(parse("\"open").is_err());
        assert_eq!(parse("\u{feff}n\n1").unwrap(), vec![vec!["n"], vec!["1"]]);
    }
}
