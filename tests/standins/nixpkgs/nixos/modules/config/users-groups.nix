# Stands in for nixpkgs' nixos/modules/config/users-groups.nix (not nixpkgs): users and
# groups. A normal user's home defaults to /home/<name>, anyone else's to /var/empty;
# each user must be exactly one of isNormalUser / isSystemUser, as NixOS asserts.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption mkDefault mkIf types;
  cfg = config.users;
  userOpts = { name, config, ... }: {
    options = {
      name = mkOption { type = types.passwdEntry types.str; default = name; description = "The name of the user account."; };
      description = mkOption { type = types.passwdEntry types.str; default = ""; description = "A short description of the user account (GECOS)."; };
      uid = mkOption { type = types.nullOr types.int; default = null; description = "The account UID."; };
      isSystemUser = mkOption { type = types.bool; default = false; description = "Whether this is a system user."; };
      isNormalUser = mkOption { type = types.bool; default = false; description = "Whether this is a real user (home in /home, a login shell, group `users`)."; };
      group = mkOption { type = types.str; default = ""; description = "The user's primary group."; };
      extraGroups = mkOption { type = types.listOf types.str; default = [ ]; description = "The user's auxiliary groups."; };
      home = mkOption { type = types.passwdEntry types.path; default = "/var/empty"; description = "The user's home directory."; };
      homeMode = mkOption { type = types.strMatching "[0-7]{1,5}"; default = "700"; description = "The mode of the home directory when created."; };
      createHome = mkOption { type = types.bool; default = false; description = "Whether to create the home directory."; };
      useDefaultShell = mkOption { type = types.bool; default = false; description = "Whether the user's shell is users.defaultUserShell."; };
      shell = mkOption { type = types.nullOr (types.either types.package (types.passwdEntry types.path)); default = null; description = "The user's login shell."; };
      packages = mkOption { type = types.listOf types.package; default = [ ]; description = "Packages in the user's profile."; };
      password = mkOption { type = types.nullOr types.str; default = null; description = "The user's password, in clear text (world-readable in the store)."; };
      initialPassword = mkOption { type = types.nullOr types.str; default = null; description = "The user's password when the account is created."; };
      hashedPassword = mkOption { type = types.nullOr (types.passwdEntry types.str); default = null; description = "The hashed password."; };
      initialHashedPassword = mkOption { type = types.nullOr (types.passwdEntry types.str); default = null; description = "The hashed password when the account is created."; };
      openssh.authorizedKeys.keys = mkOption { type = types.listOf types.singleLineStr; default = [ ]; description = "SSH public keys that may log in as this user."; };
      openssh.authorizedKeys.keyFiles = mkOption { type = types.listOf types.path; default = [ ]; description = "Files of SSH public keys that may log in as this user."; };
    };
    config = lib.mkMerge [
      (mkIf config.isNormalUser {
        group = mkDefault "users";
        createHome = mkDefault true;
        home = mkDefault "/home/${config.name}";
        useDefaultShell = mkDefault true;
        isSystemUser = mkDefault false;
      })
      (mkIf config.useDefaultShell { shell = mkDefault cfg.defaultUserShell; })
    ];
  };
  groupOpts = { name, ... }: {
    options = {
      name = mkOption { type = types.passwdEntry types.str; default = name; description = "The name of the group."; };
      gid = mkOption { type = types.nullOr types.int; default = null; description = "The group GID."; };
      members = mkOption { type = types.listOf (types.passwdEntry types.str); default = [ ]; description = "The group's members."; };
    };
  };
in
{
  options.users = {
    users = mkOption { type = types.attrsOf (types.submodule userOpts); default = { }; description = "The user accounts."; };
    groups = mkOption { type = types.attrsOf (types.submodule groupOpts); default = { }; description = "The groups."; };
    mutableUsers = mkOption { type = types.bool; default = true; description = "Whether users may be changed outside this configuration."; };
    defaultUserShell = mkOption { type = types.either types.package types.path; default = pkgs.bashInteractive; description = "The default shell of normal users."; };
  };

  config = {
    users.users.root = { uid = 0; description = "System administrator"; home = "/root"; group = "root"; shell = mkDefault cfg.defaultUserShell; };
    users.users.nobody = { uid = 65534; isSystemUser = true; description = "Unprivileged account (don't use!)"; group = "nogroup"; };
    users.groups = { root.gid = 0; wheel.gid = 1; users.gid = 100; nogroup.gid = 65534; };

    # Each user's packages, as a profile (where NixOS puts them).
    environment.etc = lib.mapAttrs'
      (name: user: lib.nameValuePair "profiles/per-user/${name}" { source = pkgs.buildEnv { name = "user-environment"; paths = user.packages; }; })
      (lib.filterAttrs (_: u: u.packages != [ ]) cfg.users);

    assertions = lib.flatten (lib.mapAttrsToList
      (_: user: [
        {
          assertion = (user.hashedPassword != null) -> (builtins.match ".*:.*" user.hashedPassword == null);
          message = ''
            The password hash of user "${user.name}" contains a ":" character.
            This is invalid and would break the login system because the fields
            of /etc/shadow (file where hashes are stored) are colon-separated.
            Please check the value of option `users.users."${user.name}".hashedPassword`.'';
        }
        {
          assertion = lib.xor (user.isSystemUser || (user.uid != null && user.uid < 1000)) user.isNormalUser;
          message = ''
            Exactly one of users.users.${user.name}.isSystemUser and users.users.${user.name}.isNormalUser must be set.
          '';
        }
        {
          assertion = user.group != "";
          message = ''
            users.users.${user.name}.group is unset. This used to default to
            nogroup, but this is unsafe. For example you can create a group
            for this user with:
            users.users.${user.name}.group = "${user.name}";
            users.groups.${user.name} = {};
          '';
        }
      ])
      cfg.users);
  };
}
