# Shared environment for the project's scripts: the Nix toolchain (PATH, pkg-config,
# NIX_CONFIG), cargo, and a git identity for the commits tests make. Source it after
# scripts/bootstrap-nix has run:  . scripts/env.sh
_glix_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
eval "$("$_glix_root/scripts/bootstrap-nix" --print-env)"
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
# Tests commit in throw-away repos; a fresh machine has no git identity.
export GIT_AUTHOR_NAME="${GIT_AUTHOR_NAME:-glix test}"
export GIT_AUTHOR_EMAIL="${GIT_AUTHOR_EMAIL:-glix-test@localhost}"
export GIT_COMMITTER_NAME="${GIT_COMMITTER_NAME:-$GIT_AUTHOR_NAME}"
export GIT_COMMITTER_EMAIL="${GIT_COMMITTER_EMAIL:-$GIT_AUTHOR_EMAIL}"
export GLIX_ROOT="$_glix_root"
unset _glix_root
