# nixosModules.glixos: the base system glixos hosts share, and the optional pieces.
{ glixosCore }:
{ ... }:
{
  imports = [
    (import ./core { inherit glixosCore; })
    ./desktop
  ];
}
