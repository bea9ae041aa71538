//! Finding the marker lines: one pass over the lines of `flake.nix`, then a few checks
//! on the (at most a handful of) marker lines found.

use std::ops::Range;

use super::{PatchError, Region, Which};

/// Where the regions are in a `flake.nix`, as [`locate`] found them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub inputs: RegionSpan,
    pub hosts: RegionSpan,
    /// The fleet region, when the file has its markers (a flake.nix made before it
    /// has none).
    pub fleet: Option<RegionSpan>,
}

impl Located {
    /// A region's span (`None`: the file has no fleet region).
    pub fn get(&self, region: Region) -> Option<&RegionSpan> {
        match region {
            Region::Inputs => Some(&self.inputs),
            Region::Hosts => Some(&self.hosts),
            Region::Fleet => self.fleet.as_ref(),
        }
    }

    /// Every region the file has, the one nearer the top of the file first.
    pub fn in_file_order(&self) -> Vec<&RegionSpan> {
        let mut all: Vec<&RegionSpan> = [Some(&self.inputs), Some(&self.hosts), self.fleet.as_ref()].into_iter().flatten().collect();
        all.sort_by_key(|s| s.body.start);
        all
    }
}

/// One region: its marker lines and the body between them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionSpan {
    pub region: Region,
    /// 1-based line number of the begin marker.
    pub begin_line: usize,
    /// 1-based line number of the end marker.
    pub end_line: usize,
    /// Bytes of the begin marker line, its line ending included.
    pub begin: Range<usize>,
    /// Bytes of the end marker line, its line ending (if any) included.
    pub end: Range<usize>,
    /// Bytes between the two marker lines: what glix rewrites.
    pub body: Range<usize>,
    /// The begin marker's indentation, which the generated lines copy.
    pub indent: String,
    /// The begin marker line's line ending (`"\n"` or `"\r\n"`), which the generated
    /// lines copy so a CRLF file stays CRLF.
    pub newline: &'static str,
}

/// A marker line found in the file.
#[derive(Debug, Clone)]
struct Hit {
    line: usize,
    bytes: Range<usize>,
    indent: Range<usize>,
    crlf: bool,
}

/// Every marker line, and the first near miss, per marker: the result of the one pass.
#[derive(Debug, Default)]
struct Scan {
    hits: [Vec<Hit>; 6],
    near: [Option<usize>; 6],
}

/// The six markers, indexed as in [`Scan`]; the fleet region's two are last.
const MARKERS: [(Region, Which); 6] = [
    (Region::Inputs, Which::Begin),
    (Region::Inputs, Which::End),
    (Region::Hosts, Which::Begin),
    (Region::Hosts, Which::End),
    (Region::Fleet, Which::Begin),
    (Region::Fleet, Which::End),
];

/// Finds the regions, or says why the file cannot be patched: a marker missing or
/// duplicated, a region that ends before it begins, or regions that overlap. The
/// fleet region is optional — neither of its markers, or exactly one of each — and
/// held to the same rules when it is there.
pub fn locate(flake_nix: &str) -> Result<Located, PatchError> {
    let scan = scan(flake_nix);
    let mut one_of_each = Vec::with_capacity(MARKERS.len());
    let has_fleet = !scan.hits[4].is_empty() || !scan.hits[5].is_empty();
    for (i, &(region, which)) in MARKERS.iter().enumerate() {
        if region == Region::Fleet && !has_fleet {
            break;
        }
        one_of_each.push(exactly_one(&scan, i, region, which)?);
    }
    let inputs = span(flake_nix, Region::Inputs, one_of_each[0], one_of_each[1])?;
    let hosts = span(flake_nix, Region::Hosts, one_of_each[2], one_of_each[3])?;
    check_disjoint(&inputs, &hosts)?;
    let fleet = match one_of_each.get(4..6) {
        Some([begin, end]) => {
            let fleet = span(flake_nix, Region::Fleet, begin, end)?;
            check_disjoint(&inputs, &fleet)?;
            check_disjoint(&hosts, &fleet)?;
            Some(fleet)
        }
        _ => None,
    };
    Ok(Located { inputs, hosts, fleet })
}

/// The single pass over the file: constant work per line besides reading it, so
/// locating is linear in the file size however many lines or regions it has.
fn scan(text: &str) -> Scan {
    let mut scan = Scan::default();
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let number = index + 1;
        let bytes = offset..offset + line.len();
        offset = bytes.end;
        match marker_on(line) {
            Some((i, indent_len)) => {
                scan.hits[i].push(Hit { line: number, indent: bytes.start..bytes.start + indent_len, crlf: line.ends_with("\r\n"), bytes })
            }
            None => note_near_miss(&mut scan, line, number),
        }
    }
    scan
}

/// Is `line` (with its line ending) a marker line: indentation, the exact marker text,
/// optional trailing whitespace, nothing else? Returns the marker's slot and the
/// indentation's length.
fn marker_on(line: &str) -> Option<(usize, usize)> {
    let content = line.strip_suffix('\n').unwrap_or(line);
    let rest = content.trim_start_matches([' ', '\t']);
    let indent_len = content.len() - rest.len();
    // `\r` is trailing whitespace here, so CRLF files and stray CRs are both fine.
    let text = rest.trim_end_matches([' ', '\t', '\r']);
    MARKERS.iter().position(|&(region, which)| region.marker(which) == text).map(|i| (i, indent_len))
}

/// Remembers the first line that contains a marker's text without being a marker line,
/// so that "marker missing" can point at what the user probably meant.
fn note_near_miss(scan: &mut Scan, line: &str, number: usize) {
    // Cheap filter first: almost no line mentions glix at all.
    if !line.contains("glix-managed") {
        return;
    }
    for (i, &(region, which)) in MARKERS.iter().enumerate() {
        if scan.near[i].is_none() && line.contains(region.marker(which)) {
            scan.near[i] = Some(number);
        }
    }
}

fn exactly_one(scan: &Scan, i: usize, region: Region, which: Which) -> Result<&Hit, PatchError> {
    match scan.hits[i].as_slice() {
        [hit] => Ok(hit),
        [] => Err(PatchError::MissingMarker { region, which, near: scan.near[i] }),
        hits => Err(PatchError::DuplicateMarker { region, which, lines: hits.iter().map(|h| h.line).collect() }),
    }
}

fn span(text: &str, region: Region, begin: &Hit, end: &Hit) -> Result<RegionSpan, PatchError> {
    if end.line < begin.line {
        return Err(PatchError::OutOfOrder { region, begin_line: begin.line, end_line: end.line });
    }
    Ok(RegionSpan {
        region,
        begin_line: begin.line,
        end_line: end.line,
        begin: begin.bytes.clone(),
        end: end.bytes.clone(),
        body: begin.bytes.end..end.bytes.start,
        indent: text[begin.indent.clone()].to_string(),
        newline: if begin.crlf { "\r\n" } else { "\n" },
    })
}

/// Regions must not overlap or nest: one must end before the other begins. (Marker lines
/// are distinct lines, so "before" is strict.)
fn check_disjoint(a: &RegionSpan, b: &RegionSpan) -> Result<(), PatchError> {
    let (first, second) = if a.begin_line < b.begin_line { (a, b) } else { (b, a) };
    if first.end_line < second.begin_line {
        return Ok(());
    }
    Err(PatchError::Nested {
        first: first.region,
        first_lines: (first.begin_line, first.end_line),
        second: second.region,
        second_lines: (second.begin_line, second.end_line),
    })
}
