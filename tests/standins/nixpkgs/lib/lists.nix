# Stands in for nixpkgs' lib/lists.nix (not nixpkgs): list functions.
{ lib }:
let
  inherit (builtins) length elemAt head tail isList genList filter;
in
rec {
  inherit (builtins) head tail length elem elemAt filter genList concatLists concatMap sort all any partition groupBy;
  foldl' = builtins.foldl';
  foldl = op: nul: list: builtins.foldl' op nul list;
  foldr = op: nul: list:
    let len = length list; go = n: if n == len then nul else op (elemAt list n) (go (n + 1));
    in go 0;
  imap0 = f: list: genList (n: f n (elemAt list n)) (length list);
  imap1 = f: list: genList (n: f (n + 1) (elemAt list n)) (length list);
  optional = cond: x: if cond then [ x ] else [ ];
  optionals = cond: xs: if cond then xs else [ ];
  toList = x: if isList x then x else [ x ];
  singleton = x: [ x ];
  flatten = x: if isList x then concatMap flatten x else [ x ];
  unique = builtins.foldl' (acc: x: if builtins.elem x acc then acc else acc ++ [ x ]) [ ];
  remove = e: filter (x: x != e);
  last = list: elemAt list (length list - 1);
  init = list: genList (elemAt list) (length list - 1);
  take = n: list: genList (elemAt list) (lib.min n (length list));
  drop = n: list: let l = length list; in genList (i: elemAt list (i + n)) (lib.max 0 (l - n));
  sublist = start: count: list: take count (drop start list);
  range = first: last: if first > last then [ ] else genList (n: first + n) (last - first + 1);
  reverseList = list: let l = length list; in genList (n: elemAt list (l - n - 1)) l;
  findFirst = pred: default: list: let found = filter pred list; in if found == [ ] then default else head found;
  count = pred: list: length (filter pred list);
  zipListsWith = f: a: b: genList (n: f (elemAt a n) (elemAt b n)) (lib.min (length a) (length b));
  zipLists = zipListsWith (fst: snd: { inherit fst snd; });
  ifilter0 = f: list: map (x: x.v) (filter (x: f x.i x.v) (imap0 (i: v: { inherit i v; }) list));
  subtractLists = e: filter (x: !(builtins.elem x e));
  intersectLists = e: filter (x: builtins.elem x e);
  mutuallyExclusive = a: b: length a == 0 || !(builtins.any (x: builtins.elem x a) b);
}
