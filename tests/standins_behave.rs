//! The stand-ins of tests/standins/ behave like the real nixpkgs and home-manager where
//! the other tests rely on them: the module system's semantics and errors, NixOS's
//! assertions, a toplevel that builds, nixpkgs' unfree check and overlays,
//! eval-config's `_module.args`, home-manager's wiring to users.users, and the package
//! flakes' outputs. Real Nix 2.26.3, real builds (of /bin/sh derivations).

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::standins::{copy_dir, standins, write};
use common::*;
use serde_json::{json, Value};

/// A flake in a temporary directory whose inputs are the stand-ins and whose
/// `nixosConfigurations.<name>` are x86_64-linux systems of home-manager's module and
/// the given module (Nix text, `pkgs` and `lib` in scope through the module's args).
struct TestFlake {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    dir: PathBuf,
}

/// A root file system and systemd-boot: what every host must have to build.
const BOOTABLE: &str = r#"fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  boot.loader.systemd-boot.enable = true;
  system.stateVersion = "25.11";"#;

fn test_flake(hosts: &[(&str, &str)]) -> TestFlake {
    let configs: String = hosts
        .iter()
        .map(|(name, module)| {
            format!(
                "      {name} = nixpkgs.lib.nixosSystem {{\n        system = \"x86_64-linux\";\n        modules = [ home-manager.nixosModules.home-manager ({{ config, lib, pkgs, modulesPath, ... }}: {{\n  {module}\n}}) ];\n      }};\n"
            )
        })
        .collect();
    test_flake_of(&configs)
}

/// The same with the `nixosConfigurations` entries given as Nix text.
fn test_flake_of(configs: &str) -> TestFlake {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    standins(&root);
    let dir = root.join("test");
    write(
        &dir.join("flake.nix"),
        &format!(
            r#"{{
  inputs.nixpkgs.url = "path:{root}/nixpkgs";
  inputs.home-manager.url = "path:{root}/home-manager";
  inputs.home-manager.inputs.nixpkgs.follows = "nixpkgs";
  inputs.pkg-web.url = "path:{root}/pkg-web";
  outputs = {{ self, nixpkgs, home-manager, pkg-web }}: {{
    nixosConfigurations = {{
{configs}    }};
  }};
}}
"#,
            root = root.display()
        ),
    );
    TestFlake { _tmp: tmp, root, dir }
}

impl TestFlake {
    fn eval(&self, attr: &str) -> Output {
        nix().args(["eval", "--json", &format!(".#{attr}")]).current_dir(&self.dir).output().unwrap()
    }

