"""Zalo webhook security (bot/channels/zalo_signing.py): signatures, freshness, replays,
per-user rate limits. Pure functions: no Rasa, no network."""

from __future__ import annotations

import hashlib
import json

import pytest

from bot.channels.zalo_signing import (
    ALLOW,
    LIMITED_NOTIFY,
    LIMITED_SILENT,
    RateLimiter,
    ReplayCache,
    WebhookRejected,
    compute_mac,
    event_key,
    is_fresh,
    sign,
    verify_request,
    verify_signature,
)

APP_ID, SECRET = "2553928453557884079", "oa-secret-key"
NOW = 1_700_000_000.0  # seconds


def event_body(timestamp: float = NOW, msg_id: str = "msg-1", text: str = "lệ phí khai sinh") -> bytes:
    event = {
        "app_id": APP_ID, "event_name": "user_send_text", "timestamp": str(int(timestamp * 1000)),
        "sender": {"id": "6142494823"}, "recipient": {"id": "3662729599"},
        "message": {"text": text, "msg_id": msg_id}, "user_id_by_app": "979122185046046317",
    }
    return json.dumps(event, ensure_ascii=False).encode()


def header_for(body: bytes, secret: str = SECRET) -> str:
    return sign(APP_ID, body, json.loads(body)["timestamp"], secret)


def test_the_mac_is_sha256_of_app_id_body_timestamp_secret():
    body = b'{"timestamp":"1700000000000"}'
    expected = hashlib.sha256(APP_ID.encode() + body + b"1700000000000" + SECRET.encode()).hexdigest()
    assert compute_mac(APP_ID, body, "1700000000000", SECRET) == expected
    assert sign(APP_ID, body, "1700000000000", SECRET) == "mac=" + expected


def test_verify_accepts_the_header_with_or_without_prefix_in_any_case():
    body = event_body()
    mac = compute_mac(APP_ID, body, str(int(NOW * 1000)), SECRET)
    for header in (f"mac={mac}", mac, f"MAC={mac.upper()}", f" mac={mac} "):
        assert verify_signature(header, APP_ID, body, str(int(NOW * 1000)), SECRET)


@pytest.mark.parametrize("header", [None, "", "mac=", "mac=00", "mac=" + "0" * 64, "garbage ü"])
def test_verify_refuses_wrong_headers(header):
    assert not verify_signature(header, APP_ID, event_body(), str(int(NOW * 1000)), SECRET)


def test_a_valid_request_gives_its_event():
    body = event_body()
    event = verify_request(header_for(body), body, app_id=APP_ID, secret=SECRET, max_age=300, now=NOW)
    assert event["message"]["text"] == "lệ phí khai sinh"


def test_missing_signature_is_refused():
    with pytest.raises(WebhookRejected, match="missing signature"):
        verify_request(None, event_body(), app_id=APP_ID, secret=SECRET, max_age=300, now=NOW)


def test_a_signature_made_with_another_secret_is_refused():
    body = event_body()
    with pytest.raises(WebhookRejected, match="invalid signature"):
        verify_request(header_for(body, "not-the-secret"), body, app_id=APP_ID, secret=SECRET,
                       max_age=300, now=NOW)


def test_a_tampered_body_is_refused():
    body = event_body()
    header = header_for(body)
    tampered = body.replace(b"khai sinh", "khai tử".encode())
    with pytest.raises(WebhookRejected, match="invalid signature"):
        verify_request(header, tampered, app_id=APP_ID, secret=SECRET, max_age=300, now=NOW)


def test_the_signature_covers_the_raw_bytes_not_the_parsed_json():
    body = event_body()
    reformatted = json.dumps(json.loads(body), indent=2).encode()
    with pytest.raises(WebhookRejected):
        verify_request(header_for(body), reformatted, app_id=APP_ID, secret=SECRET, max_age=300, now=NOW)


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b'{"event_name":"user_send_text"}', b"\xff\xfe"])
def test_unreadable_bodies_or_bodies_without_timestamp_are_refused(body):
    with pytest.raises(WebhookRejected, match="invalid signature"):
        verify_request("mac=" + "0" * 64, body, app_id=APP_ID, secret=SECRET, max_age=300, now=NOW)


def test_stale_and_far_future_events_are_refused_even_when_signed():
    for when in (NOW - 301, NOW + 301):
        body = event_body(timestamp=when)
        with pytest.raises(WebhookRejected, match="stale event"):
            verify_request(header_for(body), body, app_id=APP_ID, secret=SECRET, max_age=300, now=NOW)
    body = event_body(timestamp=NOW - 299)
    verify_request(header_for(body), body, app_id=APP_ID, secret=SECRET, max_age=300, now=NOW)


def test_freshness_reads_milliseconds_or_seconds_and_can_be_turned_off():
    assert is_fresh(str(int(NOW * 1000)), 60, now=NOW + 30)
    assert is_fresh(str(int(NOW)), 60, now=NOW + 30)
    assert not is_fresh(str(int(NOW * 1000)), 60, now=NOW + 61)
    assert is_fresh("1000", 0, now=NOW)
    assert not is_fresh("yesterday", 60, now=NOW)


def test_event_key_is_the_msg_id_or_the_body_hash():
    body = event_body(msg_id="abc")
    assert event_key(json.loads(body), body) == "msg:abc"
    follow = b'{"event_name":"follow","follower":{"id":"1"},"timestamp":"1"}'
    assert event_key(json.loads(follow), follow).startswith("body:")
    other = follow.replace(b'"1"}', b'"2"}')
    assert event_key(json.loads(follow), follow) != event_key(json.loads(other), other)


def test_replay_cache_remembers_until_the_ttl_then_forgets():
    cache = ReplayCache(ttl=10)
    assert not cache.seen_before("a", now=0)
    assert cache.seen_before("a", now=5)
    assert not cache.seen_before("b", now=6)
    assert not cache.seen_before("a", now=10.5)  # expired, so new again
    assert cache.seen_before("b", now=10.6)


def test_replay_cache_is_bounded():
    cache = ReplayCache(ttl=1000, max_entries=3)
    for n in range(10):
        cache.seen_before(str(n), now=n)
    assert len(cache) == 3
    assert cache.seen_before("9", now=11)


def test_rate_limit_is_per_user_and_tells_the_user_once_per_window():
    limiter = RateLimiter(per_minute=3)
    assert [limiter.hit("u1", now=t) for t in (0, 1, 2)] == [ALLOW] * 3
    assert limiter.hit("u1", now=3) == LIMITED_NOTIFY
    assert limiter.hit("u1", now=4) == LIMITED_SILENT
    assert limiter.hit("u2", now=4) == ALLOW  # another citizen is not affected
    assert limiter.hit("u1", now=60.5) == ALLOW  # the first hit left the window
    assert limiter.hit("u1", now=61) == ALLOW
    assert limiter.hit("u1", now=62) == ALLOW
    assert limiter.hit("u1", now=63.5) == LIMITED_NOTIFY  # a new window: told again


def test_rate_limit_zero_turns_it_off():
    limiter = RateLimiter(per_minute=0)
    assert all(limiter.hit("u", now=0) == ALLOW for _ in range(1000))
