// Which Nix loaded the plugin, for the load-time guard (plugin/src/lib.rs).
//
// Not nix_version_get(): that is the version of the libnixutilc the plugin itself
// pulled in, and the `nix` executable does not link the C API libraries, so the
// dynamic loader finds them through the plugin's own RUNPATH — the Nix it was built
// for, whichever Nix is running. The C++ libraries are a different matter: `nix`
// links libnixstore, so its `nix::nixVersion` (src/libstore/globals.cc,
// `const std::string nixVersion = PACKAGE_VERSION;` in every release 2.26 → 2.35) is
// in the process's global scope, and dlsym(RTLD_DEFAULT, …) finds that one first.
//
// Looked up by name at run time rather than referenced: a plain reference to a data
// symbol is bound when the plugin is dlopen'ed, and if a future Nix renamed it the
// dlopen would fail — and Nix makes a plugin that fails to load fatal to every
// command. The name is the Itanium mangling of `nix::nixVersion` with libstdc++'s
// C++11 string ABI tag (the only ABI Nix builds with on Linux). Needs no Nix header.
#include <dlfcn.h>

#include <string>

extern "C" const char * glix_running_nix_version() noexcept
{
    auto * v = static_cast<const std::string *>(dlsym(RTLD_DEFAULT, "_ZN3nix10nixVersionB5cxx11E"));
    return v ? v->c_str() : nullptr;
}
