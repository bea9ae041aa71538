# Stands in for a flake that offers neither modules nor packages, only a `lib`.
{
  outputs = { self }: {
    lib.greet = name: "hello, ${name}";
  };
}
