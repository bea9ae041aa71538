//! Local flakes that stand in for nixpkgs, home-manager, glixos-core and package
//! flakes (there is no nixpkgs and no network here).

use std::fs;
use std::path::Path;

use super::repo_root;

pub fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A shell script that stands in for a program (`nix`, `nixos-rebuild`): written and
/// made executable.
pub fn write_script(path: &Path, text: &str) {
    write(path, text);
    fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// Stand-in flakes: nixpkgs (its lib.nixosSystem returns its arguments instead of
/// running the module system), home-manager, glixos-core (this repo's flake.nix and
/// nix/), and four packages whose modules report the glixConfig they are given.
pub fn standins(root: &Path) {
    write(
        &root.join("nixpkgs/flake.nix"),
        r#"{
  # Stands in for nixpkgs: nixosSystem hands back what it was given.
  outputs = _: {
    lib = {
      nixosSystem = args: {
        standin = "nixosSystem";
        inherit (args) system modules specialArgs;
        # A real derivation, so `glix build` can evaluate a drvPath; building it is not
        # the point (there is no nixpkgs), but it depends on every module's evaluation.
        config.system.build.toplevel = derivation {
          name = "nixos-system-standin";
          inherit (args) system;
          builder = "/bin/sh";
          args = [ "-c" "echo ${toString (builtins.length args.modules)} > $out" ];
        };
      };
      mapAttrs = builtins.mapAttrs;
      genAttrs = names: f: builtins.listToAttrs (map (n: { name = n; value = f n; }) names);
    };
    legacyPackages = { };
  };
}"#,
    );
    write(
        &root.join("home-manager/flake.nix"),
        &format!(
            r#"{{
  # Stands in for home-manager.
  inputs.nixpkgs.url = "path:{}";
  outputs = _: {{ nixosModules.home-manager = {{ standin = "home-manager"; }}; }};
}}"#,
            root.join("nixpkgs").display()
        ),
    );
    let core = root.join("glixos-core");
    fs::create_dir_all(&core).unwrap();
    fs::copy(repo_root().join("flake.nix"), core.join("flake.nix")).unwrap();
    copy_dir(&repo_root().join("nix"), &core.join("nix"));
    for (name, output) in [("web", "nixosModules"), ("db", "nixosModules"), ("shell", "homeManagerModules"), ("editor", "homeManagerModules")] {
        write(
            &root.join(format!("pkg-{name}/flake.nix")),
            &format!(
                r#"{{
  # Stands in for a package flake: its module reports the glixConfig it received.
  outputs = _: {{ {output}.default = {{ glixConfig, lib, ... }}: {{ config.received.{name} = glixConfig; }}; }};
}}"#
            ),
        );
    }
}
