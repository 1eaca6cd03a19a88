//! The part the phone apps' internal databases share: opening an SQLite
//! image read-only from memory and reading a few columns of a table.
//!
//! Google Authenticator, Microsoft Authenticator, Stratum and (once its
//! SQLCipher pages are decrypted) Authenticator Plus keep their accounts
//! in SQLite databases, which users copy off a rooted phone or out of a
//! backup. Format: <https://www.sqlite.org/fileformat.html>.
//!
//! The bytes are handed to SQLite's in-memory database (`sqlite3_deserialize`,
//! read-only) and never written to disk; the file is already bounded by
//! [`MAX_IMPORT_LEN`](crate::MAX_IMPORT_LEN). A database in WAL mode is read
//! as a rollback-journal database (its header's two version bytes are
//! rewritten in the copy), since an in-memory database has no WAL; accounts
//! that live only in an unmerged `-wal` file beside it are not seen.
//!
//! A hostile file controls the schema, so only ordinary tables are read
//! (never a view, whose query could run without end, nor a virtual table),
//! the schema is untrusted (`trusted_schema = OFF`) and the connection is
//! query-only. Values are copied out into zeroizing buffers; SQLite's own
//! copy of the image is freed, not wiped, when the connection closes.

use std::io::Read;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, MAIN_DB};
use zeroize::Zeroizing;

use crate::entry::{Entry, EntryError, ImportReport};
use crate::error::ImportError;
use crate::registry::Confidence;

/// The first 16 bytes of every (unencrypted) SQLite database.
pub(crate) const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// The SQLite header is 100 bytes; anything shorter cannot be a database.
const HEADER_LEN: usize = 100;

/// Whether `bytes` start like an unencrypted SQLite database.
pub(crate) fn is_sqlite(bytes: &[u8]) -> bool {
    bytes.len() >= HEADER_LEN && bytes.starts_with(SQLITE_MAGIC)
}

/// An SQLite image opened read-only in memory.
pub(crate) struct Database {
    connection: Connection,
    format: &'static str,
}

/// One value read from a row, secrets and labels alike kept in zeroizing
/// buffers. No `Debug`: a cell may be a secret. Blobs are never needed,
/// so only their presence is kept.
enum Cell {
    Null,
    Integer(i64),
    Real(f64),
    Text(Zeroizing<String>),
    Blob,
}

/// The wanted columns of one row, in the order they were asked for;
/// columns the table does not have are NULL. No `Debug`: it holds secrets.
pub(crate) struct Row {
    columns: &'static [&'static str],
    cells: Vec<Cell>,
}

impl Row {
    fn cell(&self, column: &str) -> &Cell {
        self.columns
            .iter()
            .position(|c| *c == column)
            .and_then(|i| self.cells.get(i))
            .unwrap_or(&Cell::Null)
    }

    /// The column as text: `None` when it is NULL or missing. Numbers are
    /// not turned into text (a secret or label that is a number is a
    /// damaged row, reported by the caller as missing).
    pub fn text(&self, column: &str) -> Option<&str> {
        match self.cell(column) {
            Cell::Text(text) => Some(text.as_str()),
            _ => None,
        }
    }

    /// The column as text, `""` when NULL or missing, trimmed.
    pub fn label(&self, column: &str) -> &str {
        self.text(column).unwrap_or_default().trim()
    }

    /// The column as an integer: `Ok(None)` when NULL or missing, an
    /// error message when it holds something else. Text holding a number
    /// is accepted (SQLite's column affinity lets either be stored).
    pub fn int(&self, column: &str) -> Result<Option<i64>, String> {
        match self.cell(column) {
            Cell::Null => Ok(None),
            Cell::Integer(value) => Ok(Some(*value)),
            Cell::Real(value) if value.fract() == 0.0 && value.abs() < 9.0e15 => {
                Ok(Some(*value as i64))
            }
            Cell::Text(text) => text
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| format!("the {column} column is not a number")),
            _ => Err(format!("the {column} column is not a number")),
        }
    }
}

