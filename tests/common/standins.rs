//! Local flakes that stand in for nixpkgs, home-manager, glixos-core and package
//! flakes (there is no nixpkgs and no network here). The stand-ins are real files
//! under tests/standins/ (see tests/standins_behave.rs for what they do); this copies
//! them into a test's temporary directory.

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

/// What a stand-in program that records its argument vectors wrote (one argument a
/// line, a blank line after each call): one vector per call, oldest first.
pub fn recorded_calls(record: &Path) -> Vec<Vec<String>> {
    fs::read_to_string(record).unwrap_or_default().split("\n\n").filter(|c| !c.trim().is_empty()).map(|c| c.lines().map(str::to_string).collect()).collect()
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

/// The stand-in flakes of tests/standins/, copied into `root`: `nixpkgs` (a lib with
/// its own module system, a small NixOS whose toplevel builds, a package set),
/// `home-manager`, and the package flakes of tests/standins/flakes/ (`pkg-web`,
/// `pkg-db`: nixosModules; `pkg-shell`, `pkg-editor`: homeManagerModules; `pkg-notes`:
/// homeModules; `pkg-tool`: packages; `pkg-legacy`: legacyPackages; `pkg-lib`: only a
/// lib). Plus `glixos-core`: this repo's flake.nix, nix/ and Cargo.toml (which the glix
/// package reads its version from).
pub fn standins(root: &Path) {
    let src = repo_root().join("tests/standins");
    copy_dir(&src.join("nixpkgs"), &root.join("nixpkgs"));
    copy_dir(&src.join("home-manager"), &root.join("home-manager"));
    for e in fs::read_dir(src.join("flakes")).unwrap() {
        let e = e.unwrap();
        copy_dir(&e.path(), &root.join(e.file_name()));
    }
    let core = root.join("glixos-core");
    fs::create_dir_all(&core).unwrap();
    fs::copy(repo_root().join("flake.nix"), core.join("flake.nix")).unwrap();
    fs::copy(repo_root().join("Cargo.toml"), core.join("Cargo.toml")).unwrap();
    copy_dir(&repo_root().join("nix"), &core.join("nix"));
}

/// What a person adds to a host glix made before it can build: a hardware file (root
/// and boot file systems, as nixos-generate-config writes it) and a machine file (a
/// boot loader and the host's users, normal users). `hosts/<host>/default.nix` imports
/// both: its commented `# imports = [ ./hardware-configuration.nix ];` line is
/// replaced, or else an `imports` line goes after the file's opening `{`.
pub fn make_host_bootable(host_dir: &Path, users: &[&str]) {
    write(
        &host_dir.join("hardware-configuration.nix"),
        r#"# What nixos-generate-config writes for this (test) machine.
{ lib, modulesPath, ... }:
{
  imports = [ (modulesPath + "/installer/scan/not-detected.nix") ];
  boot.initrd.availableKernelModules = [ "xhci_pci" "nvme" "usb_storage" ];
  boot.kernelModules = [ "kvm-intel" ];
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems."/boot" = { device = "/dev/disk/by-label/boot"; fsType = "vfat"; options = [ "fmask=0077" "dmask=0077" ]; };
  swapDevices = [ ];
  networking.useDHCP = lib.mkDefault true;
  hardware.cpu.intel.updateMicrocode = lib.mkDefault true;
}
"#,
    );
    let users: String = users.iter().map(|u| format!("  users.users.{u} = {{ isNormalUser = true; extraGroups = [ \"wheel\" ]; }};\n")).collect();
    write(
        &host_dir.join("machine.nix"),
        &format!("# The boot loader and the people of this machine.\n{{ ... }}:\n{{\n  boot.loader.systemd-boot.enable = true;\n  boot.loader.efi.canTouchEfiVariables = true;\n{users}}}\n"),
    );
    let path = host_dir.join("default.nix");
    let text = fs::read_to_string(&path).unwrap();
    let imports = "imports = [ ./hardware-configuration.nix ./machine.nix ];";
    let text = if text.contains("# imports = [ ./hardware-configuration.nix ];") {
        text.replacen("# imports = [ ./hardware-configuration.nix ];", imports, 1)
    } else {
        let at = text.find("\n{\n").unwrap_or_else(|| panic!("{}: no line `{{` opening the module to add imports after:\n{text}", path.display()));
        format!("{}\n{{\n  {imports}\n{}", &text[..at], &text[at + 3..])
    };
    fs::write(&path, text).unwrap();
}
