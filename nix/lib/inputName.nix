# The flake input name glix derives from a flake reference, for an entry written by
# hand without `input` (mirrors `canonical_input_name` in src/flakeref/name.rs, which
# the plugin's glixInputName returns; tests/ident_rules_match_fallback.rs checks that
# they agree over its samples): the repository's name for forges, the last path
# segment for paths and URLs (without `.git` or an archive suffix), `-<dir>` when the
# flake is in a subdirectory; lowercase, every other run of characters one `-`, at
# most 48 characters, `input-` before a name that would start with a digit or be
# reserved.
let
  inherit (builtins) parseFlakeRef filter isString split elemAt length substring stringLength replaceStrings match concatStringsSep elem head;

  reserved = [ "assert" "else" "if" "in" "inherit" "let" "or" "rec" "then" "with" "self" ];
  upper = [ "A" "B" "C" "D" "E" "F" "G" "H" "I" "J" "K" "L" "M" "N" "O" "P" "Q" "R" "S" "T" "U" "V" "W" "X" "Y" "Z" ];
  lower = [ "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m" "n" "o" "p" "q" "r" "s" "t" "u" "v" "w" "x" "y" "z" ];
  stemMax = 48;

  segments = p: filter (s: isString s && s != "") (split "/" p);
  last = l: elemAt l (length l - 1);
  lastSegment = p: let s = segments p; in if s == [ ] then "" else last s;
  hasSuffix = suffix: s: stringLength s >= stringLength suffix && substring (stringLength s - stringLength suffix) (stringLength suffix) s == suffix;
  dropSuffix = suffix: s: substring 0 (stringLength s - stringLength suffix) s;
  archiveSuffixes = [ ".tar.gz" ".tar.xz" ".tar.bz2" ".tar.zst" ".tgz" ".zip" ".tar" ];
  withoutArchiveSuffix = s:
    let found = filter (x: hasSuffix x s) archiveSuffixes; in
    if found == [ ] then s else dropSuffix (head found) s;

  # The authority's host: no `user@`, no `:port`, IPv6 without brackets.
  hostOf = authority:
    let noUser = last (split "@" authority); in
    if substring 0 1 noUser == "[" then head (split "]" (substring 1 (stringLength noUser) noUser))
    else head (split ":" noUser);

  urlBase = url: kind:
    let parts = match "[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)([^?#]*).*" url; in
    if parts == null then kind
    else
      let
        segs = segments (elemAt parts 1);
        host = hostOf (elemAt parts 0);
      in
      if segs == [ ] then (if host == "" then kind else host)
      else if elem kind [ "git" "hg" ] then (let l = last segs; in if hasSuffix ".git" l then dropSuffix ".git" l else l)
      else if length segs >= 3 && elemAt segs (length segs - 2) == "archive" then elemAt segs (length segs - 3)
      else withoutArchiveSuffix (last segs);

  trimDashes = s: let m = match "-*(.*[^-])?-*" s; in if m == null || head m == null then "" else head m;
  cut = s: trimDashes (substring 0 stemMax s);
  sanitize = raw:
    let
      lowered = replaceStrings upper lower raw;
      dashed = concatStringsSep "-" (filter isString (split "[^a-z0-9_-]+" lowered));
      name = cut (trimDashes dashed);
    in
    if name == "" then "input"
    else if match "[0-9].*" name != null || elem name reserved then cut "input-${name}"
    else name;

  stem = r:
    let
      base =
        if elem r.type [ "github" "gitlab" "sourcehut" ] then r.repo
        else if r.type == "indirect" then r.id
        else if r.type == "path" then lastSegment r.path
        else urlBase (r.url or "") r.type;
      dir = lastSegment (r.dir or "");
    in
    sanitize (if dir != "" then "${base}-${dir}" else base);
in
flakeRef: stem (parseFlakeRef flakeRef)
