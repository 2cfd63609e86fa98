//! The diesel schema, shared by both backends (the migrations differ only in id types).

diesel::table! {
    channels (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        hostname -> Nullable<Text>,
        color -> Nullable<Text>,
        enabled -> Bool,
        tax_calculation_strategy -> Text,
        base_currency -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    payment_methods (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        description -> Nullable<Text>,
        instructions -> Nullable<Text>,
        position -> Integer,
        enabled -> Bool,
        gateway_factory -> Text,
        gateway_config -> Text,
        min_amount -> Nullable<BigInt>,
        max_amount -> Nullable<BigInt>,
        currencies -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    payment_method_channels (payment_method_id, channel_id) {
        payment_method_id -> BigInt,
        channel_id -> BigInt,
    }
}

diesel::table! {
    orders (id) {
        id -> BigInt,
        number -> Text,
        channel_id -> BigInt,
        currency_code -> Text,
        total -> BigInt,
        payment_state -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    payments (id) {
        id -> BigInt,
        order_id -> BigInt,
        channel_id -> BigInt,
        method_id -> Nullable<BigInt>,
        currency_code -> Text,
        amount -> BigInt,
        state -> Text,
        description -> Nullable<Text>,
        metadata -> Nullable<Text>,
        external_ref -> Nullable<Text>,
        request_fingerprint -> Nullable<Text>,
        details -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        authorized_at -> Nullable<Timestamp>,
        completed_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
        cancelled_at -> Nullable<Timestamp>,
        refunded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    payment_transitions (id) {
        id -> BigInt,
        payment_id -> BigInt,
        transition -> Text,
        from_state -> Text,
        to_state -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    payment_events (id) {
        id -> BigInt,
        payment_id -> BigInt,
        event_type -> Text,
        payment_version -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    payment_counters (dimension, value, shard) {
        dimension -> Text,
        value -> Text,
        shard -> Integer,
        count -> BigInt,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        name -> Text,
        token_hash -> Text,
        scope -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(payment_method_channels -> payment_methods (payment_method_id));
diesel::joinable!(payment_method_channels -> channels (channel_id));
diesel::joinable!(orders -> channels (channel_id));
diesel::joinable!(payments -> orders (order_id));
diesel::joinable!(payments -> payment_methods (method_id));
diesel::joinable!(payment_transitions -> payments (payment_id));
diesel::joinable!(payment_events -> payments (payment_id));

diesel::table! {
    payment_quotes (id) {
        id -> Text,
        currency_code -> Text,
        country_code -> Text,
        channel_id -> BigInt,
        amount -> Nullable<BigInt>,
        methods -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> BigInt,
        url -> Text,
        events -> Text,
        secret -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_dispatch (id) {
        id -> Integer,
        last_event_id -> BigInt,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        event_id -> BigInt,
        subscription_id -> BigInt,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        deadline -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        lease_owner -> Nullable<Text>,
        last_status_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> BigInt,
        delivery_id -> BigInt,
        attempted_at -> Timestamp,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> BigInt,
    }
}

diesel::joinable!(payment_quotes -> channels (channel_id));
diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));
diesel::joinable!(webhook_deliveries -> payment_events (event_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));

diesel::allow_tables_to_appear_in_same_query!(
    channels,
    payment_methods,
    payment_method_channels,
    orders,
    payments,
    payment_transitions,
    payment_events,
    payment_counters,
    api_tokens,
    payment_quotes,
    webhook_subscriptions,
    webhook_dispatch,
    webhook_deliveries,
    webhook_attempts,
);
