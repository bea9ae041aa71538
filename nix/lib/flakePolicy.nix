# glix's own rules on flake references, on top of what builtins.parseFlakeRef accepts:
# the pure-Nix side of src/flakeref/policy.rs, for importManifest's fallback. Each rule
# refuses a reference Nix would read differently from what it says (a parameter Nix
# silently ignores, a path that depends on the current directory), with the Rust
# parser's words, so both readers refuse a manifest alike (tests/nix_import_manifest.rs
# over tests/corpus/manifests/invalid/policy-*.toml). Not mirrored here, and listed in
# README's Limits: URL rewriting of git/hg/tarball/file references, and their
# per-type parameter lists (so an authority Nix 2.26's URL regex cannot read is refused
# here in other words, or by Nix). The rules for what Nix 2.33 reads differently (a '%2F'
# in a path, a forge's commit hash not in lower case) take the path and ?rev= from the
# text as written, so a percent-escaped rev is shown escaped where the Rust parser shows
# it decoded. Nix 2.33.6's own parseFlakeRef aborts on a Git URL with no '//' after the
# scheme (git+https:/o/r, an assertion in ParsedURL::renderAuthorityAndPath): this file
# cannot stop that; glix never writes such a reference (it has no host).
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
  notPortable = f: what: hint: "flake reference '${f}' means different things to different Nix versions: ${what}; ${hint}";

  # src/flakeref/portable.rs: what Nix 2.26 and 2.31+ (boost::url) read alike.
  has = sub: s: builtins.replaceStrings [ sub ] [ "" ] s != s;
  unreserved = s: match "[A-Za-z0-9._~-]*" s != null;
  digitsValue = p: let d = head (match "0*([0-9]*)" p); in if d == "" then 0 else builtins.fromJSON d;
  authorityProblem = a:
    let
      at = match "(.*)@([^@]*)" a;
      userinfo = if at == null then null else head at;
      hostPort = if at == null then a else builtins.elemAt at 1;
      up = match "([^:]*):(.*)" userinfo;
      user = if up == null then userinfo else head up;
      password = if up == null then "" else builtins.elemAt up 1;
      lit = match "(.*[]])([^]]*)" hostPort;
      before = if lit == null then "" else head lit;
      rest = if lit == null then hostPort else builtins.elemAt lit 1;
      hp = match "(.*):([^:]*)" rest;
      host = before + (if hp == null then rest else head hp);
      port = if hp == null then null else builtins.elemAt hp 1;
      ipv6 = match "[[][0-9A-Fa-f:.]+(%25[A-Za-z0-9._~-]+)?[]]" host != null;
    in
    if a == "" then null
    else if userinfo != null && has "@" userinfo then "the authority '${a}' has more than one '@'"
    else if userinfo != null && (user == "" || !(unreserved user) || !(unreserved password)) then
      "the user part '${userinfo}' is not letters, digits, '-', '.', '_' and '~' (with one ':' before a password)"
    else if !ipv6 && (host == "" || !(unreserved host)) then "the host '${host}' is not letters, digits, '-', '.', '_' and '~'"
    else if port != null && (match "[0-9]{1,5}" port == null || digitsValue port < 1 || digitsValue port > 65535) then
      "the port '${port}' is not a number from 1 to 65535"
    else null;
  gitRefProblem = r:
    if r == "" || r == "@" then "it is empty or '@'"
    else if match "-.*" r != null then "it starts with '-'"
    else if match ".*[[:cntrl:]].*" r != null || builtins.any (c: has c r) [ " " "~" "^" ":" "?" "*" "[" "\\" ] then
      "it contains a space, a control character or one of ~ ^ : ? * [ \\"
    else if has ".." r || has "@{" r then "it contains '..' or '@{'"
    else if match "/.*" r != null || match ".*/" r != null || has "//" r then "it has an empty '/'-separated part"
    else if match ".*[.]" r != null || match "(.*/)?[.].*" r != null || match "(.*/)?[^/]*[.]lock(/.*)?" r != null then
      "it ends with '.', or a part of it starts with '.' or ends with '.lock'"
    else null;

  # A '%2F' in the path (portable.rs's encoded_slash_problem): for a forge only in its
  # owner and repository, the first two segments.
  pathOf = f:
    let p = head (match "[a-z+]+:([^?#]*).*" f); a = match "//[^/]*(.*)" p; in
    if a == null then p else head a;
  encodedSlash = s: match ".*%2[Ff].*" s != null;
  encodedSlashProblem = f: forge:
    let
      segs = filter (s: builtins.isString s && s != "") (split "/" (pathOf f));
      ownerRepo = if length segs >= 2 then [ (head segs) (builtins.elemAt segs 1) ] else segs;
    in
    if match "[a-z+]+:.*" f == null then null
    else if forge && builtins.any encodedSlash ownerRepo then
      "its owner or repository contains '%2F' (an encoded '/'), which Nix 2.33 and later keep in the name and earlier versions read as a '/'"
    else if !forge && encodedSlash (pathOf f) then
      "its path contains '%2F' (an encoded '/'), which Nix 2.33 and later keep as written (or refuse) and earlier versions read as a '/'"
    else null;
  # A forge's commit hash Nix 2.26 converts to 40 lower-case hex digits (check_forge_rev):
  # upper case in the path, or any other form in ?rev=.
  forgeRevWritten = f: params:
    let
      segs = filter (s: builtins.isString s && s != "") (split "/" (pathOf f));
      revParams = filter (p: nameOf p == "rev") params;
      fromPath = if length segs == 3 && match "[0-9a-fA-F]{40}" (builtins.elemAt segs 2) != null then builtins.elemAt segs 2 else null;
      fromQuery = if revParams == [ ] then null else substring 4 (stringLength (head revParams)) (head revParams);
      written = if fromQuery != null then fromQuery else fromPath;
    in
    if written != null && match "[0-9a-f]{40}" written == null then written else null;

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
      authority = let m = match "[a-z+]+://([^/?#]*).*" f; in if m == null then null else head m;
      whyAuthority = if elem kind [ "git" "hg" "tarball" "file" ] && authority != null then authorityProblem authority else null;
      ref = (parseFlakeRef f).ref or null;
      whyRef = if elem kind [ "git" "github" "gitlab" "sourcehut" "indirect" ] && ref != null then gitRefProblem ref else null;
      whySlash = encodedSlashProblem f (elem kind forges);
      convertedRev = if elem kind forges then forgeRevWritten f params else null;
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
    else if whySlash != null then
      notPortable f whySlash "write '/' where a '/' is meant (an owner or repository name cannot contain one)"
    else if whyAuthority != null then
      notPortable f whyAuthority "write the host as letters, digits, '-' and '.', and a port as a number"
    else if whyRef != null then
      notPortable f "'${ref}' is not a Git branch or tag name (${whyRef}), which Nix 2.31 and later refuse"
        "give the branch or tag as `git check-ref-format --branch` accepts it"
    else if convertedRev != null then
      notPortable f "the commit hash '${convertedRev}' is not 40 lower-case hex digits: Nix 2.33 and later keep it as written, earlier versions convert it"
        "write the 40-digit commit hash in lower case"
    else if narHash != null && match "sha256-[A-Za-z0-9+/]{43}=" narHash == null then
      "in flake reference '${f}': narHash '${narHash}' is invalid: it is not a valid base-64 hash of the right length"
    else null;
in
{ inherit check; }
