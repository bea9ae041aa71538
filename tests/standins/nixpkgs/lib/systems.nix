# Stands in for nixpkgs' lib/systems (not nixpkgs): platforms as attrsets.
{ lib }:
{
  systems = {
    flakeExposed = [ "x86_64-linux" "aarch64-linux" ];
    elaborate = p: builtins.seq p (
      let system = if builtins.isString p then p else p.system; parts = lib.splitString "-" system; in
      {
        inherit system;
        config = "${builtins.head parts}-unknown-linux-gnu";
        parsed.cpu.name = builtins.head parts;
        parsed.kernel.name = builtins.elemAt parts 1;
        isLinux = builtins.elemAt parts 1 == "linux";
        isx86_64 = builtins.head parts == "x86_64";
        isAarch64 = builtins.head parts == "aarch64";
        isDarwin = false;
        canExecute = other: system == other.system;
      });
  };
  platforms.linux = [ "x86_64-linux" "aarch64-linux" ];
  platforms.all = [ "x86_64-linux" "aarch64-linux" ];
}
