//! Shops, products and orders in the console.

use super::{assert_escaped, see_other, send, HOSTILE};
use crate::browser::hidden;
use crate::helpers::TestApp;

/// A product form's fields with `group_price`.
fn product_fields(name: &str, group_price: &str) -> Vec<(&'static str, String)> {
    vec![
        ("product_name", name.to_owned()),
        ("regular_price", "150000".to_owned()),
        ("group_price", group_price.to_owned()),
        ("stock_quantity", "50".to_owned()),
        ("group_buying_enabled", "on".to_owned()),
        ("group_max_size", "3".to_owned()),
        ("group_time_limit_hours", "24".to_owned()),
        ("max_per_customer", "2".to_owned()),
    ]
}

fn borrowed<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[actix_web::test]
async fn a_merchant_opens_a_shop_adds_and_edits_a_product_and_ships_an_order() {
    for app in TestApp::all_web().await {
        let m1 = app.sign_in("m1", "merchant", None).await;
        let index = m1.get("/console").await.expect_page(200);
        assert!(index.html().contains("href=\"/console/shops\""));

        // A shop, once however often its form is sent.
        let form = m1.get("/console/shops").await.expect_page(200);
        let key = hidden(form.html(), "idempotency_key").expect("a key");
        let fields = [("idempotency_key", key.as_str()), ("shop_name", HOSTILE)];
        let shop_page = see_other(&send(&m1, "/console/shops", &fields).await);
        assert!(shop_page.contains("done=shop-created"), "{shop_page}");
        assert_eq!(
            see_other(&send(&m1, "/console/shops", &fields).await),
            shop_page
        );
        let list = m1.get("/console/shops").await.expect_page(200);
        assert_escaped(list.html());
        assert_eq!(list.html().matches("href=\"/console/shops/").count(), 1);
        let shop = shop_page["/console/shops/".len()..]
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        let page = m1.get(&shop_page).await.expect_page(200);
        assert_escaped(page.html());
        assert!(page.html().contains("Shop created."));

        // A product, seen on the shop's page and through the API.
        let key = hidden(page.html(), "idempotency_key").expect("a key");
        let mut fields = product_fields("Kettle <b>", "80000");
        fields.push(("idempotency_key", key));
        let created = send(
            &m1,
            &format!("/console/shops/{shop}/products"),
            &borrowed(&fields),
        )
        .await;
        let product_page = see_other(&created);
        let product = product_page["/console/products/".len()..]
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        let shop_html = m1
            .get(&format!("/console/shops/{shop}"))
            .await
            .expect_page(200);
        assert!(shop_html.html().contains("Kettle &lt;b&gt;"));
        let api = app
            .get(&format!("/api/v1/products/{product}"), None)
            .await
            .expect(200);
        assert_eq!(api.data()["groupPrice"].as_f64(), Some(80000.0));

        // Its price edited.
        let edited = send(
            &m1,
            &format!("/console/products/{product}"),
            &borrowed(&product_fields("Kettle", "75000")),
        )
        .await;
        assert!(see_other(&edited).contains("done=product-updated"));
        let api = app
            .get(&format!("/api/v1/products/{product}"), None)
            .await
            .expect(200);
        assert_eq!(api.data()["groupPrice"].as_f64(), Some(75000.0));
        let refused = send(
            &m1,
            &format!("/console/products/{product}"),
            &borrowed(&product_fields("Kettle", "200000")),
        )
        .await;
        assert_eq!(refused.status.as_u16(), 422, "{}", refused.body);
        assert!(refused.html().contains("role=\"alert\""));

        // Orders of a completed group, shipped from the console.
        let (p, orders) = crate::order::completed(&app, "m1", &["b1", "b2"]).await;
        let shop2 = p["shopId"].as_str().unwrap();
        let page = m1
            .get(&format!("/console/shops/{shop2}"))
            .await
            .expect_page(200);
        for o in &orders {
            assert!(page.html().contains(o.as_str()), "order {o} listed");
        }
        assert!(page.html().contains("<td>To ship</td>"));
        assert!(page.html().contains("<th scope=\"col\">"));
        let product2 = p["productId"].as_str().unwrap();
        let product_html = m1
            .get(&format!("/console/products/{product2}"))
            .await
            .expect_page(200);
        assert!(product_html.html().contains("Edit price"));
        // Its groups by status: the completed one, none open, a bad status refused in words.
        assert!(
            product_html.html().contains("<td>Completed</td>"),
            "{}",
            product_html.html()
        );
        let open = m1
            .get(&format!("/console/products/{product2}?status=OPEN"))
            .await
            .expect_page(200);
        assert!(open.html().contains("No groups."));
        let bad = m1
            .get(&format!("/console/products/{product2}?status=LOST"))
            .await;
        assert_eq!(
            bad.status.as_u16(),
            400,
            "as the API answers my-groups?status=LOST"
        );
        assert!(bad.html().contains("role=\"alert\""));
        let shipped = send(
            &m1,
            &format!("/console/orders/{}/ship", orders[0]),
            &[("carrier", "DHL"), ("tracking_number", "TRK-123")],
        )
        .await;
        let back = see_other(&shipped);
        assert_eq!(
            back,
            format!("/console/shops/{shop2}?done=order-shipped#orders")
        );
        let page = m1
            .get(back.split('#').next().unwrap_or_default())
            .await
            .expect_page(200);
        assert!(
            page.html().contains("Order shipped."),
            "the flash reaches the page"
        );
        let mine = app
            .get(
                &format!("/api/v1/orders/{}", orders[0]),
                Some(&app.token("b1", &[])),
            )
            .await
            .expect(200);
        assert_eq!(mine.data()["status"], "SHIPPED");
        assert_eq!(mine.data()["trackingNumber"], "TRK-123");
        // Shipping twice is the domain's refusal, in words, with its status.
        let again = send(
            &m1,
            &format!("/console/orders/{}/ship", orders[0]),
            &[("carrier", "DHL"), ("tracking_number", "X")],
        )
        .await;
        assert_eq!(again.status.as_u16(), 409, "{}", again.body);
        let page = m1
            .get(&format!("/console/shops/{shop2}?status=SHIPPED"))
            .await
            .expect_page(200);
        assert!(page.html().contains("TRK-123"));
        assert!(!page
            .html()
            .contains(&format!("/console/orders/{}/ship", orders[1])));
        assert!(!page
            .html()
            .contains(&format!("/console/orders/{}/ship", orders[0])));
        let balance = &page.html()[page.html().find("<h2>Balance</h2>").expect("a balance")..];
        assert!(balance.contains("<li>TZS "), "the balance shows: {balance}");

        // Another merchant: every page 404, every form refused, nothing changed.
        let m2 = app.sign_in("m2", "merchant", None).await;
        m2.get(&format!("/console/shops/{shop2}"))
            .await
            .expect_page(404);
        m2.get(&format!("/console/shops/{shop}"))
            .await
            .expect_page(404);
        m2.get(&format!("/console/products/{product}"))
            .await
            .expect_page(404);
        let theirs = send(
            &m2,
            &format!("/console/orders/{}/ship", orders[1]),
            &[("carrier", "DHL"), ("tracking_number", "T")],
        )
        .await;
        assert_eq!(theirs.status.as_u16(), 404);
        let theirs = send(
            &m2,
            &format!("/console/products/{product}"),
            &borrowed(&product_fields("Mine", "1")),
        )
        .await;
        assert_eq!(theirs.status.as_u16(), 404);
        let mut fields = product_fields("Mine", "1");
        fields.push(("idempotency_key", "k-m2".to_owned()));
        let theirs = send(
            &m2,
            &format!("/console/shops/{shop}/products"),
            &borrowed(&fields),
        )
        .await;
        assert_eq!(theirs.status.as_u16(), 404);
        let list = m2.get("/console/shops").await.expect_page(200);
        assert!(!list.html().contains(&shop));

        // Without the CSRF token: 403 and nothing changes.
        let forged = m1
            .post_form(
                &format!("/console/orders/{}/ship", orders[1]),
                &[("carrier", "DHL"), ("tracking_number", "T")],
            )
            .await;
        assert_eq!(forged.status.as_u16(), 403);
        let forged = m1
            .post_form(
                "/console/shops",
                &[("shop_name", "Forged"), ("idempotency_key", "f1")],
            )
            .await;
        assert_eq!(forged.status.as_u16(), 403);
        let theirs = app
            .get(
                &format!("/api/v1/orders/{}", orders[1]),
                Some(&app.token("b2", &[])),
            )
            .await
            .expect(200);
        assert_eq!(theirs.data()["status"], "CONFIRMED");
        assert!(!m1.get("/console/shops").await.html().contains("Forged"));

        // Signed out: to the sign-in, and back here after.
        let anon = app.anonymous_browser();
        let to = see_other(&anon.get("/console/shops").await);
        assert!(
            to.starts_with("/auth/login?return_to=%2Fconsole%2Fshops"),
            "{to}"
        );
    }
}
