# Local flakes standing in for nixpkgs, home-manager, glixos-core and two packages
# (this machine has no network and no nixpkgs). Sourced by scripts/run with $DEMO set.
# nixpkgs' lib.nixosSystem here hands back its arguments instead of building a system.
mkdir -p "$DEMO"/{nixpkgs,home-manager,glixos-core,hello-service,dotfiles}
cat >"$DEMO/nixpkgs/flake.nix" <<'NIX'
{
  outputs = _: {
    lib = {
      nixosSystem = args: { standin = "nixosSystem"; inherit (args) system modules specialArgs; };
      mapAttrs = builtins.mapAttrs;
      genAttrs = names: f: builtins.listToAttrs (map (n: { name = n; value = f n; }) names);
      # What glix reads for a fresh host's system.stateVersion.
      trivial.release = "25.11";
    };
    legacyPackages = { };
  };
}
NIX
cat >"$DEMO/home-manager/flake.nix" <<NIX
{
  inputs.nixpkgs.url = "path:$DEMO/nixpkgs";
  outputs = _: { nixosModules.home-manager = { standin = "home-manager"; }; };
}
NIX
cp "$GLIX_ROOT/flake.nix" "$DEMO/glixos-core/" && cp -r "$GLIX_ROOT/nix" "$DEMO/glixos-core/"
cat >"$DEMO/hello-service/flake.nix" <<'NIX'
{
  outputs = _: {
    nixosModules.default = { glixConfig, ... }: { services.hello = { enable = true; port = glixConfig.port or "80"; }; };
  };
}
NIX
cat >"$DEMO/dotfiles/flake.nix" <<'NIX'
{
  outputs = _: {
    homeManagerModules.default = { glixConfig, ... }: { programs.shell.theme = glixConfig.theme or "light"; };
  };
}
NIX
