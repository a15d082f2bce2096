"""The one input layer: bounded ASCII integers, JSON of a declared shape and depth, URLs parsed defensively."""
import json

import pytest

from milepost.core.errors import ValidationFailed
from milepost.core.inputs import DB_INT_MAX, parse_int, parse_json, split_url
from milepost.evidence import services
from milepost.extensions import db
from tests.helpers.app import login


@pytest.mark.parametrize("raw, expected", [("12", 12), (" 7 ", 7), ("-3", -3), ("²", None), ("٣", None),
                                           ("99999999999999999999", None), (str(DB_INT_MAX + 1), None),
                                           ("1e3", None), ("", None), (None, None), (True, None), (5, 5)])
def test_integers_are_ascii_digits_in_the_databases_range(raw, expected):
    assert parse_int(raw) == expected


@pytest.mark.parametrize("url, reason", [("http://example.org:99999/", "port must be a number from 1 to 65535"),
                                         ("http://[::1/", "IPv6"), ("http://example.org:0/", "port"),
                                         ("ftp://example.org/", "must start with http://"),
                                         ("http:///nohost", "name a website"), ("http://a.example/\x00", "control")])
def test_broken_links_get_a_clear_reason(url, reason):
    with pytest.raises(ValidationFailed) as refused:
        split_url(url)
    assert reason in refused.value.message
    with pytest.raises(ValidationFailed):
        services.check_url(url)


def test_json_nested_thousands_deep_is_refused_before_parsing():
    with pytest.raises(ValidationFailed, match="nested more than 20 levels"):
        parse_json("[" * 5000 + "]" * 5000)
    assert parse_json('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}') == {"a": "[" * 33}  # brackets in text count not


def test_a_path_id_beyond_64_bits_is_a_404_not_a_500(client):
    assert client.get("/ob/v2/badgeclasses/99999999999999999999").status_code == 404
    assert client.get("/ob/v2/badgeclasses/%C2%B2").status_code == 404
    assert client.get("/ob/v2/badgeclasses/" + str(DB_INT_MAX + 1)).status_code == 404


@pytest.mark.parametrize("body, message", [("[1,2,3]", "must be a JSON object"),
                                           ("[" * 5000 + "]" * 5000, "nested more than"),
                                           ('{"prompt": "1", "size": 10}', "'prompt' must be a whole number"),
                                           ('{"prompt": 1, "size": 99999999999999999999999}', "'size' must be"),
                                           ("{not json", "not valid JSON")])
def test_the_upload_route_answers_400_to_json_of_the_wrong_shape(app, submission, teacher, body, message):
    client = app.test_client()
    login(client, teacher.email)
    response = client.post(f"/submissions/{submission.id}/uploads", data=body, content_type="application/json")
    assert response.status_code == 400
    assert message in response.get_json()["error"]["message"]


def test_the_upload_route_still_takes_a_good_body(app, submission, teacher):
    client = app.test_client()
    login(client, teacher.email)
    response = client.post(f"/submissions/{submission.id}/uploads", content_type="application/json",
                           data=json.dumps({"prompt": 1, "filename": "a.png", "size": 10, "student_info": False}))
    assert response.status_code == 201


def test_a_query_integer_beyond_64_bits_reads_as_the_default(app, as_role):
    client = as_role("teacher")
    assert client.get("/notifications?page=99999999999999999999").status_code == 200
    assert client.get("/badges/?page=%C2%B2").status_code in (200, 302)
    assert client.get("/api/badges?per_page=99999999999999999999&page=-1").status_code == 200


def test_an_evidence_link_with_a_bad_port_is_a_clear_form_error(app, submission, teacher):
    client = app.test_client()
    login(client, teacher.email)
    for url, reason in (("http://example.org:99999/", "port"), ("http://[::1/", "IPv6")):
        response = client.post(f"/submissions/{submission.id}", data={"action": "save", "answer-0": "My class",
                                                                       "link-2": url})
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert reason in page and "My class" in page
    db.session.expire_all()
    assert [i for i in submission.attempts[-1].items if i.kind == "link"] == []


def test_a_nul_character_in_a_query_or_form_is_a_400_on_both_databases(app, as_role):
    client = as_role("pd_admin")
    response = client.get("/admin/people?q=a%00b")
    assert response.status_code == 400 and "NUL character" in response.get_data(as_text=True)
    assert client.post("/admin/schools/new", data={"name": "Hill\x00School"}).status_code == 400
    assert client.get("/api/badges/%00").status_code == 404