    fn eval_ok(&self, attr: &str) -> Value {
        let out = self.eval(attr);
        assert!(out.status.success(), "nix eval .#{attr}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// The error of evaluating `attr`, which must fail.
    fn eval_err(&self, attr: &str) -> String {
        let out = self.eval(attr);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!out.status.success(), "nix eval .#{attr} succeeded: {}\n{stderr}", String::from_utf8_lossy(&out.stdout));
        stderr
    }

    /// `nix eval --json --expr EXPR` where EXPR may use `flake` (this flake, fetched).
    fn eval_expr(&self, expr: &str) -> Value {
        let full = format!("let flake = builtins.getFlake \"path:{}\"; in {expr}", self.dir.display());
        let out = nix_eval_json(&full, false);
        assert!(out.status.success(), "nix eval {expr}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// `nix build` of `attr`; its output path.
    fn build(&self, attr: &str) -> PathBuf {
        let out = nix().args(["build", "--no-link", "--print-out-paths", &format!(".#{attr}")]).current_dir(&self.dir).output().unwrap();
        assert!(out.status.success(), "nix build .#{attr}: {}", String::from_utf8_lossy(&out.stderr));
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn run(p: &Path) -> String {
    let out = std::process::Command::new(p).output().unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const TOPLEVEL: &str = "config.system.build.toplevel.drvPath";

#[test]
fn nixos_asserts_a_root_file_system_and_a_boot_loader() {
    let f = test_flake(&[
        ("noroot", "boot.loader.systemd-boot.enable = true;"),
        ("noloader", r#"fileSystems."/".device = "/dev/sda1";"#),
        ("grub", r#"fileSystems."/".device = "/dev/sda1"; boot.loader.grub.device = "nodev";"#),
    ]);
    let err = f.eval_err(&format!("nixosConfigurations.noroot.{TOPLEVEL}"));
    assert!(err.contains("Failed assertions:\n       - The ‘fileSystems’ option does not specify your root file system."), "{err}");
    assert!(!err.contains("boot.loader.grub.devices"), "systemd-boot turns GRUB off: {err}");

    // GRUB is NixOS's default boot loader, and it needs a device
    let err = f.eval_err(&format!("nixosConfigurations.noloader.{TOPLEVEL}"));
    assert!(err.contains("- You must set the option ‘boot.loader.grub.devices’ or 'boot.loader.grub.mirroredBoots' to make the system bootable."), "{err}");
    assert!(!err.contains("root file system"), "{err}");
    assert_eq!(f.eval_ok("nixosConfigurations.noloader.config.boot.loader.grub.enable"), json!(true));
    assert!(f.eval_ok(&format!("nixosConfigurations.grub.{TOPLEVEL}")).as_str().unwrap().ends_with(".drv"));
}

#[test]
fn a_bootable_host_builds_its_toplevel_with_its_packages_users_and_etc() {
    let f = test_flake(&[(
        "h",
        &format!(
            r#"{BOOTABLE}
  imports = [ (modulesPath + "/installer/scan/not-detected.nix") ];
  networking.hostName = "box";
  environment.systemPackages = [ pkgs.ripgrep pkgs.python3Packages.requests ];
  users.users.alice = {{ isNormalUser = true; packages = [ pkgs.jq ]; }};
  environment.etc."motd".text = "welcome";
  nix.settings.max-jobs = 4;
  system.configurationRevision = "0123abc";"#
        ),
    )]);
    let out = f.build("nixosConfigurations.h.config.system.build.toplevel");
    assert!(out.to_string_lossy().contains("-nixos-system-box-25.11."), "{}", out.display());
    assert!(run(&out.join("sw/bin/rg")).starts_with("rg 14.1.1"), "ripgrep's program is rg");
    assert!(out.join("sw/bin/jq").exists(), "a user's packages are in the system path");
    assert!(out.join("etc/profiles/per-user/alice/bin/jq").exists(), "and in the user's profile");
    assert!(out.join("sw/lib/python3.12/site-packages/requests/__init__.py").exists());
    assert_eq!(read(&out.join("etc/motd")), "welcome");
    assert_eq!(read(&out.join("etc/hostname")), "box\n");
    assert!(read(&out.join("etc/nix/nix.conf")).contains("max-jobs = 4\n"), "nix.settings is freeform");
    assert!(read(&out.join("nixos-version")).starts_with("25.11"));
    assert_eq!(read(&out.join("configuration-revision")), "0123abc");
    assert!(run(&out.join("activate")).contains("nothing to do"));
    // modulesPath's not-detected.nix, users' homes
    assert_eq!(f.eval_ok("nixosConfigurations.h.config.hardware.enableRedistributableFirmware"), json!(true));
    assert_eq!(f.eval_ok("nixosConfigurations.h.config.users.users.alice.home"), json!("/home/alice"));
    assert_eq!(f.eval_ok("nixosConfigurations.h.config.users.users.alice.group"), json!("users"));
    assert_eq!(f.eval_ok("nixosConfigurations.h.config.users.users.nobody.home"), json!("/var/empty"));
}

#[test]
fn module_system_errors_read_like_nixpkgs() {
    let f = test_flake(&[
        ("undefined", &format!("{BOOTABLE}\n  services.nonexistent.enable = true;")),
        ("mistyped", &format!("{BOOTABLE}\n  networking.useDHCP = \"yes\";")),
        ("conflict", &format!("{BOOTABLE}\n  imports = [ {{ i18n.defaultLocale = \"de_DE.UTF-8\"; }} ];\n  i18n.defaultLocale = \"fr_FR.UTF-8\";")),
        ("unset", "fileSystems.\"/\" = { };"),
        ("disabled", &format!("{BOOTABLE}\n  disabledModules = [ \"programs/firefox.nix\" ];\n  programs.firefox.enable = true;")),
    ]);
    let err = f.eval_err(&format!("nixosConfigurations.disabled.{TOPLEVEL}"));
    assert!(err.contains("The option `programs.firefox' does not exist."), "a disabled module declares nothing: {err}");
    let err = f.eval_err(&format!("nixosConfigurations.undefined.{TOPLEVEL}"));
    assert!(err.contains("The option `services.nonexistent' does not exist. Definition values:\n       - In `"), "{err}");
    assert!(err.contains("enable = true;"), "{err}");
    let err = f.eval_err("nixosConfigurations.mistyped.config.networking.useDHCP");
    assert!(err.contains("A definition for option `networking.useDHCP' is not of type `boolean'. Definition values:"), "{err}");
    assert!(err.contains(": \"yes\""), "{err}");
    let err = f.eval_err("nixosConfigurations.conflict.config.i18n.defaultLocale");
    assert!(err.contains("The option `i18n.defaultLocale' has conflicting definition values:"), "{err}");
    assert!(err.contains("\"de_DE.UTF-8\"") && err.contains("\"fr_FR.UTF-8\"") && err.contains("lib.mkForce"), "{err}");
    // an option with no default and no definition (the host gives `system`, not hostPlatform)
    let err = f.eval_err("nixosConfigurations.unset.config.nixpkgs.hostPlatform");
    assert!(err.contains("The option `nixpkgs.hostPlatform' was accessed but has no value defined. Try setting the option."), "{err}");
}

#[test]
fn priorities_order_and_conditions_merge_as_in_nixpkgs() {
    let f = test_flake(&[(
        "h",
        &format!(
            r#"{BOOTABLE}
  imports = [
    {{ time.timeZone = lib.mkDefault "UTC"; networking.hostName = lib.mkForce "forced"; boot.kernelModules = lib.mkAfter [ "last" ]; }}
    {{ time.timeZone = "Europe/Paris"; boot.kernelModules = lib.mkBefore [ "first" ]; }}
    {{ config = lib.mkIf false {{ networking.useDHCP = false; }}; }}
    {{ console.keyMap = lib.mkOverride 900 "de"; }}
    {{ console.keyMap = lib.mkDefault "fr"; }}
  ];
  networking.hostName = "plain";
  boot.kernelModules = [ "middle" ];
  i18n.defaultLocale = lib.mkMerge [ (lib.mkIf true "nl_NL.UTF-8") ];"#
        ),
    )]);
    let v = f.eval_expr(
        "let c = flake.nixosConfigurations.h.config; o = flake.nixosConfigurations.h.options; in {
           inherit (c.time) timeZone; inherit (c.networking) hostName useDHCP; inherit (c.boot) kernelModules;
           inherit (c.console) keyMap; inherit (c.i18n) defaultLocale;
           hostPrio = o.networking.hostName.highestPrio; tzDefined = o.time.timeZone.isDefined;
         }",
    );
    assert_eq!(
        v,
        json!({
            "timeZone": "Europe/Paris", "hostName": "forced", "useDHCP": true, "kernelModules": ["first", "middle", "last"],
            "keyMap": "de", "defaultLocale": "nl_NL.UTF-8", "hostPrio": 50, "tzDefined": true
        })
    );
}

#[test]
fn system_state_version_defaults_to_the_release_with_a_warning() {
    let f = test_flake(&[("h", "fileSystems.\"/\".device = \"/dev/sda1\"; boot.loader.systemd-boot.enable = true;")]);
    assert_eq!(f.eval_ok("nixosConfigurations.h.config.system.stateVersion"), json!("25.11"));
    let out = f.eval(&format!("nixosConfigurations.h.{TOPLEVEL}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("evaluation warning: system.stateVersion is not set, defaulting to 25.11."), "{stderr}");
}

#[test]
fn a_user_must_be_exactly_one_of_normal_or_system() {
    let f = test_flake(&[
        ("neither", &format!("{BOOTABLE}\n  users.users.svc = {{ group = \"nogroup\"; }};")),
        ("both", &format!("{BOOTABLE}\n  users.users.bob = {{ isNormalUser = true; isSystemUser = true; }};")),
        ("system", &format!("{BOOTABLE}\n  users.users.svc = {{ isSystemUser = true; group = \"nogroup\"; }};")),
    ]);
    for host in ["neither", "both"] {
        let user = if host == "neither" { "svc" } else { "bob" };
        let err = f.eval_err(&format!("nixosConfigurations.{host}.{TOPLEVEL}"));
        assert!(err.contains(&format!("Exactly one of users.users.{user}.isSystemUser and users.users.{user}.isNormalUser must be set.")), "{err}");
    }
    assert_eq!(f.eval_ok("nixosConfigurations.system.config.users.users.svc.home"), json!("/var/empty"));
    assert!(f.eval_ok(&format!("nixosConfigurations.system.{TOPLEVEL}")).is_string());
}

#[test]
fn unfree_packages_are_refused_unless_allowed() {
    let f = test_flake(&[
        ("refused", &format!("{BOOTABLE}\n  environment.systemPackages = [ pkgs.unfree-tool ];")),
        ("allowed", &format!("{BOOTABLE}\n  environment.systemPackages = [ pkgs.unfree-tool ];\n  nixpkgs.config.allowUnfree = true;")),
        (
            "predicate",
            &format!(
                "{BOOTABLE}\n  environment.systemPackages = [ pkgs.unfree-tool ];\n  nixpkgs.config.allowUnfreePredicate = p: lib.getName p == \"unfree-tool\";"
            ),
        ),
    ]);
    let err = f.eval_err(&format!("nixosConfigurations.refused.{TOPLEVEL}"));
    assert!(err.contains("Package ‘unfree-tool-1.0’") && err.contains("has an unfree license (‘unfree’), refusing to evaluate."), "{err}");
    assert!(err.contains("nixpkgs.config.allowUnfree = true;"), "{err}");
    let out = f.build("nixosConfigurations.allowed.config.system.build.toplevel");
    assert!(out.join("sw/bin/unfree-tool").exists());
    assert!(f.eval_ok(&format!("nixosConfigurations.predicate.{TOPLEVEL}")).is_string());
}

#[test]
fn overlays_apply_to_the_pkgs_modules_get() {
    let f = test_flake(&[(
        "h",
        &format!(
            r#"{BOOTABLE}
  nixpkgs.overlays = [
    (final: prev: {{ greeting = prev.writeText "greeting" "hi from an overlay"; }})
    (final: prev: {{ hello = prev.hello.overrideAttrs {{ version = "9.9"; }}; }})
  ];
  environment.etc.greeting.source = pkgs.greeting;
  environment.systemPackages = [ pkgs.hello ];"#
        ),
    )]);
    assert_eq!(f.eval_ok("nixosConfigurations.h.pkgs.hello.version"), json!("9.9"));
    assert_eq!(f.eval_ok("nixosConfigurations.h.pkgs.stdenv.hostPlatform.system"), json!("x86_64-linux"));
    let out = f.build("nixosConfigurations.h.config.system.build.toplevel");
    assert_eq!(read(&out.join("etc/greeting")), "hi from an overlay");
    assert!(run(&out.join("sw/bin/hello")).starts_with("hello 9.9"));
}

#[test]
fn home_manager_users_must_exist_in_users_users() {
    let hm = r#"home-manager.useGlobalPkgs = true;
  home-manager.users.carol = { home.stateVersion = "25.11"; };"#;
    let f = test_flake(&[
        ("missing", &format!("{BOOTABLE}\n  {hm}")),
        ("nostate", &format!("{BOOTABLE}\n  users.users.dave.isNormalUser = true;\n  home-manager.users.dave = {{ }};")),
    ]);
    // as with the real home-manager: home.homeDirectory is users.users.<name>.home
    let err = f.eval_err("nixosConfigurations.missing.config.home-manager.users.carol.home.homeDirectory");
    assert!(err.contains("attribute 'carol' missing"), "{err}");
    let err = f.eval_err(&format!("nixosConfigurations.missing.{TOPLEVEL}"));
    assert!(err.contains("attribute 'carol' missing"), "{err}");
    // home.stateVersion has no default
    let err = f.eval_err(&format!("nixosConfigurations.nostate.{TOPLEVEL}"));
    assert!(err.contains("The option `home-manager.users.dave.home.stateVersion' was accessed but has no value defined."), "{err}");
}

#[test]
fn a_home_manager_user_gets_its_home_from_users_users_and_its_packages_build() {
    let f = test_flake(&[(
        "h",
        &format!(
            r#"{BOOTABLE}
  users.users.alice.isNormalUser = true;
  home-manager.useGlobalPkgs = true;
  home-manager.useUserPackages = true;
  home-manager.sharedModules = [ {{ home.sessionVariables.EDITOR = "vi"; }} ];
  home-manager.users.alice = {{ pkgs, osConfig, ... }}: {{
    home.stateVersion = "25.11";
    home.packages = [ pkgs.fd ];
    home.file.".hostname".text = osConfig.networking.hostName;
    programs.git = {{ enable = true; userName = "Alice"; }};
    xdg.enable = true;
  }};"#
        ),
    )]);
    let v = f.eval_expr(
        "let u = flake.nixosConfigurations.h.config.home-manager.users.alice; in {
           inherit (u.home) username homeDirectory stateVersion; editor = u.home.sessionVariables.EDITOR;
           configHome = u.xdg.configHome; files = builtins.attrNames u.home.file;
         }",
    );
    assert_eq!(
        v,
        json!({ "username": "alice", "homeDirectory": "/home/alice", "stateVersion": "25.11", "editor": "vi",
                "configHome": "/home/alice/.config", "files": [".hostname", "/home/alice/.config/git/config"] })
    );
    let generation = f.build("nixosConfigurations.h.config.home-manager.users.alice.home.activationPackage");
    assert!(run(&generation.join("home-path/bin/fd")).starts_with("fd 10.2.0"));
    assert!(generation.join("home-path/bin/git").exists(), "programs.git.enable installs git");
    assert_eq!(read(&generation.join("home-files/.hostname")), "nixos");
    assert!(read(&generation.join("home-files/.config/git/config")).contains("name = Alice"));
    assert!(read(&generation.join("home-path/etc/profile.d/hm-session-vars.sh")).contains("export EDITOR=\"vi\""));
    assert_eq!(read(&generation.join("home-directory")), "/home/alice");
    // useUserPackages: home.path joins users.users.alice.packages; the system starts the
    // activation (its unit is part of the toplevel)
    let toplevel = f.build("nixosConfigurations.h.config.system.build.toplevel");
    assert!(toplevel.join("sw/bin/fd").exists());
    assert!(toplevel.join("etc/profiles/per-user/alice/bin/fd").exists());
    assert!(read(&toplevel.join("etc/systemd/system/home-manager-alice.service")).contains(&format!("ExecStart={}/activate", generation.display())));
}

#[test]
fn eval_config_gives_the_modules_to_evaluate_a_node_again() {
    let f = test_flake(&[("h", &format!("{BOOTABLE}\n  networking.hostName = \"node1\";"))]);
    // as a fleet tool does: the node's own modules, through nixos/lib/eval-config.nix
    let v = f.eval_expr(
        r#"let
          n = flake.nixosConfigurations.h;
          evalConfig = import (flake.inputs.nixpkgs.outPath + "/nixos/lib/eval-config.nix");
          again = evalConfig { system = "x86_64-linux"; modules = [ { imports = n._module.args.modules; } ]; };
        in {
          modules = builtins.length n._module.args.modules;
          baseModules = builtins.length n._module.args.baseModules > 10;
          noUserModules = n._module.args.noUserModules.config.networking.hostName;
          hostName = again.config.networking.hostName;
          same = again.config.system.build.toplevel.drvPath == n.config.system.build.toplevel.drvPath;
          hasExtend = builtins.isFunction n.extendModules;
          extended = (n.extendModules { modules = [ { networking.hostName = lib.mkForce "node2"; } ]; }).config.networking.hostName;
        }"#
        .replace("lib.mkForce", "flake.inputs.nixpkgs.lib.mkForce")
        .as_str(),
    );
    assert_eq!(
        v,
        json!({ "modules": 3, "baseModules": true, "noUserModules": "nixos", "hostName": "node1", "same": true, "hasExtend": true, "extended": "node2" })
    );
}

#[test]
fn the_nixpkgs_stand_in_is_searchable_and_its_packages_build() {
    let f = test_flake(&[]);
    let nixpkgs = format!("path:{}", f.root.join("nixpkgs").display());
    let out = nix().args(["search", "--json", &nixpkgs, "ripgrep"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["legacyPackages.x86_64-linux.ripgrep"],
        json!({ "pname": "ripgrep", "version": "14.1.1", "description": "Utility that combines the usability of The Silver Searcher with the raw speed of grep" })
    );
    let out = nix().args(["search", "--json", &nixpkgs, "requests"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["legacyPackages.x86_64-linux.python3Packages.requests"]["version"], "2.32.3", "{v}");

    let v = f.eval_expr(&format!(
        r#"let p = (builtins.getFlake "{nixpkgs}").legacyPackages; in {{
          systems = builtins.attrNames p;
          aarch64 = p.aarch64-linux.stdenv.hostPlatform.system;
          nix = p.x86_64-linux.nix.version;
          nix228 = p.x86_64-linux.nixVersions.nix_2_28.version;
          name = p.x86_64-linux.jq.name;
          license = p.x86_64-linux.unfree-tool.meta.license.free;
          formats = builtins.isFunction p.x86_64-linux.formats.json && !(p.x86_64-linux.formats ? type);
          called = (p.x86_64-linux.callPackage ({{ hello, lib }}: hello.pname) {{ }});
        }}"#
    ));
    assert_eq!(
        v,
        json!({ "systems": ["aarch64-linux", "x86_64-linux"], "aarch64": "aarch64-linux", "nix": "2.26.3", "nix228": "2.28.3",
                "name": "jq-1.7.1", "license": false, "formats": true, "called": "hello" })
    );
    let out = nix().args(["build", "--no-link", "--print-out-paths", &format!("{nixpkgs}#htop"), &format!("{nixpkgs}#git")]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let paths: Vec<PathBuf> = String::from_utf8_lossy(&out.stdout).lines().map(PathBuf::from).collect();
    assert!(run(&paths[0].join("bin/htop")).starts_with("htop 3.3.0"));
    assert!(paths[1].join("bin/git").exists());
}

#[test]
fn package_flakes_offer_what_they_say() {
    let f = test_flake(&[("h", &format!("{BOOTABLE}\n  imports = [ pkg-web.nixosModules.default ];\n  _module.args.glixConfig = {{ port = \"8080\"; }};"))]);
    // a package module declares what it sets, so the module system accepts it
    assert_eq!(f.eval_ok("nixosConfigurations.h.config.received"), json!({ "web": { "port": "8080" } }));
    let root = f.root.display().to_string();
    let v = f.eval_expr(&format!(
        r#"let g = n: builtins.getFlake "path:{root}/${{n}}"; outputs = n: builtins.filter (a: !(builtins.elem a [ "inputs" "outputs" "sourceInfo" "outPath" "_type" "lastModified" "lastModifiedDate" "narHash" ])) (builtins.attrNames (g n)); in {{
          web = outputs "pkg-web"; db = outputs "pkg-db"; shell = outputs "pkg-shell"; editor = outputs "pkg-editor";
          notes = outputs "pkg-notes"; tool = outputs "pkg-tool"; legacy = outputs "pkg-legacy"; lib = outputs "pkg-lib";
          toolPackages = builtins.attrNames (g "pkg-tool").packages.x86_64-linux;
          widget = (g "pkg-legacy").legacyPackages.aarch64-linux.widget.version;
          greet = (g "pkg-lib").lib.greet "glix";
        }}"#
    ));
    assert_eq!(
        v,
        json!({ "web": ["nixosModules"], "db": ["nixosModules"], "shell": ["homeManagerModules"], "editor": ["homeManagerModules"],
                "notes": ["homeModules"], "tool": ["packages"], "legacy": ["legacyPackages"], "lib": ["lib"],
                "toolPackages": ["default", "tool"], "widget": "0.3.0", "greet": "hello, glix" })
    );
    let out = nix().args(["build", "--no-link", "--print-out-paths", &format!("path:{root}/pkg-tool")]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(run(&PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("bin/tool")), "tool 1.2.0\n");
}

#[test]
fn an_installer_made_etc_nixos_builds() {
    // tests/standins/etc-nixos: a configuration.nix and hardware-configuration.nix as a
    // graphical install leaves them; the platform comes from nixpkgs.hostPlatform
    let f = test_flake_of("      adopted = nixpkgs.lib.nixosSystem { modules = [ ./etc-nixos/configuration.nix ]; };\n");
    copy_dir(&repo_root().join("tests/standins/etc-nixos"), &f.dir.join("etc-nixos"));
    let v = f.eval_expr(
        "let c = flake.nixosConfigurations.adopted.config; in {
           inherit (c.system) stateVersion; inherit (c.networking) hostName;
           firmware = c.hardware.enableRedistributableFirmware; microcode = c.hardware.cpu.intel.updateMicrocode;
           grub = c.boot.loader.grub.enable; swap = map (s: s.device) c.swapDevices;
           system = flake.nixosConfigurations.adopted.pkgs.stdenv.hostPlatform.system;
         }",
    );
    assert_eq!(
        v,
        json!({ "stateVersion": "25.05", "hostName": "nixos", "firmware": true, "microcode": true, "grub": false,
                "swap": ["/dev/disk/by-uuid/0d9e8f7a-6b5c-4d3e-2f1a-0b9c8d7e6f5a"], "system": "x86_64-linux" })
    );
    let out = f.build("nixosConfigurations.adopted.config.system.build.toplevel");
    for program in ["vim", "wget", "git", "firefox", "htop", "ssh"] {
        assert!(out.join("sw/bin").join(program).exists(), "{program} is not in {}/sw/bin", out.display());
    }
    assert!(read(&out.join("etc/ssh/sshd_config")).contains("PasswordAuthentication no\n"));
}

#[test]
fn renamed_options_forward_with_a_warning_and_removed_ones_fail_the_assertions() {
    let f = test_flake(&[
        (
            "renamed",
            &format!("{BOOTABLE}\n  imports = [ (lib.mkRenamedOptionModule [ \"networking\" \"name\" ] [ \"networking\" \"hostName\" ]) ];\n  networking.name = \"renamed\";"),
        ),
        (
            "removed",
            &format!("{BOOTABLE}\n  imports = [ (lib.mkRemovedOptionModule [ \"services\" \"old\" ] \"Use services.new instead.\") ];\n  services.old = true;"),
        ),
    ]);
    assert_eq!(f.eval_ok("nixosConfigurations.renamed.config.networking.hostName"), json!("renamed"));
    let out = f.eval(&format!("nixosConfigurations.renamed.{TOPLEVEL}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("evaluation warning: The option `networking.name' defined in `") && stderr.contains("has been renamed to `networking.hostName'."),
        "{stderr}"
    );
    let err = f.eval_err(&format!("nixosConfigurations.removed.{TOPLEVEL}"));
    assert!(err.contains("- The option definition `services.old' in `") && err.contains("no longer has any effect; please remove it."), "{err}");
    assert!(err.contains("Use services.new instead."), "{err}");
}
