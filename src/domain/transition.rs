//! The payment state machine: one table, the single source of truth for every layer.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::{Error, InvalidValue, PaymentState};

/// A named move of the Sylius payment graph (`sylius_payment`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transition {
    /// `cart` → `new`: a draft payment enters the workflow.
    Create,
    /// `new` → `processing`: the gateway starts processing the payment.
    Process,
    /// `new`/`processing` → `authorized`: the funds are reserved.
    Authorize,
    /// `new`/`processing`/`authorized` → `completed`: the payment is paid.
    Complete,
    /// `new`/`processing`/`authorized` → `failed`: the payment did not go through.
    Fail,
    /// `new`/`processing`/`authorized` → `cancelled`: the payment is called off.
    Cancel,
    /// `completed` → `refunded`: the paid amount is given back.
    Refund,
}

/// One edge set of the graph: `transition` moves a payment from any of `from` to `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// The transition this edge set belongs to.
    pub transition: Transition,
    /// The states the transition may be applied from.
    pub from: &'static [PaymentState],
    /// The state the transition leads to.
    pub to: PaymentState,
}

use PaymentState::{Authorized, Cancelled, Cart, Completed, Failed, New, Processing, Refunded};

/// The Sylius core payment graph. Everything (the store, the HTTP routes, the OpenAPI
/// document, the README table) reads this table; nothing else encodes a transition.
pub const GRAPH: [Edge; 7] = [
    Edge {
        transition: Transition::Create,
        from: &[Cart],
        to: New,
    },
    Edge {
        transition: Transition::Process,
        from: &[New],
        to: Processing,
    },
    Edge {
        transition: Transition::Authorize,
        from: &[New, Processing],
        to: Authorized,
    },
    Edge {
        transition: Transition::Complete,
        from: &[New, Processing, Authorized],
        to: Completed,
    },
    Edge {
        transition: Transition::Fail,
        from: &[New, Processing, Authorized],
        to: Failed,
    },
    Edge {
        transition: Transition::Cancel,
        from: &[New, Processing, Authorized],
        to: Cancelled,
    },
    Edge {
        transition: Transition::Refund,
        from: &[Completed],
        to: Refunded,
    },
];

impl Transition {
    /// Every transition, in the order of [`GRAPH`].
    pub const ALL: [Transition; 7] = [
        Transition::Create,
        Transition::Process,
        Transition::Authorize,
        Transition::Complete,
        Transition::Fail,
        Transition::Cancel,
        Transition::Refund,
    ];

    /// The name used in URLs, history rows and errors, e.g. `"complete"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Create => "create",
            Transition::Process => "process",
            Transition::Authorize => "authorize",
            Transition::Complete => "complete",
            Transition::Fail => "fail",
            Transition::Cancel => "cancel",
            Transition::Refund => "refund",
        }
    }

    /// Parses a transition name (exact, lower case).
    pub fn parse(name: &str) -> Result<Self, InvalidValue> {
        Transition::ALL
            .into_iter()
            .find(|t| t.as_str() == name)
            .ok_or_else(|| {
                InvalidValue(format!(
                    "`{name}` is not a transition; expected one of: {}",
                    Transition::ALL.map(Transition::as_str).join(", ")
                ))
            })
    }

    /// This transition's edge of [`GRAPH`].
    pub fn edge(self) -> &'static Edge {
        // GRAPH is ordered like `ALL`, one edge per transition.
        &GRAPH[self as usize]
    }

    /// The state this transition leads to from `from`, or why it cannot be applied.
    pub fn apply(self, from: PaymentState) -> Result<PaymentState, Error> {
        let edge = self.edge();
        if edge.from.contains(&from) {
            return Ok(edge.to);
        }
        Err(Error::TransitionNotAllowed {
            state: from,
            transition: self,
            allowed: from.available_transitions(),
        })
    }
}

impl fmt::Display for Transition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Transition {
    type Err = InvalidValue;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Transition::parse(name)
    }
}

impl PaymentState {
    /// The transitions that can be applied from this state, in graph order.
    pub fn available_transitions(self) -> Vec<Transition> {
        GRAPH
            .iter()
            .filter(|edge| edge.from.contains(&self))
            .map(|edge| edge.transition)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table, written out independently of `GRAPH`, so a typo in either shows.
    fn expected(state: PaymentState, transition: Transition) -> Option<PaymentState> {
        use Transition::*;
        match (transition, state) {
            (Create, Cart) => Some(New),
            (Process, New) => Some(Processing),
            (Authorize, New | Processing) => Some(Authorized),
            (Complete, New | Processing | Authorized) => Some(Completed),
            (Fail, New | Processing | Authorized) => Some(Failed),
            (Cancel, New | Processing | Authorized) => Some(Cancelled),
            (Refund, Completed) => Some(Refunded),
            _ => None,
        }
    }

    #[test]
    fn every_state_and_transition_pair_follows_the_sylius_graph() {
        let mut allowed = 0;
        for state in PaymentState::ALL {
            for transition in Transition::ALL {
                let result = transition.apply(state);
                match expected(state, transition) {
                    Some(to) => {
                        allowed += 1;
                        assert_eq!(result, Ok(to), "{transition} from {state}");
                    }
                    None => assert_eq!(
                        result,
                        Err(Error::TransitionNotAllowed {
                            state,
                            transition,
                            allowed: state.available_transitions(),
                        }),
                        "{transition} from {state} must be rejected"
                    ),
                }
            }
        }
        assert_eq!(allowed, 14, "the graph has 14 (state, transition) edges");
    }

    #[test]
    fn the_design_minimum_new_processing_completed_works() {
        let processing = Transition::Process.apply(PaymentState::New);
        let completed = processing.and_then(|s| Transition::Complete.apply(s));
        assert_eq!(completed, Ok(PaymentState::Completed));
    }

    #[test]
    fn terminal_and_unknown_states_allow_nothing() {
        for state in [Failed, Cancelled, Refunded, PaymentState::Unknown] {
            assert!(state.available_transitions().is_empty(), "{state}");
        }
        assert_eq!(Completed.available_transitions(), vec![Transition::Refund]);
        assert_eq!(
            New.available_transitions(),
            vec![
                Transition::Process,
                Transition::Authorize,
                Transition::Complete,
                Transition::Fail,
                Transition::Cancel
            ]
        );
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_rejected() {
        for transition in Transition::ALL {
            assert_eq!(Transition::parse(transition.as_str()), Ok(transition));
            assert_eq!(transition.edge().transition, transition);
        }
        for bad in ["", "Complete", "pay", "complete "] {
            assert!(Transition::parse(bad).is_err(), "{bad:?}");
        }
    }
}
