//! Typed tag values, decoded from raw entry bytes in the file's byte order.

/// A decoded tag value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// BYTE, SHORT, LONG, LONG8, IFD, IFD8.
    Unsigned(Vec<u64>),
    /// SBYTE, SSHORT, SLONG, SLONG8.
    Signed(Vec<i64>),
    /// FLOAT, DOUBLE, RATIONAL, SRATIONAL.
    Float(Vec<f64>),
    /// ASCII (NUL terminators removed; invalid UTF-8 replaced).
    Ascii(String),
    /// UNDEFINED: opaque bytes (JPEGTables).
    Bytes(Vec<u8>),
}

impl Value {
    /// Decodes `count` values of TIFF type `typ` from `data` (exactly `count * size` bytes).
    pub(crate) fn decode(typ: u16, data: &[u8], big_endian: bool) -> Option<Value> {
        macro_rules! each {
            ($n:expr, $conv:expr) => {
                data.chunks_exact($n).map($conv).collect()
            };
        }
        let be = big_endian;
        let u16_ = |c: &[u8]| {
            let a = [c[0], c[1]];
            if be {
                u16::from_be_bytes(a)
            } else {
                u16::from_le_bytes(a)
            }
        };
        let u32_ = |c: &[u8]| {
            let a = [c[0], c[1], c[2], c[3]];
            if be {
                u32::from_be_bytes(a)
            } else {
                u32::from_le_bytes(a)
            }
        };
        let u64_ = |c: &[u8]| {
            let mut a = [0u8; 8];
            a.copy_from_slice(&c[..8]);
            if be {
                u64::from_be_bytes(a)
            } else {
                u64::from_le_bytes(a)
            }
        };
        Some(match typ {
            1 => Value::Unsigned(data.iter().map(|&b| b as u64).collect()),
            2 => {
                let end = data.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
                Value::Ascii(String::from_utf8_lossy(&data[..end]).into_owned())
            }
            3 => Value::Unsigned(each!(2, |c| u16_(c) as u64)),
            4 | 13 => Value::Unsigned(each!(4, |c| u32_(c) as u64)),
            16 | 18 => Value::Unsigned(each!(8, u64_)),
            6 => Value::Signed(data.iter().map(|&b| b as i8 as i64).collect()),
            7 => Value::Bytes(data.to_vec()),
            8 => Value::Signed(each!(2, |c| u16_(c) as i16 as i64)),
            9 => Value::Signed(each!(4, |c| u32_(c) as i32 as i64)),
            17 => Value::Signed(each!(8, |c| u64_(c) as i64)),
            5 => Value::Float(each!(8, |c| {
                let d = u32_(&c[4..]);
                if d == 0 {
                    f64::NAN
                } else {
                    u32_(c) as f64 / d as f64
                }
            })),
            10 => Value::Float(each!(8, |c| {
                let d = u32_(&c[4..]) as i32;
                if d == 0 {
                    f64::NAN
                } else {
                    u32_(c) as i32 as f64 / d as f64
                }
            })),
            11 => Value::Float(each!(4, |c| f32::from_bits(u32_(c)) as f64)),
            12 => Value::Float(each!(8, |c| f64::from_bits(u64_(c)))),
            _ => return None,
        })
    }

    /// Integer values (floats truncated, negatives rejected), for counts and offsets.
    pub fn as_u64s(&self) -> Option<Vec<u64>> {
        match self {
            Value::Unsigned(v) => Some(v.clone()),
            Value::Signed(v) => v.iter().map(|&x| u64::try_from(x).ok()).collect(),
            Value::Bytes(v) => Some(v.iter().map(|&b| b as u64).collect()),
            _ => None,
        }
    }

    /// Numeric values as f64.
    pub fn as_f64s(&self) -> Option<Vec<f64>> {
        match self {
            Value::Unsigned(v) => Some(v.iter().map(|&x| x as f64).collect()),
            Value::Signed(v) => Some(v.iter().map(|&x| x as f64).collect()),
            Value::Float(v) => Some(v.clone()),
            _ => None,
        }
    }

    /// Text (ASCII), or bytes read as text.
    pub fn as_str(&self) -> Option<String> {
        match self {
            Value::Ascii(s) => Some(s.clone()),
            Value::Bytes(b) => {
                let end = b.iter().rposition(|&x| x != 0).map_or(0, |p| p + 1);
                Some(String::from_utf8_lossy(&b[..end]).into_owned())
            }
            _ => None,
        }
    }

    /// Raw bytes (UNDEFINED or BYTE).
    pub fn as_bytes(&self) -> Option<Vec<u8>> {
        match self {
            Value::Bytes(b) => Some(b.clone()),
            Value::Unsigned(v) => v.iter().map(|&x| u8::try_from(x).ok()).collect(),
            Value::Ascii(s) => Some(s.as_bytes().to_vec()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_both_endians() {
        assert_eq!(
            Value::decode(3, &[1, 0, 0, 2], false),
            Some(Value::Unsigned(vec![1, 512]))
        );
        assert_eq!(
            Value::decode(3, &[1, 0, 0, 2], true),
            Some(Value::Unsigned(vec![256, 2]))
        );
        assert_eq!(
            Value::decode(2, b"abc\0", false),
            Some(Value::Ascii("abc".into()))
        );
        assert_eq!(
            Value::decode(12, &1.5f64.to_be_bytes(), true),
            Some(Value::Float(vec![1.5]))
        );
        assert_eq!(Value::decode(99, &[], false), None);
    }
}
