//! A small JSON reader and writer (no serde): enough to pick fields out of records and write
//! them back as `serde_json::to_string` would (compact, object keys sorted, same escapes).

#![allow(dead_code)] // a shared helper: not every crate uses every part

use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// Integers keep their digits; other numbers are re-printed as f64.
    Number(String),
    String(String),
    Array(Vec<Value>),
    /// Keys sorted, a repeated key keeps its last value (serde_json's default map).
    Object(Vec<(String, Value)>),
}

impl Value {
    /// `value["field"]`: the field of an object, or Null.
    pub fn get(&self, field: &str) -> &Value {
        static NULL: Value = Value::Null;
        match self {
            Value::Object(fields) => fields
                .iter()
                .find(|(k, _)| k == field)
                .map(|(_, v)| v)
                .unwrap_or(&NULL),
            _ => &NULL,
        }
    }

    /// Compact JSON text.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        write_value(&mut out, self);
        out
    }
}

/// A parse error worded like serde_json's, with line and column.
#[derive(Debug)]
pub struct JsonError {
    message: &'static str,
    line: usize,
    column: usize,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at line {} column {}", self.message, self.line, self.column)
    }
}

impl std::error::Error for JsonError {}

/// Parses one JSON document (surrounding whitespace allowed).
pub fn parse(input: &[u8]) -> Result<Value, JsonError> {
    let mut parser = Parser { input, pos: 0 };
    parser.skip_ws();
    let value = parser.value(0)?;
    parser.skip_ws();
    if parser.pos < input.len() {
        return Err(parser.error("trailing characters"));
    }
    Ok(value)
}

struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, message: &'static str) -> JsonError {
        let upto = &self.input[..self.pos.min(self.input.len())];
        let line = 1 + upto.iter().filter(|&&b| b == b'\n').count();
        let line_start = upto.iter().rposition(|&b| b == b'\n').map(|i| i + 1).unwrap_or(0);
        let column = self.pos.min(self.input.len()) - line_start;
        JsonError { message, line, column }
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek();
        if b.is_some() {
            self.pos += 1;
        }
        b
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > 128 {
            return Err(self.error("recursion limit exceeded"));
        }
        match self.peek() {
            None => Err(self.error("EOF while parsing a value")),
            Some(b'n') => self.literal(b"null", Value::Null),
            Some(b't') => self.literal(b"true", Value::Bool(true)),
            Some(b'f') => self.literal(b"false", Value::Bool(false)),
            Some(b'"') => {
                self.pos += 1;
                Ok(Value::String(self.string()?))
            }
            Some(b'[') => {
                self.pos += 1;
                self.array(depth)
            }
            Some(b'{') => {
                self.pos += 1;
                self.object(depth)
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => {
                self.pos += 1;
                Err(self.error("expected value"))
            }
        }
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Result<Value, JsonError> {
        for &expected in word {
            match self.next() {
                Some(b) if b == expected => {}
                None => return Err(self.error("EOF while parsing a value")),
                Some(_) => return Err(self.error("expected ident")),
            }
        }
        Ok(value)
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.next() {
                Some(b',') => continue,
                Some(b']') => return Ok(Value::Array(items)),
                None => return Err(self.error("EOF while parsing a list")),
                Some(_) => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        let mut fields: Vec<(String, Value)> = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(fields));
        }
        loop {
            self.skip_ws();
            match self.next() {
                Some(b'"') => {}
                None => return Err(self.error("EOF while parsing an object")),
                Some(_) => return Err(self.error("key must be a string")),
            }
            let key = self.string()?;
            self.skip_ws();
            match self.next() {
                Some(b':') => {}
                None => return Err(self.error("EOF while parsing an object")),
                Some(_) => return Err(self.error("expected `:`")),
            }
            self.skip_ws();
            let value = self.value(depth + 1)?;
            match fields.binary_search_by(|(k, _)| k.as_str().cmp(key.as_str())) {
                Ok(i) => fields[i].1 = value,
                Err(i) => fields.insert(i, (key, value)),
            }
            self.skip_ws();
            match self.next() {
                Some(b',') => continue,
                Some(b'}') => return Ok(Value::Object(fields)),
                None => return Err(self.error("EOF while parsing an object")),
                Some(_) => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u16, JsonError> {
        let mut n: u16 = 0;
        for _ in 0..4 {
            let digit = match self.next() {
                None => return Err(self.error("EOF while parsing a string")),
                Some(b) => (b as char).to_digit(16),
            };
            match digit {
                Some(d) => n = n * 16 + d as u16,
                None => return Err(self.error("invalid escape")),
            }
        }
        Ok(n)
    }

    /// The rest of a string after its opening quote, escapes resolved.
    fn string(&mut self) -> Result<String, JsonError> {
        let mut out: Vec<u8> = Vec::new();
        loop {
            match self.next() {
                None => return Err(self.error("EOF while parsing a string")),
                Some(b'"') => break,
                Some(b'\\') => match self.next() {
                    None => return Err(self.error("EOF while parsing a string")),
                    Some(b'"') => out.push(b'"'),
                    Some(b'\\') => out.push(b'\\'),
                    Some(b'/') => out.push(b'/'),
                    Some(b'b') => out.push(8),
                    Some(b'f') => out.push(12),
                    Some(b'n') => out.push(b'\n'),
                    Some(b'r') => out.push(b'\r'),
                    Some(b't') => out.push(b'\t'),
                    Some(b'u') => {
                        let first = self.hex4()?;
                        let code = if (0xD800..0xDC00).contains(&first) {
                            if self.next() != Some(b'\\') || self.next() != Some(b'u') {
                                return Err(self.error("unexpected end of hex escape"));
                            }
                            let second = self.hex4()?;
                            if !(0xDC00..0xE000).contains(&second) {
                                return Err(self.error("lone leading surrogate in hex escape"));
                            }
                            0x10000 + (((first as u32) - 0xD800) << 10) + ((second as u32) - 0xDC00)
                        } else if (0xDC00..0xE000).contains(&first) {
                            return Err(self.error("lone leading surrogate in hex escape"));
                        } else {
                            first as u32
                        };
                        let c = char::from_u32(code).ok_or_else(|| self.error("invalid escape"))?;
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    }
                    Some(_) => return Err(self.error("invalid escape")),
                },
                Some(b) if b < 0x20 => {
                    return Err(self.error("control character (\\u0000-\\u001F) found while parsing a string"))
                }
                Some(b) => out.push(b),
            }
        }
        String::from_utf8(out).map_err(|_| self.error("invalid unicode code point"))
    }

    /// Checks the number at `pos` as `number` would read it and moves past it: true when
    /// it keeps its digits (an integer that fits 64 bits), false for an f64, or an error.
    fn scan_number(&mut self) -> Result<bool, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits_start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        if self.pos == digits_start {
            return Err(self.error("invalid number"));
        }
        if self.input[digits_start] == b'0' && self.pos - digits_start > 1 {
            return Err(self.error("invalid number"));
        }
        let mut is_float = false;
        if self.peek() == Some(b'.') {
            is_float = true;
            self.pos += 1;
            let frac_start = self.pos;
            while let Some(b'0'..=b'9') = self.peek() {
                self.pos += 1;
            }
            if self.pos == frac_start {
                return Err(self.error("EOF while parsing a value"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            is_float = true;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            let exp_start = self.pos;
            while let Some(b'0'..=b'9') = self.peek() {
                self.pos += 1;
            }
            if self.pos == exp_start {
                return Err(self.error("EOF while parsing a value"));
            }
        }
        let text = std::str::from_utf8(&self.input[start..self.pos]).unwrap_or("0");
        // serde_json reads `-0` as the float -0.0
        let integer = !is_float && text != "-0";
        if integer && (text.parse::<i64>().is_ok() || text.parse::<u64>().is_ok()) {
            return Ok(true);
        }
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(false),
            _ => Err(self.error("number out of range")),
        }
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.pos;
        let integer = self.scan_number()?;
        let text = std::str::from_utf8(&self.input[start..self.pos]).unwrap_or("0");
        if integer {
            return Ok(Value::Number(text.to_string()));
        }
        let float: f64 = text.parse().unwrap_or(0.0);
        Ok(Value::Number(format!("{:?}", float)))
    }

    // ---- the quick path: check a document without building it ----------------------

    /// After an opening quote: the string's bytes, when it holds no escape and no control
    /// character (its JSON text is then exactly what `write_string` would print).
    fn plain_string(&mut self) -> Option<&'a [u8]> {
        let start = self.pos;
        let rest = &self.input[start..];
        let len = rest.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        if rest[len] != b'"' {
            return None;
        }
        self.pos = start + len + 1;
        Some(&rest[..len])
    }

    /// Moves past one value that `value` would accept; None when unsure (an escape, a
    /// malformed or deeply nested document), and the caller falls back to `parse`.
    fn skip_value(&mut self, depth: usize) -> Option<()> {
        if depth > 128 {
            return None;
        }
        let word: &[u8] = match self.peek()? {
            b'n' => b"null",
            b't' => b"true",
            b'f' => b"false",
            b'"' => {
                self.pos += 1;
                return self.plain_string().map(|_| ());
            }
            b'[' => {
                self.pos += 1;
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Some(());
                }
                loop {
                    self.skip_ws();
                    self.skip_value(depth + 1)?;
                    self.skip_ws();
                    match self.next()? {
                        b',' => continue,
                        b']' => return Some(()),
                        _ => return None,
                    }
                }
            }
            b'{' => {
                self.pos += 1;
                return self.skip_fields(depth, |_, _| {});
            }
            b'-' | b'0'..=b'9' => return self.scan_number().ok().map(|_| ()),
            _ => return None,
        };
        if self.input[self.pos..].starts_with(word) {
            self.pos += word.len();
            Some(())
        } else {
            None
        }
    }

    /// After an object's opening brace: checks each field and hands its key and value
    /// text to `each`, through the closing brace.
    fn skip_fields(&mut self, depth: usize, mut each: impl FnMut(&'a [u8], &'a [u8])) -> Option<()> {
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Some(());
        }
        loop {
            self.skip_ws();
            if self.next()? != b'"' {
                return None;
            }
            let key = self.plain_string()?;
            self.skip_ws();
            if self.next()? != b':' {
                return None;
            }
            self.skip_ws();
            let start = self.pos;
            self.skip_value(depth + 1)?;
            each(key, &self.input[start..self.pos]);
            self.skip_ws();
            match self.next()? {
                b',' => continue,
                b'}' => return Some(()),
                _ => return None,
            }
        }
    }
}

