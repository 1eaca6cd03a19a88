//! Android's shared preferences files, the XML several phone apps keep
//! their accounts in (Authy, FreeOTP, Battle.net, TOTP Authenticator):
//! the shared part of those importers, not an importer itself.
//!
//! Format: what `android.app.SharedPreferencesImpl` writes through
//! `com.android.internal.util.XmlUtils.writeMapXml`
//! (<https://android.googlesource.com/platform/frameworks/base/+/refs/heads/main/core/java/com/android/internal/util/XmlUtils.java>):
//! an optional `<?xml ...?>` declaration, then one `<map>` holding
//! `<string name="k">text</string>`, `<int|long|float|boolean name="k"
//! value="v" />`, `<set name="k"><string>..</string>...</set>` and
//! `<null name="k" />`. Text and attributes use the five XML entities and
//! numeric character references.
//!
//! This is a small parser for exactly that shape rather than a general XML
//! reader: no DTDs, no namespaces, no nesting beyond `<map>` → `<set>` →
//! `<string>`. Comments and CDATA sections are accepted. Anything else is
//! refused as damaged. The number of entries and the length of a name are
//! bounded; values are bounded by the file, which the registry bounds.

use zeroize::Zeroizing;

use crate::error::ImportError;

/// Most entries one `<map>` (or one `<set>`) may hold.
const MAX_ENTRIES: usize = 100_000;
/// Longest entry name; real names are a few dozen characters.
const MAX_NAME_LEN: usize = 4096;

/// One preference's value. Strings may be secrets: they are wiped on drop
/// and `Debug` shows only their length.
pub(crate) enum PrefValue {
    /// `<string>`: the unescaped text.
    Text(Zeroizing<String>),
    /// `<int>`, `<long>`, `<float>` or `<boolean>`: the `value` attribute
    /// as written. No importer needs one yet; kept so the files parse.
    #[allow(dead_code)]
    Scalar(String),
    /// `<set>` of strings. No importer needs one yet.
    #[allow(dead_code)]
    Set(Vec<Zeroizing<String>>),
    /// `<null>`.
    Null,
}

impl std::fmt::Debug for PrefValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrefValue::Text(text) => write!(f, "Text(<{} bytes>)", text.len()),
            PrefValue::Scalar(_) => f.write_str("Scalar"),
            PrefValue::Set(items) => write!(f, "Set(<{} strings>)", items.len()),
            PrefValue::Null => f.write_str("Null"),
        }
    }
}

/// A parsed shared preferences file: its entries in file order.
#[derive(Debug, Default)]
pub(crate) struct Prefs {
    entries: Vec<(String, PrefValue)>,
}

impl Prefs {
    /// The entries, in the file's order.
    pub(crate) fn entries(&self) -> &[(String, PrefValue)] {
        &self.entries
    }

    /// The value named `name`, if any.
    pub(crate) fn get(&self, name: &str) -> Option<&PrefValue> {
        self.entries
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    /// The `<string>` named `name`, if there is one.
    pub(crate) fn string(&self, name: &str) -> Option<&str> {
        match self.get(name) {
            Some(PrefValue::Text(text)) => Some(text.as_str()),
            _ => None,
        }
    }

    /// The first `<string>` whose name ends with `suffix` (Battle.net
    /// prefixes its keys with its package name, which has changed).
    pub(crate) fn string_ending(&self, suffix: &str) -> Option<&str> {
        self.entries.iter().find_map(|(key, value)| match value {
            PrefValue::Text(text) if key.ends_with(suffix) => Some(text.as_str()),
            _ => None,
        })
    }
}

/// Whether the bytes start like an XML document or a bare `<map>`: the
/// cheap test before a parse.
pub(crate) fn looks_like_prefs(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let rest = &bytes[start..];
    rest.starts_with(b"<?xml") || rest.starts_with(b"<map")
}

/// The parsed file, for detection: `None` unless it is a well-formed
/// shared preferences file.
pub(crate) fn sniff(bytes: &[u8]) -> Option<Prefs> {
    if !looks_like_prefs(bytes) {
        return None;
    }
    parse("shared preferences", bytes).ok()
}

/// Whether `bytes` are a shared preferences file with a `<string>` named
/// `name`.
pub(crate) fn has_string(bytes: &[u8], name: &str) -> bool {
    sniff(bytes).is_some_and(|prefs| prefs.string(name).is_some())
}

/// Parses a shared preferences file; errors name `format`.
pub(crate) fn parse(format: &'static str, bytes: &[u8]) -> Result<Prefs, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| ImportError::NotThisFormat {
        format,
        reason: "it is not UTF-8 text".into(),
    })?;
    let mut parser = Parser {
        format,
        text,
        pos: 0,
    };
    parser.document()
}

