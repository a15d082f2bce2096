"""The dashboard's query count does not grow with the number of teachers, awards or reviews."""
from __future__ import annotations

from milepost.accounts.models import User
from milepost.extensions import db
from milepost.points import services as points
from milepost.points.models import Reward
from tests.helpers.app import count_queries
from tests.helpers.reports import YEAR_ARGS, _decide, _direct, _send, at
from tests.helpers.surveys import answer

LIMIT = 15


def grow(app, district, make_user, n: int) -> None:
    """n more teachers at Maple, each with evidence decided "meets", one waiting, a direct award, a tier,
    a reward claim and a survey answer."""
    reward = db.session.scalar(db.select(Reward))
    for i in range(n):
        teacher = make_user("teacher", name=f"Extra {i}", school=district.maple if i % 2 else district.oak)
        sub = _send(app, teacher, district.b2)
        _decide(sub, district.coach_maple, "meets" if i % 3 else "not_yet")
        _send(app, make_user("teacher", school=district.pine), district.b1)
        _direct(teacher, district.b3, at(2025, 12, 1 + i % 20), district.pd)
        points.claim_reward(db.session, reward, user=db.session.get(User, teacher.id))
        db.session.commit()
        answer(district.survey, db.session.get(User, teacher.id), {0: 5}, now=at(2025, 9, 15))


def counted(client, **args) -> int:
    assert client.get("/reports/", query_string={**YEAR_ARGS, **args}).status_code == 200  # warm: one-off writes
    with count_queries() as queries:
        response = client.get("/reports/", query_string={**YEAR_ARGS, **args})
    assert response.status_code == 200
    return len(queries)


def test_the_dashboard_runs_a_fixed_number_of_queries(app, district, make_user, client_for):
    readers = {"pd_admin": client_for(district.pd), "leader": client_for(district.leader),
               "coach": client_for(district.coach_maple)}
    filtered = {"school": district.maple.id, "strand": district.agency.id, "pilot": district.pilot.id}
    small = {who: counted(c) for who, c in readers.items()}
    small["filtered"] = counted(readers["pd_admin"], **filtered)
    grow(app, district, make_user, 12)
    large = {who: counted(c) for who, c in readers.items()}
    large["filtered"] = counted(readers["pd_admin"], **filtered)
    print(f"dashboard queries, small: {small}, large: {large}")
    assert small == large
    assert max(large.values()) <= LIMIT, large
