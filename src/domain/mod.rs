//! Pure types and rules of the payments domain: no I/O, no diesel, no actix.

mod clock;
mod error;
mod method;
mod money;
mod order;
mod payment;
mod query;
mod quote;
mod token;
mod transition;
mod validation;
mod webhook;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{Error, InvalidValue};
pub(crate) use method::check_amount_bounds;
pub use method::{
    Channel, ChannelUpdate, Gateway, NewChannel, NewPaymentMethod, PaymentMethod,
    PaymentMethodUpdate, TaxCalculationStrategy,
};
pub use money::{Currency, Money};
pub use order::{Order, OrderPaymentState, OrderRef, UpsertOrder, resolve_order_payment_state};
pub use payment::{
    EventType, NewPayment, Payment, PaymentEvent, PaymentMethodSummary, PaymentState, StateChange,
};
pub use query::{
    Cursor, Limit, PageNumber, Paginated, PaymentFilter, PaymentQuery, SortDirection, SortField,
    Sorting, check_instant,
};
pub use quote::{Country, NewQuote, Quote, QuoteMethod};
pub use token::{ApiToken, MIN_TOKEN_LENGTH, TokenScope, hash_token, token_hashes_match};
pub use transition::{Edge, GRAPH, Transition};
pub use validation::validate_input;
pub use webhook::{
    Delivery, DeliveryAttempt, DeliveryStatus, FIRST_RETRY, LONGEST_WAIT, MAX_JITTER_PERMILLE,
    NewSubscription, RETRY_WINDOW, Subscription, parse_event_types, retry_wait,
};
