# Stands in for nixpkgs' lib/sources.nix (not nixpkgs): filtered source trees. Lazy:
# nothing is copied to the store until a derivation uses the result.
{ lib }:
rec {
  cleanSourceFilter = name: type:
    let base = baseNameOf (toString name); in
    !(type == "directory" && (base == ".git" || base == ".svn" || base == ".hg"))
    && !(lib.hasSuffix "~" base || builtins.match "^\\.sw[a-z]$" base != null || builtins.match "^\\..*\\.sw[a-z]$" base != null)
    && !(type == "symlink" && lib.hasPrefix "result" base);
  cleanSourceWith = { src, filter ? _: _: true, name ? "source" }:
    builtins.path { path = src; inherit name; filter = p: t: filter p t; };
  cleanSource = src: cleanSourceWith { inherit src; filter = cleanSourceFilter; };
  sourceByRegex = src: regexes: cleanSourceWith {
    inherit src;
    filter = p: _: builtins.any (r: builtins.match r (lib.removePrefix (toString src + "/") (toString p)) != null) regexes;
  };
}
