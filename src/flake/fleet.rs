//! The fleet region: which deployment engine reads the hosts (`glix fleet enable`).
//!
//! ```nix
//!     {
//!       nixosConfigurations = { … };
//!       # >>> glix-managed fleet >>>
//!       colmena = glixos-core.lib.colmena { inherit self nixpkgs; };
//!       colmenaHive = inputs.colmena.lib.makeHive self.colmena;
//!       # <<< glix-managed fleet <<<
//!     };
//! ```
//!
//! The region is optional (a flake.nix made before it has none: glix works as before,
//! and `glix fleet enable` says where the two marker lines go). What it says is the
//! record of the enabled engine: [`enabled`] reads it back, and the engine's flake
//! input (in the inputs region, `colmena.url = "…";`) goes with it whenever the
//! regions are regenerated.

use super::Located;

/// A fleet deployment engine glixos-core has an adapter for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Engine {
    Colmena,
    DeployRs,
}

impl Engine {
    pub const ALL: [Engine; 2] = [Engine::Colmena, Engine::DeployRs];

    /// Its name on the command line (`glix fleet enable deploy-rs`).
    pub fn name(self) -> &'static str {
        match self {
            Engine::Colmena => "colmena",
            Engine::DeployRs => "deploy-rs",
        }
    }

    pub fn parse(s: &str) -> Option<Engine> {
        Engine::ALL.into_iter().find(|e| e.name() == s)
    }

    /// The flake input the engine is reached through (its `lib`).
    pub fn input(self) -> &'static str {
        match self {
            Engine::Colmena => "colmena",
            Engine::DeployRs => "deploy-rs",
        }
    }

    /// The input's URL unless `glix fleet enable --url` says otherwise.
    pub fn default_url(self) -> &'static str {
        match self {
            Engine::Colmena => "github:zhaofengli/colmena",
            Engine::DeployRs => "github:serokell/deploy-rs",
        }
    }

    /// The region's lines (without indentation or line endings).
    pub fn lines(self) -> &'static [&'static str] {
        match self {
            Engine::Colmena => &["colmena = glixos-core.lib.colmena { inherit self nixpkgs; };", "colmenaHive = inputs.colmena.lib.makeHive self.colmena;"],
            Engine::DeployRs => &["deploy = glixos-core.lib.deployRs { inherit self; inherit (inputs) deploy-rs; };"],
        }
    }

    /// The program glix hands `switch --all` to.
    pub fn program(self) -> &'static str {
        match self {
            Engine::Colmena => "colmena",
            Engine::DeployRs => "deploy",
        }
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The enabled engine and its input's URL, as `flake_nix` says them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fleet<'a> {
    pub engine: Engine,
    pub url: &'a str,
}

/// The engine `flake_nix`'s fleet region holds (all of its lines, however indented),
/// with the URL of its input as the inputs region says it (else the default URL).
/// `None` when the file has no fleet region or the region holds no engine.
pub fn enabled<'a>(flake_nix: &'a str, located: &Located) -> Option<Fleet<'a>> {
    let span = located.fleet.as_ref()?;
    let body: Vec<&str> = flake_nix[span.body.clone()].lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let engine = Engine::ALL.into_iter().find(|e| e.lines().iter().all(|l| body.contains(l)))?;
    Some(Fleet { engine, url: input_url(flake_nix, located, engine.input()).unwrap_or(engine.default_url()) })
}

/// The URL of `input` in the inputs region, when its line is one glix writes and needs
/// no unescaping (`<input>.url = "<url>";`).
fn input_url<'a>(flake_nix: &'a str, located: &Located, input: &str) -> Option<&'a str> {
    flake_nix[located.inputs.body.clone()].lines().find_map(|l| {
        let url = l.trim().strip_prefix(input)?.strip_prefix(".url = \"")?.strip_suffix("\";")?;
        (!url.contains(['\\', '"'])).then_some(url)
    })
}