/// A tag as read: its name, attributes, and whether it closed itself.
struct Tag<'a> {
    name: &'a str,
    attributes: Vec<(&'a str, String)>,
    empty: bool,
}

impl Tag<'_> {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }
}

struct Parser<'a> {
    format: &'static str,
    text: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn truncated(&self, what: &str) -> ImportError {
        ImportError::Truncated {
            format: self.format,
            what: format!("the XML ends inside {what}"),
        }
    }

    fn corrupt(&self, what: &str) -> ImportError {
        ImportError::Corrupt {
            format: self.format,
            reason: format!("{what} (at byte {})", self.pos),
        }
    }

    /// Skips whitespace and comments.
    fn skip_space(&mut self) -> Result<(), ImportError> {
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start();
            self.pos += rest.len() - trimmed.len();
            if trimmed.starts_with("<!--") {
                let end = trimmed
                    .find("-->")
                    .ok_or_else(|| self.truncated("a comment"))?;
                self.pos += end + 3;
            } else {
                return Ok(());
            }
        }
    }

    fn document(&mut self) -> Result<Prefs, ImportError> {
        self.skip_space()?;
        if self.rest().starts_with("<?xml") {
            let end = self
                .rest()
                .find("?>")
                .ok_or_else(|| self.truncated("the XML declaration"))?;
            self.pos += end + 2;
            self.skip_space()?;
        }
        if !self.rest().starts_with("<map") {
            return Err(ImportError::NotThisFormat {
                format: self.format,
                reason: "it has no <map> of preferences".into(),
            });
        }
        let tag = self.open_tag()?;
        if tag.name != "map" {
            return Err(ImportError::NotThisFormat {
                format: self.format,
                reason: "it has no <map> of preferences".into(),
            });
        }
        let mut prefs = Prefs::default();
        if !tag.empty {
            loop {
                self.skip_space()?;
                if self.rest().is_empty() {
                    return Err(self.truncated("the <map>"));
                }
                if self.close_tag("map")? {
                    break;
                }
                if prefs.entries.len() >= MAX_ENTRIES {
                    return Err(self.corrupt("more preferences than any app writes"));
                }
                prefs.entries.push(self.entry()?);
            }
        }
        self.skip_space()?;
        if !self.rest().is_empty() {
            return Err(self.corrupt("content after the </map>"));
        }
        Ok(prefs)
    }

    /// One `<type name=".." ...>` entry of the map.
    fn entry(&mut self) -> Result<(String, PrefValue), ImportError> {
        let tag = self.open_tag()?;
        let name = tag
            .attribute("name")
            .ok_or_else(|| self.corrupt("a preference without a name"))?
            .to_owned();
        if name.len() > MAX_NAME_LEN {
            return Err(self.corrupt("a preference name longer than any app writes"));
        }
        let value = match tag.name {
            "string" => PrefValue::Text(self.text_content(&tag)?),
            "int" | "long" | "float" | "boolean" => {
                let value = tag
                    .attribute("value")
                    .ok_or_else(|| self.corrupt("a value without its value attribute"))?
                    .to_owned();
                if !tag.empty {
                    self.skip_space()?;
                    if !self.close_tag(tag.name)? {
                        return Err(self.corrupt("a value element with content"));
                    }
                }
                PrefValue::Scalar(value)
            }
            "null" => {
                if !tag.empty {
                    self.skip_space()?;
                    if !self.close_tag("null")? {
                        return Err(self.corrupt("a <null> with content"));
                    }
                }
                PrefValue::Null
            }
            "set" => PrefValue::Set(self.set(&tag)?),
            _ => return Err(self.corrupt("an element shared preferences do not have")),
        };
        Ok((name, value))
    }

    fn set(&mut self, tag: &Tag<'_>) -> Result<Vec<Zeroizing<String>>, ImportError> {
        let mut items = Vec::new();
        if tag.empty {
            return Ok(items);
        }
        loop {
            self.skip_space()?;
            if self.rest().is_empty() {
                return Err(self.truncated("a <set>"));
            }
            if self.close_tag("set")? {
                return Ok(items);
            }
            let item = self.open_tag()?;
            if item.name != "string" {
                return Err(self.corrupt("a <set> holding something other than strings"));
            }
            if items.len() >= MAX_ENTRIES {
                return Err(self.corrupt("a <set> larger than any app writes"));
            }
            items.push(self.text_content(&item)?);
        }
    }

    /// The text of an element up to its closing tag, unescaped.
    fn text_content(&mut self, tag: &Tag<'_>) -> Result<Zeroizing<String>, ImportError> {
        let mut text = Zeroizing::new(String::new());
        if tag.empty {
            return Ok(text);
        }
        loop {
            let rest = self.rest();
            if let Some(cdata) = rest.strip_prefix("<![CDATA[") {
                let end = cdata
                    .find("]]>")
                    .ok_or_else(|| self.truncated("a CDATA section"))?;
                text.push_str(&cdata[..end]);
                self.pos += 9 + end + 3;
                continue;
            }
            if rest.starts_with("<!--") {
                self.skip_space()?;
                continue;
            }
            if rest.starts_with('<') {
                if self.close_tag(tag.name)? {
                    return Ok(text);
                }
                return Err(self.corrupt("an element inside a string"));
            }
            let end = rest.find('<').ok_or_else(|| self.truncated("a string"))?;
            unescape_into(&rest[..end], &mut text).map_err(|what| self.corrupt(what))?;
            self.pos += end;
        }
    }

    /// Reads `</name>` if it comes next; `Ok(false)` when something else
    /// does.
    fn close_tag(&mut self, name: &str) -> Result<bool, ImportError> {
        let Some(after) = self.rest().strip_prefix("</") else {
            return Ok(false);
        };
        let Some(end) = after.find('>') else {
            return Err(self.truncated("a closing tag"));
        };
        if after[..end].trim_end() != name {
            return Err(self.corrupt("a closing tag that does not match"));
        }
        self.pos += 2 + end + 1;
        Ok(true)
    }

    /// Reads `<name attr="v" ...>` or `<name ... />`.
    fn open_tag(&mut self) -> Result<Tag<'a>, ImportError> {
        let rest = self.rest();
        let Some(inner) = rest.strip_prefix('<') else {
            return Err(self.corrupt("text where an element belongs"));
        };
        let name_len = inner
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .ok_or_else(|| self.truncated("a tag"))?;
        let name = &inner[..name_len];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(self.corrupt("a malformed tag"));
        }
        self.pos += 1 + name_len;
        let mut attributes = Vec::new();
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start();
            self.pos += rest.len() - trimmed.len();
            if trimmed.is_empty() {
                return Err(self.truncated("a tag"));
            }
            if trimmed.starts_with("/>") {
                self.pos += 2;
                return Ok(Tag {
                    name,
                    attributes,
                    empty: true,
                });
            }
            if trimmed.starts_with('>') {
                self.pos += 1;
                return Ok(Tag {
                    name,
                    attributes,
                    empty: false,
                });
            }
            if attributes.len() >= 16 {
                return Err(self.corrupt("a tag with too many attributes"));
            }
            let eq = trimmed.find('=').ok_or_else(|| self.truncated("a tag"))?;
            let key = trimmed[..eq].trim_end();
            if key.is_empty() || key.contains(|c: char| c.is_whitespace() || c == '<' || c == '>') {
                return Err(self.corrupt("a malformed attribute"));
            }
            let after_eq = trimmed[eq + 1..].trim_start();
            let quote = after_eq
                .chars()
                .next()
                .ok_or_else(|| self.truncated("a tag"))?;
            if quote != '"' && quote != '\'' {
                return Err(self.corrupt("an attribute without quotes"));
            }
            let body = &after_eq[1..];
            let close = body
                .find(quote)
                .ok_or_else(|| self.truncated("an attribute"))?;
            let mut value = String::new();
            unescape_into(&body[..close], &mut value).map_err(|what| self.corrupt(what))?;
            attributes.push((key, value));
            self.pos += trimmed.len() - body[close + 1..].len();
        }
    }
}

