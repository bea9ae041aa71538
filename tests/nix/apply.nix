# Apply the modules importManifest produced to a fixed argument set, the way the
# module system calls a module, and return what each one did: its `_file`, `key`
# and the config it defined. Used to compare the plugin and the fallback.
let
  # `pkgs` is the host's (a package entry of the host's nixpkgs is looked up there).
  mkCall = pkgs:
    let
      fixedArgs = { config = { }; options = { }; lib = { }; inherit pkgs; modulesPath = "/modules"; };
      call = m:
        if builtins.isFunction m || (builtins.isAttrs m && m ? __functor) then
          let
            fArgs = if m ? __functionArgs then m.__functionArgs else builtins.functionArgs m;
          in
          {
            visibleArgs = builtins.attrNames fArgs;
            result = (if builtins.isAttrs m then m.__functor m else m) fixedArgs;
          }
        else if builtins.isAttrs m then
          {
            file = m._file or null;
            key = m.key or null;
            imports = map call (m.imports or [ ]);
            config = m.config or null;
          }
        else throw "not a module: ${builtins.typeOf m}";
    in
    call;
  applyAllWith = pkgs: result:
    let call = mkCall pkgs; in
    {
      inherit (result) manifest reader;
      systemModules = map call result.systemModules;
      homeModules = map call result.homeModules;
      homeModulesByUser = builtins.mapAttrs (_: map call) result.homeModulesByUser;
    };
  noPkgs = { stdenv.hostPlatform.system = "x86_64-linux"; };
in
{
  call = mkCall noPkgs;
  applyAll = applyAllWith noPkgs;
  inherit applyAllWith;
}
