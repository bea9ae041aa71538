//! Why the patcher refused. Every refusal leaves `flake.nix` untouched; the messages say
//! what is wrong, at which line(s) (1-based), and what to do about it.

use super::Region;

/// One end of a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Which {
    Begin,
    End,
}

impl std::fmt::Display for Which {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Which::Begin => "begin",
            Which::End => "end",
        })
    }
}

/// The patcher's refusals.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatchError {
    /// No line holds this marker.
    #[error("{}", missing(*.region, *.which, *.near))]
    MissingMarker {
        region: Region,
        which: Which,
        /// A line that contains the marker text but is not a marker line (extra words,
        /// inside a string): most likely the marker the user meant.
        near: Option<usize>,
    },

    /// More than one line holds this marker.
    #[error(
        "flake.nix has the {which} marker `{marker}` on lines {lines}; keep exactly one \
         (glix rewrites the lines between one begin and one end marker)",
        marker = .region.marker(*.which),
        lines = join(.lines)
    )]
    DuplicateMarker { region: Region, which: Which, lines: Vec<usize> },

    /// The end marker comes before the begin marker.
    #[error(
        "flake.nix's glix-managed {region} region ends (line {end_line}) before it begins \
         (line {begin_line}); put `{begin}` above `{end}`, both {home}",
        begin = .region.begin(),
        end = .region.end(),
        home = .region.home()
    )]
    OutOfOrder { region: Region, begin_line: usize, end_line: usize },

    /// The regions overlap or one is inside the other.
    #[error(
        "flake.nix's glix-managed {first} region (lines {}-{}) and {second} region (lines {}-{}) \
         overlap; each region must end before the other begins: the {first} markers go \
         {first_home}, the {second} markers {second_home}",
        .first_lines.0, .first_lines.1, .second_lines.0, .second_lines.1,
        first_home = .first.home(),
        second_home = .second.home()
    )]
    Nested {
        /// The region whose begin marker comes first.
        first: Region,
        first_lines: (usize, usize),
        second: Region,
        second_lines: (usize, usize),
    },

    /// An input or host name that cannot be written as a Nix attribute name.
    #[error(
        "invalid {kind} name {name:?}: {reason} (a name matches ^[A-Za-z_][A-Za-z0-9_-]*$, \
         is at most 64 characters and is not a Nix keyword); rename it in the host's glix.toml",
        kind = name_kind(*.region)
    )]
    InvalidName { region: Region, name: String, reason: &'static str },

    /// An input's URL that cannot be written into a Nix string.
    #[error("the URL of input `{input}` ({url:?}) {reason}; fix it in the host's glix.toml")]
    InvalidUrl { input: String, url: String, reason: &'static str },

    /// A fleet engine is asked for but flake.nix has no fleet region.
    #[error(
        "flake.nix has no glix-managed fleet region; add the two lines `{begin}` and `{end}` {home}",
        begin = Region::Fleet.begin(),
        end = Region::Fleet.end(),
        home = Region::Fleet.home()
    )]
    NoFleetRegion,

    /// A host's system that cannot be written into a Nix string.
    #[error("the system of host `{host}` ({system:?}) {reason}; fix it in the host's glix.toml")]
    InvalidSystem { host: String, system: String, reason: &'static str },
}

impl PatchError {
    /// A stable, machine-readable name of what went wrong (the `kind` of glix's
    /// `--json` errors). The messages themselves say what to do.
    pub fn kind(&self) -> &'static str {
        match self {
            PatchError::MissingMarker { .. } => "missing-marker",
            PatchError::DuplicateMarker { .. } => "duplicate-marker",
            PatchError::OutOfOrder { .. } => "markers-out-of-order",
            PatchError::Nested { .. } => "nested-regions",
            PatchError::InvalidName { .. } => "invalid-name",
            PatchError::InvalidUrl { .. } => "invalid-url",
            PatchError::InvalidSystem { .. } => "invalid-system",
            PatchError::NoFleetRegion => "no-fleet-region",
        }
    }
}

fn missing(region: Region, which: Which, near: Option<usize>) -> String {
    let place = match which {
        Which::Begin => format!("{}, above `{}`", region.home(), region.end()),
        Which::End => format!("{}, below `{}`", region.home(), region.begin()),
    };
    let mut msg = format!(
        "flake.nix has no {which} marker for the glix-managed {region} region; add the line \
         `{}` {place}",
        region.marker(which)
    );
    if let Some(line) = near {
        msg.push_str(&format!(
            " (line {line} contains the marker text but is not a marker line: a marker \
             line holds the marker alone, indented or not)"
        ));
    }
    msg
}

fn join(lines: &[usize]) -> String {
    let strs: Vec<String> = lines.iter().map(usize::to_string).collect();
    strs.join(", ")
}

fn name_kind(region: Region) -> &'static str {
    match region {
        Region::Inputs => "input",
        Region::Hosts => "host",
        Region::Fleet => "fleet",
    }
}