/// Appends `raw` to `out` with XML entities and character references
/// replaced.
fn unescape_into(raw: &str, out: &mut String) -> Result<(), &'static str> {
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after
            .find(';')
            .filter(|&semi| semi <= 10)
            .ok_or("an unterminated character reference")?;
        let entity = &after[..semi];
        let c = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(decimal) = entity.strip_prefix('#') {
                    decimal.parse::<u32>().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .ok_or("an unknown character reference")?
            }
        };
        out.push(c);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(())
}

/// Escapes text for an XML element or attribute, for the tests' fixtures.
#[cfg(test)]
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// A shared preferences file holding `strings`, as Android writes one,
/// for the tests' fixtures.
#[cfg(test)]
pub(crate) fn write_prefs(strings: &[(&str, &str)]) -> String {
    let mut xml = String::from("<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n");
    xml.push_str("    <int name=\"key_version\" value=\"121\" />\n");
    for (name, value) in strings {
        xml.push_str(&format!(
            "    <string name=\"{}\">{}</string>\n",
            escape(name),
            escape(value)
        ));
    }
    xml.push_str("</map>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_kind_of_value_with_entities() {
        let xml = "\u{feff}<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n\
            <!-- a comment -->\n<map>\n\
            <string name=\"a&amp;b\">[{&quot;x&quot;:&#49;,&#x41;&lt;&gt;&apos;}]</string>\n\
            <string name='empty' />\n\
            <long name=\"n\" value=\"15\" />\n\
            <boolean name=\"flag\" value=\"false\"></boolean>\n\
            <set name=\"s\">\n<string>one</string>\n<string><![CDATA[<two>]]></string>\n</set>\n\
            <null name=\"nothing\" />\n\
            </map>\n";
        let prefs = parse("test", xml.as_bytes()).unwrap();
        assert_eq!(prefs.entries().len(), 6);
        assert_eq!(prefs.string("a&b"), Some("[{\"x\":1,A<>'}]"));
        assert_eq!(prefs.string("empty"), Some(""));
        assert!(matches!(prefs.get("n"), Some(PrefValue::Scalar(v)) if v == "15"));
        assert!(matches!(prefs.get("flag"), Some(PrefValue::Scalar(v)) if v == "false"));
        match prefs.get("s") {
            Some(PrefValue::Set(items)) => {
                let items: Vec<&str> = items.iter().map(|s| s.as_str()).collect();
                assert_eq!(items, ["one", "<two>"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(prefs.get("nothing"), Some(PrefValue::Null)));
        assert_eq!(
            format!("{:?}", prefs.get("a&b").unwrap()),
            "Text(<14 bytes>)"
        );
        assert!(has_string(xml.as_bytes(), "empty"));
        assert!(!has_string(xml.as_bytes(), "n"));
    }

    #[test]
    fn round_trips_the_test_writer() {
        let xml = write_prefs(&[("k<1>", "v \"&' <x>")]);
        let prefs = parse("test", xml.as_bytes()).unwrap();
        assert_eq!(prefs.string("k<1>"), Some("v \"&' <x>"));
        assert_eq!(prefs.string_ending("<1>"), Some("v \"&' <x>"));
        assert!(parse("test", b"<map/>").unwrap().entries().is_empty());
    }

    #[test]
    fn refuses_what_is_not_prefs_and_truncation() {
        assert!(matches!(
            parse("test", b"<?xml version='1.0'?><html></html>"),
            Err(ImportError::NotThisFormat { .. })
        ));
        assert!(sniff(b"{\"map\": 1}").is_none());
        let xml = write_prefs(&[("a", "b")]);
        for cut in 1..xml.trim_end().len() {
            let result = parse("test", &xml.as_bytes()[..cut]);
            assert!(
                matches!(
                    result,
                    Err(ImportError::Truncated { .. }
                        | ImportError::NotThisFormat { .. }
                        | ImportError::Corrupt { .. })
                ),
                "cut at {cut}: {result:?}"
            );
        }
        for bad in [
            "<map><string name=\"a\">x</strong></map>",
            "<map><string>x</string></map>",
            "<map><string name=\"a\">&bogus;</string></map>",
            "<map><string name=\"a\">&#xD800;</string></map>",
            "<map><string name=\"a\"><b/></string></map>",
            "<map><div name=\"a\" /></map>",
            "<map><int name=\"a\" /></map>",
            "<map name=a></map>",
            "<map></map><map></map>",
        ] {
            assert!(
                matches!(
                    parse("test", bad.as_bytes()),
                    Err(ImportError::Corrupt { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn bounds_the_number_of_entries() {
        let mut xml = String::from("<map>");
        for i in 0..=MAX_ENTRIES {
            xml.push_str(&format!("<int name=\"{i}\" value=\"1\"/>"));
        }
        xml.push_str("</map>");
        assert!(matches!(
            parse("test", xml.as_bytes()),
            Err(ImportError::Corrupt { .. })
        ));
    }
}
