# glix's own rules on flake references, on top of what builtins.parseFlakeRef accepts:
# the pure-Nix side of src/flakeref/policy.rs, for importManifest's fallback. Each rule
# refuses a reference Nix would read differently from what it says (a parameter Nix
# silently ignores, a path that depends on the current directory), with the Rust
# parser's words, so both readers refuse a manifest alike (tests/nix_import_manifest.rs
# over tests/corpus/manifests/invalid/policy-*.toml). Not mirrored here, and listed in
# README's Limits: URL rewriting of git/hg/tarball/file references, and their
# per-type parameter lists.
let
  inherit (builtins) elem filter head length match parseFlakeRef split stringLength substring;

  forges = [ "github" "gitlab" "sourcehut" ];
  forgeParams = [ "dir" "ref" "rev" "host" "narHash" ];
  gitFlags = [ "shallow" "submodules" "exportIgnore" "allRefs" "verifyCommit" ];

  # The query of a URL-like reference: "a=1&b" → [ "a=1" "b" ] (none: []).
  queryOf = f:
    let m = match "[^?#]*[?]([^#]*).*" f; in
    if m == null || head m == "" then [ ] else filter (x: builtins.isString x && x != "") (split "&" (head m));
  nameOf = p: head (match "([^=]*).*" p);

  firstDuplicate = names:
    let go = seen: rest:
      if rest == [ ] then null
      else if elem (head rest) seen then head rest
      else go (seen ++ [ (head rest) ]) (builtins.tail rest);
    in go [ ] names;

  scheme = f: let m = match "([a-z+]+):.*" f; in if m == null then null else head m;

  ignored = f: what: hint: "in flake reference '${f}': ${what} would be silently ignored by Nix; ${hint}";

  # null when `f` passes, else why not (the text after "is not a valid flake reference: ").
  check = f:
    let
      kind = (parseFlakeRef f).type;
      params = queryOf f;
      names = map nameOf params;
      noEquals = filter (p: match "[^=]*=.*" p == null) params;
      dup = firstDuplicate names;
      unknownForge = filter (n: !(elem n forgeParams)) names;
      badFlag = if kind != "git" then [ ] else filter (p: elem (nameOf p) gitFlags && match "[^=]*=[01]" p == null) params;
      narHash = let m = filter (p: nameOf p == "narHash") params; in if m == [ ] then null else substring 8 (stringLength (head m)) (head m);
      isPathLike = match "[/.~].*" f != null;
    in
    if isPathLike then
      "bare path '${f}': write path:${f} (or git+file://${f} for a Git checkout) so the reference means the same wherever it is used"
    else if kind == "path" && match "path:/.*" f == null then
      "relative path in flake reference '${f}': glix writes references into flake.nix, so they must not depend on the current directory (write path:/absolute/path or git+file:///absolute/path)"
    else if noEquals != [ ] then
      ignored f "parameter '${head noEquals}' (no '=')" "write name=value"
    else if dup != null then
      ignored f "the second '${dup}' parameter" "give each parameter once"
    else if elem kind forges && match "[a-z]+://.*" f != null then
      let a = head (match "[a-z]+://([^/]*).*" f); in
      ignored f "the host part '//${a}'" "write ${kind}:owner/repo (for another host, add ?host=...)"
    else if elem kind forges && unknownForge != [ ] then
      ignored f "parameter '${head unknownForge}'" "${kind} references support dir, ref, rev, host, narHash"
    else if badFlag != [ ] then
      let p = head badFlag; n = nameOf p; in
      ignored f "${p} (only 1 means true)" "write ${n}=1 or ${n}=0"
    else if narHash != null && match "sha256-[A-Za-z0-9+/]{43}=" narHash == null then
      "in flake reference '${f}': narHash '${narHash}' is invalid: it is not a valid base-64 hash of the right length"
    else null;
in
{ inherit check; }
