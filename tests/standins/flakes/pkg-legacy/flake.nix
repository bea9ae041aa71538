# Stands in for a flake that offers only legacyPackages (a package set, as nixpkgs does),
# no module and no `packages`.
{
  outputs = { self }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      widget = system: derivation {
        name = "widget-0.3.0";
        pname = "widget";
        version = "0.3.0";
        inherit system;
        builder = "/bin/sh";
        PATH = "/bin:/usr/bin";
        args = [ "-c" "mkdir -p $out/bin && printf '#!/bin/sh\\necho widget 0.3.0\\n' > $out/bin/widget && chmod +x $out/bin/widget" ];
      } // { meta = { description = "A widget (glixos test stand-in)"; }; };
    in
    {
      legacyPackages = builtins.listToAttrs (map (system: { name = system; value = { widget = widget system; }; }) systems);
    };
}
