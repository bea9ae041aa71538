# Stands in for home-manager's modules/lib/stdlib-extended.nix (not home-manager): the
# NixOS lib with `lib.hm` added (the DAG entries home.activation uses).
lib:
lib // {
  hm = {
    dag = {
      entryAnywhere = data: { inherit data; before = [ ]; after = [ ]; };
      entryAfter = after: data: { inherit data after; before = [ ]; };
      entryBefore = before: data: { inherit data before; after = [ ]; };
      entryBetween = before: after: data: { inherit data before after; };
    };
  };
}
