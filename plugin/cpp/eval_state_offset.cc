// Why this file exists: up to Nix 2.33 the C API hands a primop callback
// `(EvalState *) &state` where `state` is the C++ `nix::EvalState`, but every C API
// function that takes an `EvalState *` expects the C API's own wrapper struct
//     struct EvalState { nix::fetchers::Settings fetchSettings;
//                        nix::EvalSettings settings; nix::EvalState state; };
// and reads `state->state`. Called with the pointer it was given, nix_alloc_value and
// friends dereference the wrong address and crash. The plugin therefore moves the
// pointer back by the offset of the `state` member, computed here against the exact
// headers of the Nix it is built for (plugin/build.rs compiles this file only for
// 2.26 → 2.33; 2.34.0's wrapper holds the state by reference, so no offset helps and
// the build refuses it; from 2.34.1 primops get a real wrapper, NixOS/nix#15383).
// Only the `state` member is ever read through the adjusted pointer: plugin/src/ffi.rs
// lists the C API calls that take it and why each reads nothing else.
#include <cstddef>

#include "nix_api_expr_internal.h"

#pragma GCC diagnostic ignored "-Winvalid-offsetof"

extern "C" std::size_t glix_eval_state_offset() noexcept
{
    return offsetof(EvalState, state);
}