/// SQLite's message for an error, on one line.
fn sqlite_message(error: &rusqlite::Error) -> String {
    let text = error.to_string();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Quotes an SQL identifier.
fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

impl Database {
    /// Opens `bytes`, a plain SQLite image, read-only in memory. Errors
    /// name `format`.
    pub fn open(format: &'static str, bytes: &[u8]) -> Result<Database, ImportError> {
        if !is_sqlite(bytes) {
            return Err(ImportError::Corrupt {
                format,
                reason: "it is not an SQLite database".into(),
            });
        }
        let corrupt = |error: rusqlite::Error| ImportError::Corrupt {
            format,
            reason: format!(
                "the SQLite database cannot be read: {}",
                sqlite_message(&error)
            ),
        };
        let mut connection = Connection::open_in_memory().map_err(corrupt)?;
        connection
            .pragma_update(None, "trusted_schema", false)
            .map_err(corrupt)?;
        // Bytes 18 and 19 are the write and read format versions: 2 means
        // WAL, which an in-memory database cannot open; 1 reads the same
        // pages with a rollback journal (never used: it is read-only).
        let mut header = [0u8; HEADER_LEN];
        header.copy_from_slice(&bytes[..HEADER_LEN]);
        if header[18] == 2 || header[19] == 2 {
            header[18] = 1;
            header[19] = 1;
        }
        let reader = (&header[..]).chain(&bytes[HEADER_LEN..]);
        connection
            .deserialize_read_exact(MAIN_DB, reader, bytes.len(), true)
            .map_err(corrupt)?;
        connection
            .pragma_update(None, "query_only", true)
            .map_err(corrupt)?;
        // Reading the schema now turns a damaged file into an error here
        // rather than into an absent table later.
        connection
            .query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
            .map_err(corrupt)?;
        Ok(Database { connection, format })
    }

    /// Opens `bytes` as one app's database (`format`, named in later
    /// errors): refused as not that format (`article_format`, "a Stratum
    /// database") unless it is readable SQLite and `is_this` finds the
    /// app's tables, which `missing` names.
    pub fn open_as(
        bytes: &[u8],
        format: &'static str,
        article_format: &'static str,
        is_this: fn(&Database) -> bool,
        missing: &str,
    ) -> Result<Database, ImportError> {
        let not_this = |reason: &str| ImportError::NotThisFormat {
            format: article_format,
            reason: reason.to_owned(),
        };
        let db = Database::open(format, bytes)
            .map_err(|_| not_this("it is not a readable SQLite database"))?;
        if !is_this(&db) {
            return Err(not_this(missing));
        }
        Ok(db)
    }

    /// How sure detection is that `bytes` are the database `is_this` knows.
    pub fn confidence(bytes: &[u8], is_this: fn(&Database) -> bool) -> Confidence {
        match Database::sniff(bytes) {
            Some(db) if is_this(&db) => Confidence::Certain,
            _ => Confidence::No,
        }
    }

    /// Every row of `table`, each read by `read_row` into the report; a
    /// row's error carries its label.
    pub fn rows_report(
        &self,
        table: &str,
        columns: &'static [&'static str],
        read_row: impl Fn(&Row) -> Result<Entry, (String, String)>,
    ) -> Result<ImportReport, ImportError> {
        let mut report = ImportReport::default();
        for (index, row) in self.rows(table, columns)?.iter().enumerate() {
            report.push(read_row(row).map_err(|(label, message)| EntryError {
                index,
                label,
                message,
            }));
        }
        Ok(report)
    }

    /// Opens `bytes` for detection: `None` unless it is a readable SQLite
    /// database.
    pub fn sniff(bytes: &[u8]) -> Option<Database> {
        if !is_sqlite(bytes) {
            return None;
        }
        Database::open("SQLite database", bytes).ok()
    }

    fn error(&self, error: rusqlite::Error) -> ImportError {
        ImportError::Corrupt {
            format: self.format,
            reason: format!(
                "the SQLite database cannot be read: {}",
                sqlite_message(&error)
            ),
        }
    }

    /// The columns of `table`, lower case, or `None` when the database has
    /// no ordinary table of that name (a view or virtual table does not
    /// count).
    pub fn columns(&self, table: &str) -> Option<Vec<String>> {
        let sql: String = self
            .connection
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1 COLLATE NOCASE",
                [table],
                |row| row.get::<_, Option<String>>(0),
            )
            .ok()
            .flatten()?;
        if sql
            .trim_start()
            .get(..14)
            .is_some_and(|start| start.eq_ignore_ascii_case("create virtual"))
        {
            return None;
        }
        let mut statement = self
            .connection
            .prepare("SELECT name FROM pragma_table_info(?1)")
            .ok()?;
        let names = statement
            .query_map([table], |row| row.get::<_, String>(0))
            .ok()?
            .collect::<Result<Vec<_>, _>>()
            .ok()?;
        Some(names.into_iter().map(|n| n.to_ascii_lowercase()).collect())
    }

    /// Whether the database has an ordinary table `table` with every one
    /// of `columns`.
    pub fn has_table_with(&self, table: &str, columns: &[&str]) -> bool {
        self.columns(table)
            .is_some_and(|have| columns.iter().all(|c| have.iter().any(|h| h == c)))
    }

    /// Reads `columns` of every row of `table`, in the table's order.
    /// Columns the table lacks read as NULL; a missing table is an error
    /// naming it.
    pub fn rows(
        &self,
        table: &str,
        columns: &'static [&'static str],
    ) -> Result<Vec<Row>, ImportError> {
        let have = self.columns(table).ok_or_else(|| ImportError::Corrupt {
            format: self.format,
            reason: format!("it has no {table} table"),
        })?;
        let present: Vec<usize> = (0..columns.len())
            .filter(|&i| have.iter().any(|h| h == columns[i]))
            .collect();
        let list = if present.is_empty() {
            "NULL".to_owned()
        } else {
            present
                .iter()
                .map(|&i| quote(columns[i]))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let sql = format!("SELECT {list} FROM {}", quote(table));
        let mut statement = self.connection.prepare(&sql).map_err(|e| self.error(e))?;
        let mut result = statement.query([]).map_err(|e| self.error(e))?;
        let mut rows = Vec::new();
        while let Some(row) = result.next().map_err(|e| self.error(e))? {
            let mut cells: Vec<Cell> = (0..columns.len()).map(|_| Cell::Null).collect();
            for (position, &i) in present.iter().enumerate() {
                let value = row.get_ref(position).map_err(|e| self.error(e))?;
                cells[i] = match value {
                    ValueRef::Null => Cell::Null,
                    ValueRef::Integer(value) => Cell::Integer(value),
                    ValueRef::Real(value) => Cell::Real(value),
                    ValueRef::Text(text) => {
                        Cell::Text(Zeroizing::new(String::from_utf8_lossy(text).into_owned()))
                    }
                    ValueRef::Blob(_) => Cell::Blob,
                };
            }
            rows.push(Row { columns, cells });
        }
        Ok(rows)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a database in memory with `sql` and returns its image.
    pub(crate) fn image(sql: &str) -> Vec<u8> {
        let mut connection = Connection::open_in_memory().unwrap();
        connection.execute_batch(sql).unwrap();
        let data = connection.serialize(MAIN_DB).unwrap();
        data.to_vec()
    }

    const COLUMNS: &[&str] = &["name", "n", "missing"];

    #[test]
    fn reads_rows_and_columns() {
        let bytes = image(
            "CREATE TABLE t (Name TEXT, n INTEGER, other BLOB);
             INSERT INTO t VALUES ('a', 1, x'00'), (NULL, '7', NULL), ('c', 'x', NULL);
             CREATE VIEW v AS SELECT * FROM t;",
        );
        assert!(is_sqlite(&bytes));
        let db = Database::open("test", &bytes).unwrap();
        assert_eq!(db.columns("t").unwrap(), vec!["name", "n", "other"]);
        assert!(db.has_table_with("T", &["name", "n"]));
        assert!(!db.has_table_with("t", &["name", "secret"]));
        assert!(db.columns("v").is_none(), "a view is not a table");
        assert!(db.columns("nope").is_none());
        let rows = db.rows("t", COLUMNS).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].text("name"), Some("a"));
        assert_eq!(rows[0].int("n"), Ok(Some(1)));
        assert_eq!(rows[0].int("missing"), Ok(None));
        assert_eq!(rows[1].label("name"), "");
        assert_eq!(rows[1].int("n"), Ok(Some(7)));
        assert!(rows[2].int("n").is_err());
        assert!(matches!(
            db.rows("v", COLUMNS),
            Err(ImportError::Corrupt { .. })
        ));
    }

    #[test]
    fn wal_databases_open_and_damage_is_an_error() {
        let mut bytes = image("CREATE TABLE t (a); INSERT INTO t VALUES (1);");
        bytes[18] = 2;
        bytes[19] = 2;
        let db = Database::open("test", &bytes).unwrap();
        assert_eq!(db.rows("t", &["a"]).unwrap()[0].int("a"), Ok(Some(1)));

        assert!(Database::sniff(b"SQLite format 3\0").is_none());
        let mut damaged = bytes.clone();
        for byte in &mut damaged[100..] {
            *byte = 0xa5;
        }
        let error = Database::open("test", &damaged).err().unwrap();
        assert!(matches!(error, ImportError::Corrupt { .. }), "{error:?}");
        assert!(!error.to_string().contains('\n'));
        assert!(Database::open("test", b"not a database at all").is_err());
    }
}
