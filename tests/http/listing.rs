//! `GET /api/v1/payments`: pagination arithmetic, links that keep every parameter, sorting,
//! filters, and 400s for bad parameters.

use actix_web::test;
use chrono::TimeDelta;
use serde_json::Value;
use storefront_payments::{NewPayment, Transition};

use crate::common::TestDb;
use crate::support::{app, get, run, send, shop_with_orders, tokens};

/// 25 payments, one minute apart, amounts cycling through 5 values; every third completed.
fn seed(db: &TestDb) {
    shop_with_orders(
        db,
        &[
            ("L-1", "US_WEB", "USD", 1_000_000),
            ("L-2", "EU_WEB", "EUR", 1_000_000),
        ],
    );
    for i in 0..25i64 {
        db.clock.advance(TimeDelta::minutes(1));
        let (order, currency, method) = if i % 5 == 4 {
            ("L-2", "EUR", "card")
        } else {
            ("L-1", "USD", "bank_transfer")
        };
        let amount = 100 * (1 + i % 5) + if i % 5 == 4 { 100 } else { 0 };
        let input = NewPayment::for_order(order)
            .method(method)
            .amount(amount, currency);
        let payment = db.payments.create_payment(&input).expect("payment").payment;
        if i % 3 == 0 {
            db.payments
                .apply_transition(payment.id, Transition::Complete, None)
                .expect("complete");
        }
    }
}

