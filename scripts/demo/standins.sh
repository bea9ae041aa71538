# Local flakes standing in for nixpkgs, home-manager, glixos-core and two packages
# (this machine has no network and no nixpkgs). Sourced by scripts/run with $DEMO set.
# nixpkgs and home-manager are the tests' stand-ins (tests/standins/: a module system,
# a small NixOS whose toplevel builds, a package set); the two packages declare the
# options they set, as real package modules do.
mkdir -p "$DEMO"/{glixos-core,hello-service,dotfiles}
cp -r "$GLIX_ROOT/tests/standins/nixpkgs" "$GLIX_ROOT/tests/standins/home-manager" "$DEMO/"
cp "$GLIX_ROOT/flake.nix" "$GLIX_ROOT/Cargo.toml" "$DEMO/glixos-core/" && cp -r "$GLIX_ROOT/nix" "$DEMO/glixos-core/"
cat >"$DEMO/hello-service/flake.nix" <<'NIX'
{
  outputs = _: {
    nixosModules.default = { glixConfig, lib, pkgs, ... }: {
      options.services.hello = {
        enable = lib.mkEnableOption "the hello service";
        port = lib.mkOption { type = lib.types.str; default = "80"; description = "The port it listens on."; };
      };
      config.services.hello = { enable = true; port = glixConfig.port or "80"; };
      config.environment.systemPackages = [ pkgs.hello ];
    };
  };
}
NIX
cat >"$DEMO/dotfiles/flake.nix" <<'NIX'
{
  outputs = _: {
    homeManagerModules.default = { glixConfig, lib, ... }: {
      options.programs.shell.theme = lib.mkOption { type = lib.types.str; default = "light"; description = "The shell's colour theme."; };
      config.programs.shell.theme = glixConfig.theme or "light";
    };
  };
}
NIX
# What the host's owner adds to a host glix made before it builds: the hardware (root
# file system), a boot loader, and the user home-manager configures. Called by
# scripts/run after `glix init`.
demo_own_host() {
  local host="$GLIX_REPO/hosts/laptop"
  cat >"$host/hardware-configuration.nix" <<'NIX'
{ modulesPath, ... }:
{
  imports = [ (modulesPath + "/installer/scan/not-detected.nix") ];
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  boot.loader.systemd-boot.enable = true;
  users.users.alice.isNormalUser = true;
}
NIX
  sed -i 's|# imports = \[ ./hardware-configuration.nix \];|imports = [ ./hardware-configuration.nix ];|' "$host/default.nix"
  grep -q '^  imports = \[ ./hardware-configuration.nix \];' "$host/default.nix" \
    || { echo "demo: hosts/laptop/default.nix has no '# imports = [ ./hardware-configuration.nix ];' line to enable" >&2; return 1; }
  git -C "$GLIX_REPO" add hosts/laptop
  git -C "$GLIX_REPO" -c user.name=demo -c user.email=demo@localhost commit -qm "laptop: hardware, boot loader, alice"
}
