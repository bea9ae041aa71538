// The fast path for building the plugin's results (plugin/src/to_nix/cpp.rs drives it).
//
// Why: through the C API every value costs nix_alloc_value (which registers it as a
// GC root in a locked hash map), a wrapper call per initialiser and nix_value_decref
// (which unregisters it); for a 10 000-package manifest that was a third of the call.
// Here values come straight from the evaluator's allocator, as the evaluator's own
// primops make them. This depends on the C++ layout of the exact Nix it is compiled
// against (pinned in build.rs; the plugin also checks the running Nix's version).
//
// The builder is the same stack machine as the C API sink: scalars push a value, a
// name pushes a symbol, list(n) / attrs(n) pop n entries and push the container.
//
// GC safety: Boehm only keeps what it can reach from roots: stacks, registers, static
// data and uncollectable memory. A value pushed here is referenced from nowhere else
// until its container is built, so the value stack's buffer is allocated with
// traceable_allocator (GC_MALLOC_UNCOLLECTABLE: scanned for pointers, never
// collected, freed with the vector), as Nix does for its own value vectors. While a
// container is being built, its children stay on that stack until the container
// value exists, and the container's storage (ListBuilder elements, Bindings) is held
// by locals of the C++ frame, which the collector scans. The final value is copied
// into the primop's result, which lives in the caller's frame. Symbols are indices,
// not pointers, so the name stack is ordinary memory. Nothing is held by Rust.
//
// Errors: no C++ exception may unwind into Rust. Every entry point is noexcept and
// catches everything, returning nonzero; glix_vb_error() has the message.
#include <algorithm>
#include <cstdint>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "nix_api_expr_internal.h"
#include "eval-inline.hh"
#include "globals.hh"

// build.rs force-includes Nix's config headers, as Nix's own build does; without
// them EvalState would have a different layout here than in libnixexpr.
#if !HAVE_BOEHMGC
#error "value_builder.cc needs Nix's config-expr.hh (HAVE_BOEHMGC) force-included"
#endif

namespace {

struct Builder
{
    explicit Builder(nix::EvalState & state)
        : state(state)
    {
    }

    nix::EvalState & state;
    std::vector<nix::Value *, traceable_allocator<nix::Value *>> values;
    std::vector<nix::Symbol> names;
    std::string error;
    // Tests only (0 otherwise): a full collection every `gcEvery` pushes, so a value
    // the collector could not see would be reused and the result would differ.
    size_t gcEvery = 0;
    size_t pushes = 0;

    void push(nix::Value * v)
    {
        if (gcEvery && ++pushes % gcEvery == 0)
            GC_gcollect();
        values.push_back(v);
    }

    void need(size_t n, bool withNames) const
    {
        if (n > values.size() || (withNames && n > names.size()))
            throw std::logic_error("internal error: the value builder's stack is unbalanced");
    }
};

void setError(Builder * b, const char * msg) noexcept
{
    try {
        b->error = msg;
    } catch (...) {
        b->error.clear(); // glix_vb_error() reports the allocation failure
    }
}

template<typename F>
int guarded(Builder * b, F && f) noexcept
{
    try {
        f();
        return 0;
    } catch (const std::exception & e) {
        setError(b, e.what());
    } catch (...) {
        setError(b, "unknown C++ exception");
    }
    return 1;
}

} // namespace

using GlixValueBuilder = Builder;

extern "C" {

// The version of the Nix running this process: nix::nixVersion is resolved in the
// libnixstore the `nix` binary loaded, not in the C API libraries the plugin brings.
const char * glix_running_nix_version() noexcept
{
    return nix::nixVersion.c_str();
}

// `state` is the C API's wrapper (as the plugin's other C API calls use it).
GlixValueBuilder * glix_vb_new(EvalState * state, size_t gcEvery) noexcept
{
    try {
        auto b = new Builder(state->state);
        b->gcEvery = gcEvery;
        b->values.reserve(64);
        b->names.reserve(64);
        return b;
    } catch (...) {
        return nullptr;
    }
}

void glix_vb_free(GlixValueBuilder * b) noexcept
{
    delete b;
}

const char * glix_vb_error(const GlixValueBuilder * b) noexcept
{
    return b->error.empty() ? "out of memory" : b->error.c_str();
}

int glix_vb_null(GlixValueBuilder * b) noexcept
{
    // The evaluator's shared constants: values are immutable once built.
    return guarded(b, [&] { b->push(&b->state.vNull); });
}

int glix_vb_bool(GlixValueBuilder * b, bool x) noexcept
{
    return guarded(b, [&] { b->push(b->state.getBool(x)); });
}

int glix_vb_int(GlixValueBuilder * b, int64_t x) noexcept
{
    return guarded(b, [&] {
        auto v = b->state.allocValue();
        v->mkInt(x);
        b->push(v);
    });
}

int glix_vb_float(GlixValueBuilder * b, double x) noexcept
{
    return guarded(b, [&] {
        auto v = b->state.allocValue();
        v->mkFloat(x);
        b->push(v);
    });
}

// `s` has no NUL (checked by the caller); mkString copies it into GC memory.
int glix_vb_string(GlixValueBuilder * b, const char * s, size_t len) noexcept
{
    return guarded(b, [&] {
        auto v = b->state.allocValue();
        v->mkString(std::string_view(s, len));
        b->push(v);
    });
}

int glix_vb_name(GlixValueBuilder * b, const char * s, size_t len) noexcept
{
    return guarded(b, [&] { b->names.push_back(b->state.symbols.create(std::string_view(s, len))); });
}

int glix_vb_list(GlixValueBuilder * b, size_t n) noexcept
{
    return guarded(b, [&] {
        b->need(n, false);
        if (n == 0) {
            b->push(&b->state.vEmptyList);
            return;
        }
        auto first = b->values.end() - n;
        auto list = b->state.buildList(n);
        std::copy(first, b->values.end(), list.begin());
        auto v = b->state.allocValue();
        v->mkList(list);
        b->values.erase(first, b->values.end());
        b->push(v);
    });
}

int glix_vb_attrs(GlixValueBuilder * b, size_t n) noexcept
{
    return guarded(b, [&] {
        b->need(n, true);
        auto firstValue = b->values.end() - n;
        auto firstName = b->names.end() - n;
        auto attrs = b->state.buildBindings(n);
        for (size_t i = 0; i < n; i++)
            attrs.insert(firstName[i], firstValue[i]);
        nix::Bindings * bindings = attrs.finish(); // sorted by symbol: equal names adjacent
        for (size_t i = 1; i < n; i++)
            if ((*bindings)[i - 1].name == (*bindings)[i].name)
                throw std::runtime_error(
                    "a result attrset has the attribute name \""
                    + std::string(std::string_view(b->state.symbols[(*bindings)[i].name])) + "\" twice");
        auto v = b->state.allocValue();
        v->mkAttrs(bindings);
        b->values.erase(firstValue, b->values.end());
        b->names.erase(firstName, b->names.end());
        b->push(v);
    });
}

// Move the one remaining value into the primop's (uninitialised) result.
int glix_vb_finish(GlixValueBuilder * b, nix_value * out) noexcept
{
    return guarded(b, [&] {
        if (b->values.size() != 1 || !b->names.empty())
            throw std::logic_error("internal error: the value builder's stack is unbalanced");
        out->value = *b->values.back();
        b->values.pop_back();
    });
}

} // extern "C"
