# Stands in for a package flake that offers only packages (no module): `default` and
# `tool`, real derivations that build without network.
{
  outputs = { self }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      mkTool = system: derivation {
        name = "tool-1.2.0";
        pname = "tool";
        version = "1.2.0";
        inherit system;
        builder = "/bin/sh";
        PATH = "/bin:/usr/bin";
        args = [ "-c" "mkdir -p $out/bin && printf '#!/bin/sh\\necho tool 1.2.0\\n' > $out/bin/tool && chmod +x $out/bin/tool" ];
      } // { meta = { description = "A command-line tool (glixos test stand-in)"; mainProgram = "tool"; }; };
    in
    {
      packages = builtins.listToAttrs (map
        (system: { name = system; value = rec { tool = mkTool system; default = tool; }; })
        systems);
    };
}
