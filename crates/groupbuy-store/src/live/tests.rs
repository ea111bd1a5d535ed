//! Notice payloads.

use super::LiveChange;

#[test]
fn payloads_parse() {
    assert_eq!(
        LiveChange::parse("g:1"),
        Some(LiveChange::Group("1".into()))
    );
    assert_eq!(
        LiveChange::parse("c:x"),
        Some(LiveChange::Campaign("x".into()))
    );
    assert_eq!(LiveChange::parse("*"), Some(LiveChange::Everything));
    assert_eq!(LiveChange::parse("g:"), None);
    assert_eq!(LiveChange::parse("x:1"), None);
}
