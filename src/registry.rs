//! The rule registry: `register_rules!` turns the single list in `src/rules/mod.rs` into the typed
//! [`RuleId`] enum, and this module resolves selectors (code, name, code prefix, factor name).

use crate::rule::{Factor, RuleMeta};

/// Generates `RuleId`, its table of rule objects and metadata from one list of rule types.
#[macro_export]
macro_rules! register_rules {
    ($($ty:ident => $m:ident :: $f:ident),* $(,)?) => {
        /// Typed identifier of every rule, in code order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleId {
            $(
                #[doc = concat!("The `", stringify!($ty), "` rule.")]
                $ty,
            )*
        }

        impl RuleId {
            /// Every rule, in registration (code) order.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$ty),*];

            /// The rule object that runs the checks.
            pub fn rule(self) -> &'static dyn $crate::rule::Rule {
                match self {
                    $(RuleId::$ty => &$crate::rules::$m::$f::$ty),*
                }
            }

            /// The rule's metadata.
            pub fn meta(self) -> &'static $crate::rule::RuleMeta {
                match self {
                    $(RuleId::$ty => &$crate::rules::$m::$f::$ty::META),*
                }
            }
        }
    };
}

pub use crate::rules::RuleId;

impl RuleId {
    /// The rule's code, e.g. `TC0301`.
    pub fn code(self) -> &'static str {
        self.meta().code
    }

    /// The rule's kebab-case name.
    pub fn name(self) -> &'static str {
        self.meta().name
    }

    /// Finds a rule by exact code (case-insensitive) or name.
    pub fn lookup(s: &str) -> Option<RuleId> {
        RuleId::ALL
            .iter()
            .copied()
            .find(|id| id.code().eq_ignore_ascii_case(s) || id.name() == s)
    }

    /// Whether this is a meta rule (`TC00xx`): always on, never suppressible inline.
    pub fn is_meta(self) -> bool {
        self.meta().factor == Factor::Meta
    }
}

/// A parsed rule selector: what `--select`, `ignore = [..]` and suppression comments accept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    /// Every rule (`ALL` or the bare prefix `TC`).
    All,
    /// One rule, by code or name.
    Rule(RuleId),
    /// A code prefix such as `TC07` or `TC070`.
    Prefix(String),
    /// A factor by name (`port-binding`).
    Factor(Factor),
}

impl Selector {
    /// Parses a selector; `None` when it names nothing.
    pub fn parse(s: &str) -> Option<Selector> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("all") || s.eq_ignore_ascii_case("tc") {
            return Some(Selector::All);
        }
        if let Some(id) = RuleId::lookup(s) {
            return Some(Selector::Rule(id));
        }
        if let Some(f) = Factor::from_name(&s.to_ascii_lowercase()) {
            return Some(Selector::Factor(f));
        }
        let upper = s.to_ascii_uppercase();
        let is_prefix = upper.len() > 2
            && upper.starts_with("TC")
            && upper[2..].bytes().all(|b| b.is_ascii_digit())
            && RuleId::ALL.iter().any(|id| id.code().starts_with(&upper));
        is_prefix.then_some(Selector::Prefix(upper))
    }

    /// Whether the selector covers `id`.
    pub fn matches(&self, id: RuleId) -> bool {
        match self {
            Selector::All => true,
            Selector::Rule(r) => *r == id,
            Selector::Prefix(p) => id.code().starts_with(p.as_str()),
            Selector::Factor(f) => id.meta().factor == *f,
        }
    }

    /// Whether the selector names exactly one rule by its code or name (this enables preview rules).
    pub fn is_exact(&self) -> bool {
        matches!(self, Selector::Rule(_))
    }

    /// How specific the selector is; a more specific `ignore` or `select` wins (ruff's rule).
    pub fn specificity(&self) -> u8 {
        match self {
            Selector::All => 0,
            Selector::Factor(_) => 1,
            Selector::Prefix(p) => 1 + p.len() as u8,
            Selector::Rule(_) => 100,
        }
    }
}

/// Every rule's metadata in code order.
pub fn all_meta() -> impl Iterator<Item = &'static RuleMeta> {
    RuleId::ALL.iter().map(|id| id.meta())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_resolve() {
        assert_eq!(
            Selector::parse("TC0301"),
            Some(Selector::Rule(RuleId::HardcodedSecret))
        );
        assert_eq!(
            Selector::parse("hardcoded-secret"),
            Some(Selector::Rule(RuleId::HardcodedSecret))
        );
        assert_eq!(
            Selector::parse("TC03"),
            Some(Selector::Prefix("TC03".into()))
        );
        assert_eq!(
            Selector::parse("config"),
            Some(Selector::Factor(Factor::Config))
        );
        assert_eq!(Selector::parse("TC9999"), None);
        assert_eq!(Selector::parse("nonsense"), None);
    }
}
