//! PackBits (compression 32773): Apple's byte-oriented run-length encoding.
//!
//! The stream is a sequence of packets, each starting with a signed header byte `n`:
//! `0..=127` copies the next `n + 1` bytes literally, `-127..=-1` repeats the next byte
//! `1 - n` times, and `-128` is a no-op. There is no end marker: the decoder stops when it has
//! produced the chunk's bytes.

use super::Error;

/// Decodes PackBits `input` into `out`, filling it exactly.
///
/// A run that would overflow `out` is cut at its end (libtiff discards the excess with a warning
/// too); input that ends before `out` is full is [`Error::WrongSize`].
pub(crate) fn decode(input: &[u8], out: &mut [u8]) -> Result<(), Error> {
    let mut src = input.iter();
    let mut pos = 0usize;
    while pos < out.len() {
        let Some(&header) = src.next() else {
            break;
        };
        let n = header as i8;
        let room = out.len() - pos;
        if n >= 0 {
            let count = (n as usize + 1).min(room);
            let rest = src.as_slice();
            let literal = rest.get(..count).ok_or(Error::WrongSize {
                expected: out.len(),
                got: pos + rest.len(),
            })?;
            out[pos..pos + count].copy_from_slice(literal);
            pos += count;
            src = rest[count..].iter();
        } else if n != -128 {
            let Some(&value) = src.next() else {
                break;
            };
            let count = (1 - n as isize) as usize;
            let count = count.min(room);
            out[pos..pos + count].fill(value);
            pos += count;
        }
    }
    if pos < out.len() {
        return Err(Error::WrongSize {
            expected: out.len(),
            got: pos,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A simple encoder (runs of ≥ 3 equal bytes as repeats, the rest as literals), to check
    /// the decoder against arbitrary data.
    fn encode(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < data.len() {
            let mut run = 1;
            while i + run < data.len() && run < 128 && data[i + run] == data[i] {
                run += 1;
            }
            if run >= 3 {
                out.push((1i16 - run as i16) as i8 as u8);
                out.push(data[i]);
                i += run;
            } else {
                let start = i;
                while i < data.len() && i - start < 128 {
                    if i + 2 < data.len() && data[i] == data[i + 1] && data[i] == data[i + 2] {
                        break;
                    }
                    i += 1;
                }
                out.push((i - start - 1) as u8);
                out.extend_from_slice(&data[start..i]);
            }
        }
        out
    }

    proptest! {
        #[test]
        fn round_trips(data in proptest::collection::vec(prop_oneof![Just(0u8), Just(7u8), any::<u8>()], 1..2000)) {
            let enc = encode(&data);
            let mut out = vec![0u8; data.len()];
            decode(&enc, &mut out).unwrap();
            prop_assert_eq!(out, data);
        }

        #[test]
        fn never_panics(input in proptest::collection::vec(any::<u8>(), 0..300), len in 0usize..600) {
            let mut out = vec![0u8; len];
            let _ = decode(&input, &mut out);
        }
    }

    #[test]
    fn spec_example() {
        // The example from the TIFF 6.0 specification, section 9.
        let packed = [
            0xFE, 0xAA, 0x02, 0x80, 0x00, 0x2A, 0xFD, 0xAA, 0x03, 0x80, 0x00, 0x2A, 0x22, 0xF7,
            0xAA,
        ];
        let expected = [
            0xAA, 0xAA, 0xAA, 0x80, 0x00, 0x2A, 0xAA, 0xAA, 0xAA, 0xAA, 0x80, 0x00, 0x2A, 0x22,
            0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA,
        ];
        let mut out = [0u8; 24];
        decode(&packed, &mut out).unwrap();
        assert_eq!(out, expected);
    }

    #[test]
    fn no_op_header_and_short_input() {
        let mut out = [0u8; 4];
        decode(&[0x80, 0x01, 1, 2, 0x80, 0xFF, 9], &mut out).unwrap();
        assert_eq!(out, [1, 2, 9, 9]);
        let err = decode(&[0x01, 1, 2], &mut out).unwrap_err();
        assert!(
            matches!(
                err,
                Error::WrongSize {
                    expected: 4,
                    got: 2
                }
            ),
            "{err}"
        );
        // A literal that claims more bytes than remain.
        let err = decode(&[0x05, 1, 2], &mut out).unwrap_err();
        assert!(matches!(err, Error::WrongSize { .. }), "{err}");
    }
}