/// What `field_text` found.
#[derive(Debug, PartialEq)]
pub enum Field<'a> {
    /// The JSON text of the field's value (its last occurrence, as `parse` keeps).
    Text(&'a [u8]),
    /// The document is an object without that field.
    Missing,
    /// Not decided quickly (an escape, another shape, an error): use `parse`.
    Unsure,
}

/// A top-level field of an object document, found without building any value: the fast
/// path for records that are small objects of plain strings and numbers. Anything it is
/// not sure of, including every document `parse` refuses, comes back `Unsure`.
pub fn field_text<'a>(input: &'a [u8], field: &str) -> Field<'a> {
    if std::str::from_utf8(input).is_err() {
        return Field::Unsure;
    }
    let mut scanner = Parser { input, pos: 0 };
    scanner.skip_ws();
    if scanner.next() != Some(b'{') {
        return Field::Unsure;
    }
    let mut found = None;
    let checked = scanner.skip_fields(0, |key, text| {
        if key == field.as_bytes() {
            found = Some(text);
        }
    });
    scanner.skip_ws();
    if checked.is_none() || scanner.pos < input.len() {
        return Field::Unsure;
    }
    match found {
        Some(text) => Field::Text(text),
        None => Field::Missing,
    }
}

fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(fields) => {
            out.push('{');
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                write_value(out, v);
            }
            out.push('}');
        }
    }
}
