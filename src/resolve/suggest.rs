//! "Did you mean": the known names nearest to what the user typed.

use crate::flakeref::edit_distance;

/// At most `max` names from `known` near `typed`, nearest first (ties by name): by
/// case-insensitive edit distance, within about a third of the name's length, or names
/// that contain what was typed (or are contained in it).
pub fn nearest<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>, max: usize) -> Vec<String> {
    let t = typed.to_lowercase();
    let len = t.chars().count();
    let limit = 1 + len / 3;
    let mut scored: Vec<(usize, &str)> = known
        .into_iter()
        .filter(|k| *k != typed)
        .filter_map(|k| {
            let lk = k.to_lowercase();
            let d = edit_distance(&t, &lk);
            let contains = len >= 3 && (lk.contains(&t) || t.contains(&lk));
            (d <= limit || contains).then_some((d, k))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(max).map(|(_, k)| k.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_names_come_first_and_far_ones_are_left_out() {
        let known = ["cool-pkg", "cool-pkgs", "colt", "home-manager", "nixpkgs", "zzz"];
        assert_eq!(nearest("cool-pgk", known, 3), ["cool-pkg", "cool-pkgs"]);
        assert_eq!(nearest("home", known, 3), ["home-manager"]);
        assert_eq!(nearest("NIXPKGS", known, 3), ["nixpkgs"]);
        assert!(nearest("qqqqqqq", known, 3).is_empty());
        assert_eq!(nearest("cool", known, 2).len(), 2);
    }
}
