//! GitHub code scanning's `primaryLocationLineHash`: a rolling hash of the 100 non-blank
//! characters starting at each line, so that an alert survives lines moving above it.
//!
//! A port of `hash` in `github/codeql-action` `src/fingerprints.ts` (no crate implements it):
//! the text is read as UTF-16 code units, spaces and tabs are skipped, CR LF and CR count as LF,
//! and `h = 37·h + c − 37¹⁰⁰·c_out` runs in wrapping 64-bit arithmetic over a window of 100
//! units. Checked against the upstream test vectors below.

use std::collections::HashMap;

const BLOCK: usize = 100;
const MOD: u64 = 37;
const EOF: u64 = 0xFFFF;

/// The hash of every line of `text`, 1-based line `n` at index `n - 1`, formatted as GitHub
/// does: `<hex>:<occurrence>`.
pub fn line_hashes(text: &str) -> Vec<String> {
    let first_mod = (0..BLOCK).fold(1u64, |acc, _| acc.wrapping_mul(MOD));
    let mut window = [0u64; BLOCK];
    let mut line_numbers = [0usize; BLOCK]; // 0 = not the start of a line
    let mut hash = 0u64;
    let mut index = 0usize;
    let mut line = 0usize;
    let mut line_start = true;
    let mut prev_cr = false;
    let mut counts: HashMap<u64, usize> = HashMap::new();
    let mut out: Vec<String> = Vec::new();

    let mut emit = |hash: u64, line: usize, out: &mut Vec<String>| {
        let n = counts.entry(hash).or_insert(0);
        *n += 1;
        if out.len() < line {
            out.resize(line, String::new());
        }
        out[line - 1] = format!("{hash:x}:{n}");
    };
    let update = |c: u64, hash: &mut u64, index: &mut usize, window: &mut [u64; BLOCK]| {
        let begin = window[*index];
        window[*index] = c;
        *hash = MOD
            .wrapping_mul(*hash)
            .wrapping_add(c)
            .wrapping_sub(first_mod.wrapping_mul(begin));
        *index = (*index + 1) % BLOCK;
    };

    let units = text
        .encode_utf16()
        .map(u64::from)
        .chain(std::iter::once(EOF));
    for mut c in units {
        if c == 0x20 || c == 0x09 || (prev_cr && c == 0x0A) {
            prev_cr = false;
            continue;
        }
        if c == 0x0D {
            c = 0x0A;
            prev_cr = true;
        } else {
            prev_cr = false;
        }
        if line_numbers[index] != 0 {
            emit(hash, line_numbers[index], &mut out);
            line_numbers[index] = 0;
        }
        if line_start {
            line_start = false;
            line += 1;
            line_numbers[index] = line;
        }
        if c == 0x0A {
            line_start = true;
        }
        update(c, &mut hash, &mut index, &mut window);
    }
    for _ in 0..BLOCK {
        if line_numbers[index] != 0 {
            emit(hash, line_numbers[index], &mut out);
            line_numbers[index] = 0;
        }
        update(0, &mut hash, &mut index, &mut window);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Test vectors of github/codeql-action src/fingerprints.test.ts.
    #[test]
    fn upstream_vectors() {
        assert_eq!(line_hashes(""), ["c129715d7a2bc9a3:1"]);
        assert_eq!(
            line_hashes(" a\nb\n  \t\tc\n d"),
            [
                "271789c17abda88f:1",
                "54703d4cd895b18:1",
                "180aee12dab6264:1",
                "a23a3dc5e078b07b:1"
            ]
        );
        let expected = [
            "e9496ae3ebfced30:1",
            "fb7c023a8b9ccb3f:1",
            "ce8ba1a563dcdaca:1",
            "e20e36e16fcb0cc8:1",
            "b3edc88f2938467e:1",
            "c8e28b0b4002a3a0:1",
            "c129715d7a2bc9a3:1",
        ];
        let crlf = " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n";
        assert_eq!(line_hashes(crlf), expected);
        assert_eq!(line_hashes(&crlf.replace("\r\n", "\n")), expected);
        assert_eq!(line_hashes(&crlf.replace("\r\n", "\r")), expected);
    }
}
