# Stands in for nixpkgs' lib/licenses.nix (not nixpkgs): a few licenses, same shape.
{ lib }:
let
  license = shortName: fullName: free: { inherit shortName fullName free; spdxId = shortName; deprecated = false; redistributable = free; };
in
{
  licenses = {
    mit = license "MIT" "MIT License" true;
    asl20 = license "Apache-2.0" "Apache License 2.0" true;
    gpl2Plus = license "GPL-2.0-or-later" "GNU General Public License v2.0 or later" true;
    gpl3Plus = license "GPL-3.0-or-later" "GNU General Public License v3.0 or later" true;
    lgpl21Plus = license "LGPL-2.1-or-later" "GNU Lesser General Public License v2.1 or later" true;
    bsd3 = license "BSD-3-Clause" "BSD 3-clause \"New\" or \"Revised\" License" true;
    unlicense = license "Unlicense" "The Unlicense" true;
    unfree = license "unfree" "Unfree" false // { redistributable = false; };
    unfreeRedistributable = license "unfree-redistributable" "Unfree redistributable" false // { redistributable = true; };
  };
}
