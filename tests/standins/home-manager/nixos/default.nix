# Stands in for home-manager's nixos/ module (not home-manager): home-manager.users.<name>
# is a submodule of home modules in which, as in the real one, home.username and
# home.homeDirectory come from users.users.<name> (so the user must exist there), pkgs
# is the system's with useGlobalPkgs, and with useUserPackages the user's home.path
# goes to users.users.<name>.packages. Each user's assertions become the system's.
{ config, lib, pkgs, _class ? "nixos", ... }:
let
  inherit (lib) mkOption mkEnableOption mkIf types;
  cfg = config.home-manager;
  hmLib = import ../modules/lib/stdlib-extended.nix lib;
  hmModule = types.submoduleWith {
    description = "Home Manager module";
    class = "homeManager";
    specialArgs = {
      lib = hmLib;
      osConfig = config;
      osClass = _class;
      modulesPath = builtins.toString ../modules;
    } // cfg.extraSpecialArgs;
    modules = [
      ({ name, ... }: {
        imports = import ../modules/modules.nix { inherit pkgs; lib = hmLib; useNixpkgsModule = !cfg.useGlobalPkgs; };
        config = {
          submoduleSupport.enable = true;
          submoduleSupport.externalPackageInstall = cfg.useUserPackages;
          home.username = config.users.users.${name}.name;
          home.homeDirectory = config.users.users.${name}.home;
        };
      })
    ] ++ cfg.sharedModules;
  };
in
{
  options.home-manager = {
    useUserPackages = mkEnableOption "installation of user packages through the {option}`users.users.<name>.packages` option";
    useGlobalPkgs = mkEnableOption "using the system configuration's `pkgs` argument in Home Manager";
    backupFileExtension = mkOption { type = types.nullOr types.str; default = null; example = "backup"; description = "On activation, move existing files by appending the given file extension rather than exiting with an error."; };
    extraSpecialArgs = mkOption { type = types.attrs; default = { }; description = "Extra `specialArgs` passed to Home Manager."; };
    sharedModules = mkOption { type = types.listOf types.raw; default = [ ]; description = "Extra modules added to all users."; };
    verbose = mkEnableOption "verbose output on activation";
    users = mkOption { type = types.attrsOf hmModule; default = { }; description = "Per-user Home Manager configuration."; };
  };

  config = mkIf (cfg.users != { }) {
    warnings = lib.flatten (lib.mapAttrsToList (user: c: map (w: "${user} profile: ${w}") c.warnings) cfg.users);
    assertions = lib.flatten (lib.mapAttrsToList
      (user: c: map (a: { inherit (a) assertion; message = "${user} profile: ${a.message}"; }) c.assertions)
      cfg.users);
    users.users = mkIf cfg.useUserPackages (lib.mapAttrs (_: c: { packages = [ c.home.path ]; }) cfg.users);
    systemd.services = lib.mapAttrs'
      (name: c: lib.nameValuePair "home-manager-${name}" {
        description = "Home Manager environment for ${name}";
        wantedBy = [ "multi-user.target" ];
        serviceConfig = { User = name; Type = "oneshot"; ExecStart = "${c.home.activationPackage}/activate"; };
      })
      cfg.users;
  };
}
