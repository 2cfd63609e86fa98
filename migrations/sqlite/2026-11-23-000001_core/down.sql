DROP TABLE payment_counters;
DROP TABLE payment_events;
DROP TABLE payment_transitions;
DROP TABLE payments;
DROP TABLE orders;
DROP TABLE payment_method_channels;
DROP TABLE payment_methods;
DROP TABLE channels;
