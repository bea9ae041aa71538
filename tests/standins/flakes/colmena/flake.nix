# Stands in for colmena's flake in glixos's tests (not colmena, no colmena code): only
# `lib.makeHive`, which here returns the hive it was given under `hive`, marked, so a
# test can see what flake.nix's `colmenaHive` hands colmena. The real makeHive
# evaluates the hive (tests/nix/colmena-eval.nix mirrors that evaluation).
{
  outputs = { self }: {
    lib.makeHive = hive: { _standIn = "colmena makeHive"; inherit hive; };
  };
}
