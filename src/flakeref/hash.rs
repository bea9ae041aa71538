//! The slice of Nix's `Hash` parser (`src/libutil/hash.cc`) that flake references need:
//! commit hashes in `?rev=` (SHA-1, any of Nix's encodings) and `narHash` (SRI SHA-256).

const NIX32_CHARS: &[u8] = b"0123456789abcdfghijklmnpqrsvwxyz";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Algo {
    Md5,
    Sha1,
    Sha256,
    Sha512,
}

impl Algo {
    fn parse(s: &[u8]) -> Option<Algo> {
        match s {
            b"md5" => Some(Algo::Md5),
            b"sha1" => Some(Algo::Sha1),
            b"sha256" => Some(Algo::Sha256),
            b"sha512" => Some(Algo::Sha512),
            _ => None,
        }
    }

    fn size(self) -> usize {
        match self {
            Algo::Md5 => 16,
            Algo::Sha1 => 20,
            Algo::Sha256 => 32,
            Algo::Sha512 => 64,
        }
    }
}

/// `Hash::parseAny(s, SHA1)` followed by `gitRev()`: accepts `sha1:`/`sha1-` prefixes and
/// base-16, nix32 and base-64 bodies; returns the lowercase hex form Nix stores.
pub(crate) fn parse_sha1_rev(s: &[u8]) -> Result<String, String> {
    let (algo, rest, sri) = split_prefix(s)?;
    if let Some(a) = algo {
        if a != Algo::Sha1 {
            return Err("it is not a SHA-1 hash".into());
        }
    }
    let bytes = decode_body(rest, Algo::Sha1, sri)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// `Hash::parseSRI` for a `narHash`: `sha256-<base64>`.
pub(crate) fn check_sri_sha256(s: &str) -> Result<(), String> {
    let (algo, rest) = s.split_once('-').ok_or_else(|| "a narHash must look like sha256-<base64>".to_string())?;
    match Algo::parse(algo.as_bytes()) {
        Some(Algo::Sha256) => decode_body(rest.as_bytes(), Algo::Sha256, true).map(|_| ()),
        Some(_) => Err("a narHash must use SHA-256".into()),
        None => Err(format!("unknown hash algorithm '{algo}'")),
    }
}

/// `getParsedTypeAndSRI`: `algo:` (not SRI) or `algo-` (SRI); an unknown algorithm name
/// before the separator is an error.
fn split_prefix(s: &[u8]) -> Result<(Option<Algo>, &[u8], bool), String> {
    let split = |sep: u8| s.iter().position(|&b| b == sep).map(|i| (&s[..i], &s[i + 1..]));
    let (prefix, rest, sri) = match split(b':') {
        Some((p, r)) => (p, r, false),
        None => match split(b'-') {
            Some((p, r)) => (p, r, true),
            None => return Ok((None, s, false)),
        },
    };
    let algo = Algo::parse(prefix).ok_or_else(|| format!("unknown hash algorithm '{}'", String::from_utf8_lossy(prefix)))?;
    Ok((Some(algo), rest, sri))
}

/// `Hash::Hash(rest, algo, isSRI)`: the encoding is chosen by length.
fn decode_body(rest: &[u8], algo: Algo, sri: bool) -> Result<Vec<u8>, String> {
    let size = algo.size();
    let base16_len = size * 2;
    let base32_len = (size * 8 - 1) / 5 + 1;
    let base64_len = ((4 * size / 3) + 3) & !3;
    if !sri && rest.len() == base16_len {
        decode_base16(rest)
    } else if !sri && rest.len() == base32_len {
        decode_nix32(rest, size)
    } else if sri || rest.len() == base64_len {
        match decode_base64(rest) {
            Some(d) if d.len() == size => Ok(d),
            _ => Err("it is not a valid base-64 hash of the right length".into()),
        }
    } else {
        Err("it has the wrong length for a hash".into())
    }
}

fn decode_base16(s: &[u8]) -> Result<Vec<u8>, String> {
    s.chunks(2)
        .map(|p| {
            let hex = std::str::from_utf8(p).ok().filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
            hex.and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or_else(|| "it is not valid base-16".to_string())
        })
        .collect()
}

/// Nix's own base-32 (least significant digit last, no padding, no e/o/u/t).
fn decode_nix32(s: &[u8], size: usize) -> Result<Vec<u8>, String> {
    let mut hash = vec![0u8; size];
    for n in 0..s.len() {
        let c = s[s.len() - n - 1];
        let digit = NIX32_CHARS.iter().position(|&d| d == c).ok_or_else(|| "it is not valid nix32".to_string())? as u32;
        let b = n * 5;
        let (i, j) = (b / 8, (b % 8) as u32);
        hash[i] |= (digit << j) as u8;
        if i < size - 1 {
            hash[i + 1] |= (digit >> (8 - j)) as u8;
        } else if digit >> (8 - j) != 0 {
            return Err("it is not valid nix32 (too large)".into());
        }
    }
    Ok(hash)
}

/// `base64Decode`: stops at the first `=`, skips newlines, refuses other foreign bytes.
fn decode_base64(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut d, mut bits) = (0u32, 0u32);
    for &c in s {
        if c == b'=' {
            break;
        }
        if c == b'\n' {
            continue;
        }
        let digit = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32;
        bits += 6;
        d = (d << 6 | digit) & 0xffff;
        if bits >= 8 {
            out.push((d >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn sha1_encodings_agree() {
        assert_eq!(parse_sha1_rev(HEX.to_uppercase().as_bytes()).unwrap(), HEX);
        assert_eq!(parse_sha1_rev(format!("sha1:{HEX}").as_bytes()).unwrap(), HEX);
        assert!(parse_sha1_rev(format!("sha256:{HEX}").as_bytes()).is_err());
        assert!(parse_sha1_rev(b"abc").is_err());
        // 20 zero bytes in base-64 and in nix32.
        assert_eq!(parse_sha1_rev(b"AAAAAAAAAAAAAAAAAAAAAAAAAAA=").unwrap(), "0".repeat(40));
        assert_eq!(parse_sha1_rev("0".repeat(32).as_bytes()).unwrap(), "0".repeat(40));
    }

    #[test]
    fn nar_hash_must_be_sri_sha256() {
        assert!(check_sri_sha256("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=").is_ok());
        assert!(check_sri_sha256("sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA=").is_err());
        assert!(check_sri_sha256("junk").is_err());
    }
}
