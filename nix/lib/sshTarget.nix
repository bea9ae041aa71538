# `[user@]host[:port]` (a host's `target-host`, as glix validates it: see
# src/ident.rs is_valid_ssh_target) => { user, host, port }, null where absent.
# An IPv6 address is written in brackets (`root@[fd00::1]:2222`); the brackets are
# not part of `host`. A bare IPv6 address (more than one ':', no brackets) is all host.
# `what` names the value in errors.
what: s:
let
  inherit (builtins) match elemAt length filter isString split fromJSON;
  fail = why: throw "glix: ${what}: target-host \"${s}\" ${why}";
  at = match "([^@]+)@(.+)" s;
  user = if at == null then null else elemAt at 0;
  rest = if at == null then s else elemAt at 1;
  colons = length (filter (x: !isString x) (split ":" rest));
  bracketed = match "[[]([A-Za-z0-9_.:-]+)](:(.*))?" rest;
  plain = match "([^:]+)(:(.*))?" rest;
  parts =
    if bracketed != null then { host = elemAt bracketed 0; port = elemAt bracketed 2; }
    else if colons > 1 then { host = rest; port = null; }
    else if plain != null then { host = elemAt plain 0; port = elemAt plain 2; }
    else fail "has no host";
  port =
    if parts.port == null then null
    else if match "0|[1-9][0-9]{0,4}" parts.port != null && fromJSON parts.port <= 65535 then fromJSON parts.port
    else fail "has port \"${parts.port}\", which is not a port number (1 to 65535)";
in
if match ".*@.*@.*" s != null then fail "has more than one '@'"
else { inherit user port; inherit (parts) host; }
