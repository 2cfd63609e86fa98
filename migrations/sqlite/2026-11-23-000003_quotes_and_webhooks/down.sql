DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_dispatch;
DROP TABLE webhook_subscriptions;
DROP TABLE payment_quotes;
