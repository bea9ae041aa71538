# Stands in for nixpkgs' trivial builders (not nixpkgs): writeText, writeTextFile,
# runCommand, symlinkJoin and buildEnv, each a real derivation built with /bin/sh.
{ lib, system }:
let
  shellDerivation = name: script: extra: derivation ({
    inherit name system;
    builder = "/bin/sh";
    PATH = "/bin:/usr/bin";
    args = [ "-c" "set -e\n${script}" ];
  } // extra);
  # Link every file of every path into $out, directories merged (the first file wins).
  linkTree = paths: ''
    link() {
      local f n
      mkdir -p "$2"
      for f in "$1"/* "$1"/.[!.]*; do
        [ -e "$f" ] || [ -L "$f" ] || continue
        n=''${f##*/}
        if [ -d "$f" ] && [ ! -L "$f" ]; then link "$f" "$2/$n"
        elif [ ! -e "$2/$n" ] && [ ! -L "$2/$n" ]; then ln -s "$f" "$2/$n"; fi
      done
    }
    mkdir -p $out
    for p in ${lib.concatMapStringsSep " " (p: lib.escapeShellArg "${p}") paths}; do
      if [ -d "$p" ]; then link "$p" "$out"; fi
    done
  '';
in
rec {
  writeTextFile = { name, text, executable ? false, destination ? "", ... }:
    shellDerivation name ''
      target="$out${destination}"
      mkdir -p "$(dirname "$target")"
      printf '%s' "$text" > "$target"
      ${lib.optionalString executable "chmod +x \"$target\""}
    '' { inherit text; };
  writeText = name: text: writeTextFile { inherit name text; };
  writeShellScript = name: text: writeTextFile { inherit name; executable = true; text = "#!/bin/sh\n${text}"; };
  writeShellScriptBin = name: text: writeTextFile { inherit name; executable = true; destination = "/bin/${name}"; text = "#!/bin/sh\n${text}"; };
  runCommand = name: env: script: shellDerivation name script (lib.filterAttrs (_: v: !builtins.isAttrs v || lib.isDerivation v) env);
  symlinkJoin = { name, paths, postBuild ? "", ... }: shellDerivation name (linkTree paths + postBuild) { } // { inherit paths; };
  buildEnv = { name, paths, postBuild ? "", ... }: symlinkJoin { inherit name paths postBuild; };
}
