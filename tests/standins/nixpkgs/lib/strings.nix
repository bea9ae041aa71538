# Stands in for nixpkgs' lib/strings.nix (not nixpkgs): string functions.
{ lib }:
let
  inherit (builtins) substring stringLength concatStringsSep filter isString split;
in
rec {
  inherit (builtins) concatStringsSep stringLength substring replaceStrings toString match;
  concatStrings = concatStringsSep "";
  concatMapStrings = f: list: concatStrings (map f list);
  concatMapStringsSep = sep: f: list: concatStringsSep sep (map f list);
  concatLines = list: concatStrings (map (l: l + "\n") list);
  optionalString = cond: s: if cond then s else "";
  hasPrefix = pref: str: substring 0 (stringLength pref) str == pref;
  hasSuffix = suf: str:
    let l = stringLength str; s = stringLength suf; in l >= s && substring (l - s) s str == suf;
  hasInfix = infix: str: builtins.match ".*${escapeRegex infix}.*" str != null;
  removePrefix = pref: str: if hasPrefix pref str then substring (stringLength pref) (-1) str else str;
  removeSuffix = suf: str:
    if hasSuffix suf str then substring 0 (stringLength str - stringLength suf) str else str;
  escapeRegex = builtins.replaceStrings
    [ "\\" "[" "]" "{" "}" "(" ")" "." "*" "+" "?" "^" "$" "|" ]
    [ "\\\\" "\\[" "\\]" "\\{" "\\}" "\\(" "\\)" "\\." "\\*" "\\+" "\\?" "\\^" "\\$" "\\|" ];
  splitString = sep: s: filter isString (split (escapeRegex sep) s);
  escapeShellArg = arg:
    let s = toString arg; in
    if builtins.match "[[:alnum:],._+:@%/-]+" s != null then s
    else "'${builtins.replaceStrings [ "'" ] [ "'\\''" ] s}'";
  escapeShellArgs = concatMapStringsSep " " escapeShellArg;
  escapeNixString = s: builtins.toJSON s;
  escapeNixIdentifier = s:
    if builtins.match "[a-zA-Z_][a-zA-Z0-9_'-]*" s != null then s else escapeNixString s;
  toLower = builtins.replaceStrings lib.upperChars lib.lowerChars;
  toUpper = builtins.replaceStrings lib.lowerChars lib.upperChars;
  lowerChars = lib.stringToCharacters "abcdefghijklmnopqrstuvwxyz";
  upperChars = lib.stringToCharacters "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  stringToCharacters = s: builtins.genList (p: substring p 1 s) (stringLength s);
  isStringLike = x: isString x || builtins.isPath x || x ? outPath || x ? __toString;
  isStorePath = x:
    isStringLike x && (let s = toString x; in hasPrefix builtins.storeDir s && builtins.match "${builtins.storeDir}/[^/]+" s != null);
  fixedWidthString = width: filler: str:
    let n = width - stringLength str; in
    if n <= 0 then str else concatStrings (builtins.genList (_: filler) n) + str;
}
