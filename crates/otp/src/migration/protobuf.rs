//! The little of protocol buffers that Google's `MigrationPayload` needs:
//! varints and length-delimited fields, read and written by hand instead
//! of by a code generator, because the message has a dozen fields and a
//! reader of untrusted codes must check every length itself. Fixed-width
//! fields (wire types 1 and 5) are skipped, as a newer writer may add
//! some; groups (3 and 4) are refused.

use zeroize::Zeroizing;

use super::MigrationError;

/// One field value, borrowed from the message.
#[derive(Debug)]
pub(super) enum FieldValue<'a> {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 2: bytes, text or an embedded message.
    Bytes(&'a [u8]),
    /// Wire types 1 and 5 (64- and 32-bit): no field of the schema uses
    /// them, so only their place is kept.
    Fixed,
}

/// Reads fields one at a time, checking every length against what is left,
/// so that a damaged or hostile message gives an error, never a panic or an
/// allocation of the size it claims.
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, position: 0 }
    }

    fn varint(&mut self) -> Result<u64, MigrationError> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let Some(&byte) = self.bytes.get(self.position) else {
                return Err(MigrationError::TruncatedVarint);
            };
            self.position += 1;
            // The tenth byte holds bit 63 only.
            if shift == 63 && byte > 1 {
                return Err(MigrationError::VarintTooLong);
            }
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(MigrationError::VarintTooLong)
    }

    fn take(&mut self, length: u64) -> Result<&'a [u8], MigrationError> {
        let left = self.bytes.len() - self.position;
        match usize::try_from(length) {
            Ok(length) if length <= left => {
                let start = self.position;
                self.position += length;
                Ok(&self.bytes[start..self.position])
            }
            _ => Err(MigrationError::LengthPastEnd { length }),
        }
    }

    /// The next field's number and value, or `None` at the end.
    pub(super) fn next_field(&mut self) -> Result<Option<(u64, FieldValue<'a>)>, MigrationError> {
        if self.position >= self.bytes.len() {
            return Ok(None);
        }
        let key = self.varint()?;
        let number = key >> 3;
        let value = match (key & 7) as u8 {
            0 => FieldValue::Varint(self.varint()?),
            1 => {
                self.take(8)?;
                FieldValue::Fixed
            }
            2 => {
                let length = self.varint()?;
                FieldValue::Bytes(self.take(length)?)
            }
            5 => {
                self.take(4)?;
                FieldValue::Fixed
            }
            other => return Err(MigrationError::UnsupportedWireType(other)),
        };
        Ok(Some((number, value)))
    }
}

/// Most bytes a field's key and varint value (or length) take.
pub(super) const MAX_FIELD_OVERHEAD: usize = 1 + 10;

/// Writes fields into a zeroizing buffer (messages hold secrets) sized up
/// front, so that growing it never leaves a copy behind.
pub(super) struct Writer(Zeroizing<Vec<u8>>);

impl Writer {
    /// A writer for a message of at most `capacity` bytes.
    pub(super) fn with_capacity(capacity: usize) -> Self {
        Writer(Zeroizing::new(Vec::with_capacity(capacity)))
    }

    fn put_varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.0.push((value as u8 & 0x7f) | 0x80);
            value >>= 7;
        }
        self.0.push(value as u8);
    }

    /// A varint field (int32 values are passed sign-extended to 64 bits).
    pub(super) fn varint_field(&mut self, number: u64, value: u64) -> &mut Self {
        self.put_varint(number << 3);
        self.put_varint(value);
        self
    }

    /// A length-delimited field.
    pub(super) fn bytes_field(&mut self, number: u64, bytes: &[u8]) -> &mut Self {
        self.put_varint((number << 3) | 2);
        self.put_varint(bytes.len() as u64);
        self.0.extend_from_slice(bytes);
        self
    }

    pub(super) fn into_bytes(self) -> Zeroizing<Vec<u8>> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(bytes: &[u8]) -> Result<Vec<(u64, String)>, MigrationError> {
        let mut reader = Reader::new(bytes);
        let mut fields = Vec::new();
        while let Some((number, value)) = reader.next_field()? {
            fields.push((number, format!("{value:?}")));
        }
        Ok(fields)
    }

    #[test]
    fn written_fields_read_back() {
        let mut writer = Writer::with_capacity(64);
        writer
            .varint_field(1, 0)
            .varint_field(2, 300)
            .varint_field(15, u64::MAX)
            .bytes_field(16, b"abc")
            .bytes_field(3, b"");
        let bytes = writer.into_bytes();
        assert_eq!(&bytes[..5], [0x08, 0x00, 0x10, 0xac, 0x02]);
        assert_eq!(
            fields(&bytes).unwrap(),
            [
                (1, "Varint(0)".to_owned()),
                (2, "Varint(300)".to_owned()),
                (15, format!("Varint({})", u64::MAX)),
                (16, "Bytes([97, 98, 99])".to_owned()),
                (3, "Bytes([])".to_owned()),
            ]
        );
    }

    #[test]
    fn the_largest_varint_has_ten_bytes_and_a_last_bit() {
        let mut writer = Writer::with_capacity(16);
        writer.varint_field(1, u64::MAX);
        let bytes = writer.into_bytes();
        assert_eq!(bytes.len(), 1 + 10);
        assert_eq!(bytes[10], 0x01);
        // Bit 64 and up cannot be held.
        let mut too_big = bytes.to_vec();
        too_big[10] = 0x02;
        assert_eq!(fields(&too_big), Err(MigrationError::VarintTooLong));
    }

    #[test]
    fn fixed_width_fields_are_skipped_and_groups_refused() {
        let mut bytes = vec![
            (9 << 3) | 1,
            1,
            2,
            3,
            4,
            5,
            6,
            7,
            8,
            (10 << 3) | 5,
            1,
            2,
            3,
            4,
        ];
        bytes.extend_from_slice(&[0x08, 0x05]);
        assert_eq!(
            fields(&bytes).unwrap(),
            [
                (9, "Fixed".to_owned()),
                (10, "Fixed".to_owned()),
                (1, "Varint(5)".to_owned())
            ]
        );
        assert_eq!(
            fields(&[(9 << 3) | 1, 1, 2]),
            Err(MigrationError::LengthPastEnd { length: 8 })
        );
        assert_eq!(fields(&[0x0c]), Err(MigrationError::UnsupportedWireType(4)));
        assert_eq!(fields(&[0x0e]), Err(MigrationError::UnsupportedWireType(6)));
    }
}