fn ids(body: &Value) -> Vec<i64> {
    body["_embedded"]["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["id"].as_i64()).collect())
        .unwrap_or_default()
}

fn href(body: &Value, link: &str) -> Option<String> {
    body["_links"][link]["href"].as_str().map(str::to_owned)
}

fn pages_links_and_arithmetic(db: &TestDb) {
    run(async {
        seed(db);
        let app = test::init_service(app(db.payments.clone())).await;
        let token = tokens(&db.payments).read;
        let first = send(
            &app,
            get("/api/v1/payments?limit=10&sorting[amount]=desc&criteria[currency]=USD"),
            Some(&token),
        )
        .await;
        assert_eq!(first.status, 200, "{first:?}");
        assert_eq!(
            (first.body["page"].as_i64(), first.body["limit"].as_i64()),
            (Some(1), Some(10))
        );
        assert_eq!(
            (first.body["pages"].as_i64(), first.body["total"].as_i64()),
            (Some(2), Some(20))
        );
        let keep = "&sorting%5Bamount%5D=desc&criteria%5Bcurrency%5D=USD";
        assert_eq!(
            href(&first.body, "self"),
            Some(format!("/api/v1/payments?page=1&limit=10{keep}"))
        );
        assert_eq!(
            href(&first.body, "first"),
            Some(format!("/api/v1/payments?page=1&limit=10{keep}"))
        );
        assert_eq!(
            href(&first.body, "last"),
            Some(format!("/api/v1/payments?page=2&limit=10{keep}"))
        );
        assert_eq!(
            href(&first.body, "next"),
            Some(format!("/api/v1/payments?page=2&limit=10{keep}"))
        );
        assert_eq!(href(&first.body, "previous"), None);
        // Following `next` gives the second page: previous, no next.
        let next = href(&first.body, "next").unwrap_or_default();
        let second = send(&app, get(&next), Some(&token)).await;
        assert_eq!(second.body["page"], 2);
        assert_eq!(
            href(&second.body, "previous"),
            Some(format!("/api/v1/payments?page=1&limit=10{keep}"))
        );
        assert_eq!(href(&second.body, "next"), None);
        let mut both = ids(&first.body);
        both.extend(ids(&second.body));
        let mut unique = both.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!((both.len(), unique.len()), (20, 20), "pages never overlap");
        // A middle page has both; a page past the last is 200 and empty.
        let middle = send(&app, get("/api/v1/payments?limit=5&page=3"), Some(&token)).await;
        assert!(href(&middle.body, "previous").is_some() && href(&middle.body, "next").is_some());
        let past = send(&app, get("/api/v1/payments?page=9&limit=10"), Some(&token)).await;
        assert_eq!(past.status, 200);
        assert_eq!(ids(&past.body), Vec::<i64>::new());
        assert_eq!(past.body["total"], 25);
        assert_eq!(href(&past.body, "next"), None);
        // Defaults: page 1, limit 10; the links say so.
        let plain = send(&app, get("/api/v1/payments/"), Some(&token)).await;
        assert_eq!(
            href(&plain.body, "self"),
            Some("/api/v1/payments/?page=1&limit=10".into())
        );
        assert_eq!(
            href(&plain.body, "last"),
            Some("/api/v1/payments/?page=3&limit=10".into())
        );
    });
}

fn sorting_and_filters(db: &TestDb) {
    run(async {
        seed(db);
        let app = test::init_service(app(db.payments.clone())).await;
        let token = tokens(&db.payments).read;
        let amounts = |body: &Value| -> Vec<i64> {
            body["_embedded"]["items"]
                .as_array()
                .map(|a| a.iter().filter_map(|i| i["amount"].as_i64()).collect())
                .unwrap_or_default()
        };
        let desc = send(
            &app,
            get("/api/v1/payments?limit=250&sorting[amount]=DESC"),
            Some(&token),
        )
        .await;
        let values = amounts(&desc.body);
        assert!(values.windows(2).all(|w| w[0] >= w[1]), "{values:?}");
        // Ties by id, in the direction of the first key.
        let items = desc.body["_embedded"]["items"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for pair in items.windows(2) {
            if pair[0]["amount"] == pair[1]["amount"] {
                assert!(pair[0]["id"].as_i64() > pair[1]["id"].as_i64());
            }
        }
        let two_keys = send(
            &app,
            get("/api/v1/payments?limit=250&sorting[amount]=asc&sorting[createdAt]=desc"),
            Some(&token),
        )
        .await;
        let items = two_keys.body["_embedded"]["items"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for pair in items.windows(2) {
            let (a, b) = (pair[0]["amount"].as_i64(), pair[1]["amount"].as_i64());
            assert!(a <= b);
            if a == b {
                assert!(pair[0]["createdAt"].as_str() >= pair[1]["createdAt"].as_str());
            }
        }
        let default_order = send(&app, get("/api/v1/payments?limit=250"), Some(&token)).await;
        let ids_default = ids(&default_order.body);
        assert!(
            ids_default.windows(2).all(|w| w[0] < w[1]),
            "createdAt ascending by default"
        );

        let count = |body: &Value| body["total"].as_i64();
        let completed = send(
            &app,
            get("/api/v1/payments?criteria[state]=completed"),
            Some(&token),
        )
        .await;
        assert_eq!(count(&completed.body), Some(9));
        let card = send(
            &app,
            get("/api/v1/payments?criteria[method]=card"),
            Some(&token),
        )
        .await;
        assert_eq!(count(&card.body), Some(5));
        let eu = send(
            &app,
            get("/api/v1/payments?criteria[channel]=EU_WEB&criteria[state]=new"),
            Some(&token),
        )
        .await;
        assert_eq!(count(&eu.body), Some(3));
        let by_number = send(
            &app,
            get("/api/v1/payments?criteria[order]=L-2"),
            Some(&token),
        )
        .await;
        assert_eq!(count(&by_number.body), Some(5));
        let by_id = send(
            &app,
            get("/api/v1/payments?criteria[order]=2"),
            Some(&token),
        )
        .await;
        assert_eq!(
            count(&by_id.body),
            Some(5),
            "an order id where no number matches"
        );
        let window = "criteria[createdAfter]=2026-01-01T12:05:00%2B0000&criteria[createdBefore]=2026-01-01T12:10:00Z";
        let dated = send(
            &app,
            get(&format!("/api/v1/payments?{window}")),
            Some(&token),
        )
        .await;
        assert_eq!(count(&dated.body), Some(5), "{dated:?}");
        let unknown = send(
            &app,
            get("/api/v1/payments?criteria[method]=nope"),
            Some(&token),
        )
        .await;
        assert_eq!(
            (unknown.status.as_u16(), count(&unknown.body)),
            (200, Some(0))
        );
    });
}

fn bad_list_parameters_are_400_problems_naming_the_parameter(db: &TestDb) {
    run(async {
        let app = test::init_service(app(db.payments.clone())).await;
        let token = tokens(&db.payments).read;
        for (query, field) in [
            ("page=0", "page"),
            ("page=abc", "page"),
            ("page=99999999999", "page"),
            ("limit=100000", "limit"),
            ("limit=0", "limit"),
            ("sorting[foo]=asc", "sorting[foo]"),
            ("sorting[amount]=sideways", "sorting[amount]"),
            ("criteria[state]=paid", "criteria[state]"),
            ("criteria[currency]=EURO", "criteria[currency]"),
            ("criteria[createdAfter]=soon", "criteria[createdAfter]"),
            (
                "criteria[createdAfter]=0000-01-01",
                "criteria[createdAfter]",
            ),
            (
                "criteria[createdBefore]=%2B99999-01-01T00:00:00Z",
                "criteria[createdBefore]",
            ),
            ("unknown=1", "unknown"),
            ("limit=1&limit=2", "limit"),
        ] {
            let reply = send(
                &app,
                get(&format!("/api/v1/payments?{query}")),
                Some(&token),
            )
            .await;
            reply.assert_problem(400, Some(field));
        }
    });
}

fn cursor_links_walk_the_whole_list(db: &TestDb) {
    run(async {
        seed(db);
        let app = test::init_service(app(db.payments.clone())).await;
        let token = tokens(&db.payments).read;
        let by_page = send(
            &app,
            get("/api/v1/payments?limit=250&sorting[amount]=desc"),
            Some(&token),
        )
        .await;
        let expected = ids(&by_page.body);
        // An empty `after` starts at the top, reading by cursor.
        let mut uri = "/api/v1/payments?limit=7&sorting[amount]=desc&after=".to_owned();
        let mut walked = Vec::new();
        let mut pages = 0;
        loop {
            let reply = send(&app, get(&uri), Some(&token)).await;
            assert_eq!(reply.status, 200, "{reply:?}");
            assert_eq!(reply.body["total"], 25);
            assert_eq!(href(&reply.body, "previous"), None);
            walked.extend(ids(&reply.body));
            pages += 1;
            let Some(next) = href(&reply.body, "next") else {
                break;
            };
            assert!(
                next.starts_with("/api/v1/payments?limit=7&after=")
                    && next.ends_with("&sorting%5Bamount%5D=desc"),
                "{next}"
            );
            uri = next;
        }
        assert_eq!(pages, 4);
        assert_eq!(
            walked, expected,
            "the cursor walk sees every payment once, in order"
        );
        let bad = send(
            &app,
            get("/api/v1/payments?after=not-a-cursor"),
            Some(&token),
        )
        .await;
        bad.assert_problem(400, Some("after"));
        send(&app, get("/api/v1/payments?page=2&after="), Some(&token))
            .await
            .assert_problem(400, Some("after"));
    });
}

on_both_backends!(
    cursor_links_walk_the_whole_list,
    pages_links_and_arithmetic,
    sorting_and_filters,
    bad_list_parameters_are_400_problems_naming_the_parameter,
);
