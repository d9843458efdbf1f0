//! What a person does in a browser with the emulator's approval page: open it, press
//! Allow (or "Allow for the whole team"), and copy the code it shows.

#![allow(dead_code)]

pub async fn approve_in_browser(url: &str, decision: &str) -> String {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let page = http.get(url).send().await.expect("the approval page loads");
    assert_eq!(page.status(), reqwest::StatusCode::OK, "{url}");
    let html = page.text().await.expect("html");
    let mut form: Vec<(String, String)> = html
        .split("<input type=\"hidden\" ")
        .skip(1)
        .map(|input| (attribute(input, "name"), attribute(input, "value")))
        .collect();
    form.push(("decision".to_owned(), decision.to_owned()));
    let action = url.split('?').next().expect("a url").to_owned();
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&form)
        .finish();
    let answer = http
        .post(action)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("approved");
    let html = answer.text().await.expect("html");
    let start = html
        .find("<code id=\"code\">")
        .expect("the page shows a code")
        + "<code id=\"code\">".len();
    html[start..start + html[start..].find("</code>").expect("closed")].to_owned()
}

fn attribute(tag: &str, name: &str) -> String {
    let start = tag.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
    let value = &tag[start..start + tag[start..].find('"').expect("closed")];
    value.replace("&quot;", "\"").replace("&amp;", "&")
}
