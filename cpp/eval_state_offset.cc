// Why this file exists: Nix 2.26's C API hands a primop callback `(EvalState *) &state`
// where `state` is the C++ `nix::EvalState`, but every C API function that takes an
// `EvalState *` expects the C API's own wrapper struct
//     struct EvalState { nix::fetchers::Settings fetchSettings;
//                        nix::EvalSettings settings; nix::EvalState state; };
// and reads `state->state`. Called with the pointer it was given, nix_alloc_value and
// friends dereference the wrong address and crash. The plugin therefore moves the
// pointer back by the offset of the `state` member, computed here against the exact
// headers of the Nix it is built for (checked at build time, not guessed). Only the
// `state` member is ever read through the adjusted pointer.
#include <cstddef>

#include "nix_api_expr_internal.h"

#pragma GCC diagnostic ignored "-Winvalid-offsetof"

extern "C" std::size_t glix_eval_state_offset()
{
    return offsetof(EvalState, state);
}
