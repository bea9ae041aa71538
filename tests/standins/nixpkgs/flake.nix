# Stands in for nixpkgs in glixos's tests. This is NOT nixpkgs and contains no nixpkgs
# code: a lib with its own module system (./lib), a small NixOS (./nixos) and a
# package set whose packages build without network (./pkgs).
{
  description = "glixos test stand-in for nixpkgs (not nixpkgs)";

  outputs = { self }:
    let
      lib = import ./lib;
      systems = [ "x86_64-linux" "aarch64-linux" ];
    in
    {
      lib = lib // {
        # As nixpkgs' flake: through nixos/lib/eval-config.nix, no system by default
        # (nixpkgs.hostPlatform or the `system` argument says which).
        nixosSystem = args:
          import ./nixos/lib/eval-config.nix ({ system = null; modulesLocation = (builtins.unsafeGetAttrPos "modules" args).file or null; } // args // {
            modules = args.modules ++ [
              {
                system.nixos.versionSuffix = ".${builtins.substring 0 8 (self.lastModifiedDate or "19700101")}.${self.shortRev or "dirty"}";
                system.nixos.revision = lib.mkIf (self ? rev) self.rev;
              }
            ];
          });
      };
      legacyPackages = lib.genAttrs systems (system: import ./pkgs { inherit system; });
    };
}
