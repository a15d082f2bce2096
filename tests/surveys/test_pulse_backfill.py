"""A monthly pulse filled in afterwards keeps its own dates and place in the months, so the trend runs
the right way (it used to open on the day of the backfill and turn a rise of +1.57 into -1.57)."""
from datetime import UTC, date, datetime, timedelta

import pytest

from milepost.extensions import db
from milepost.surveys import services
from tests.helpers.surveys import answer, likert


def test_a_backfilled_month_keeps_its_dates_and_the_trend_sign_is_right(app, make_survey, make_user, as_role):
    template = make_survey([likert("My workload is manageable.", key="workload")], status="draft", title="Pulse")
    pulse = services.make_pulse(db.session, template, days_open=10, actor=None)
    db.session.commit()
    now = datetime(2026, 12, 7, 9, tzinfo=UTC)
    december = services.open_pulse_surveys(db.session, now=now)[0]
    november = services.open_pulse_surveys(db.session, month=date(2026, 11, 1), now=now)[0]  # the backfill
    db.session.commit()
    assert november.opens_at == datetime(2026, 11, 1, tzinfo=UTC)
    assert november.closes_at == datetime(2026, 11, 11, tzinfo=UTC)
    assert december.opens_at == now and november.wave == "2026-11" and december.wave == "2026-12"
    db.session.expire_all()
    assert [s.wave for s in pulse.surveys if s.status == "published"] == ["2026-11", "2026-12"]
    # November low, December higher: 7 people each month; December's mean is 11/7 points up.
    people = [make_user("teacher") for _ in range(7)]
    for person, before, after in zip(people, [2, 2, 2, 2, 2, 2, 2], [4, 4, 4, 3, 3, 4, 3], strict=True):
        answer(november, person, {0: before}, now=november.opens_at + timedelta(days=1))
        answer(december, person, {0: after}, now=now + timedelta(hours=1))
    trend = services.pulse_trend(db.session, pulse, minimum=5)[0]
    assert [p.month for p in trend.points] == ["2026-11", "2026-12"]
    assert trend.change == pytest.approx(25 / 7 - 2) and trend.change > 0  # +1.57
    row = services.set_comparison(db.session, pulse, minimum=5)["rows"][0]
    assert row["change"].total_change == pytest.approx(11 / 7)
    page = as_role("leader").get(f"/surveys/sets/{pulse.id}/results").get_data(as_text=True)
    assert "Month by month" in page and "+1.57" in page and "-1.57" not in page
    assert page.index("2026-11") < page.index("2026-12")


def test_a_month_opened_in_its_own_month_opens_at_once():
    now = datetime(2026, 12, 7, 9, tzinfo=UTC)
    assert services.pulse_opening(date(2026, 12, 1), now) == now
    assert services.pulse_opening(date(2027, 1, 1), now) == datetime(2027, 1, 1, tzinfo=UTC)
