"""The demo district's people, schools and PLCs: the first step of `milepost seed-demo`."""
from __future__ import annotations

from sqlalchemy import select

from milepost.accounts.models import PLC, School, User
from milepost.accounts.services import save_plc, save_school, save_user
from milepost.core.access import Role

PASSWORD = "milepost-demo"
SCHOOLS = ["Riverbend Elementary School", "Cedar Ridge Middle School"]

# (name, email, roles, school index or None)
PEOPLE = [
    ("Dana Whitfield", "dana.whitfield@riverbend.example", [Role.PD_ADMIN, Role.TEACHER], None),
    ("Marcus Ortega", "marcus.ortega@riverbend.example", [Role.LEADER], None),
    ("Priya Raman", "priya.raman@riverbend.example", [Role.SITE_ADMIN], None),
    ("Grace Okafor", "grace.okafor@riverbend.example", [Role.COACH, Role.TEACHER], 0),
    ("Tomás Rivera", "tomas.rivera@riverbend.example", [Role.COACH, Role.TEACHER], 1),
    ("Alicia Chen", "alicia.chen@riverbend.example", [Role.TEACHER], 0),
    ("Ben Adeyemi", "ben.adeyemi@riverbend.example", [Role.TEACHER], 0),
    ("Carmen Diaz", "carmen.diaz@riverbend.example", [Role.TEACHER], 0),
    ("Devon Price", "devon.price@riverbend.example", [Role.TEACHER], 0),
    ("Elena Petrova", "elena.petrova@riverbend.example", [Role.TEACHER], 1),
    ("Farid Haddad", "farid.haddad@riverbend.example", [Role.TEACHER], 1),
    ("Hannah Lindqvist", "hannah.lindqvist@riverbend.example", [Role.TEACHER], 1),
    ("Isaac Moreno", "isaac.moreno@riverbend.example", [Role.TEACHER], 1),
    # Joined the demo for the pilot's survey groups (surveys/demo.py); here so they can be in PLCs too.
    ("Jordan Blake", "jordan.blake@riverbend.example", [Role.TEACHER], 0),
    ("Keiko Tanaka", "keiko.tanaka@riverbend.example", [Role.TEACHER], 0),
    ("Luis Navarro", "luis.navarro@riverbend.example", [Role.TEACHER], 1),  # new to the district: in no PLC yet
    ("Maya Singh", "maya.singh@riverbend.example", [Role.TEACHER], 1),
]

# (name, school index or None, facilitator email, member emails, description)
PLCS = [
    ("Primary literacy team", 0, "grace.okafor@riverbend.example",
     ["alicia.chen@riverbend.example", "ben.adeyemi@riverbend.example", "carmen.diaz@riverbend.example",
      "keiko.tanaka@riverbend.example"],
     "K-2 teachers building a shared approach to reading conferences."),
    ("Upper elementary math", 0, "devon.price@riverbend.example",
     ["devon.price@riverbend.example", "carmen.diaz@riverbend.example", "jordan.blake@riverbend.example"],
     "Grades 3-5 looking at student work samples together."),
    ("Grade 7 humanities", 1, "tomas.rivera@riverbend.example",
     ["elena.petrova@riverbend.example", "farid.haddad@riverbend.example"],
     "Project-based units and the feedback students get on them."),
    ("Science and STEM", 1, "hannah.lindqvist@riverbend.example",
     ["hannah.lindqvist@riverbend.example", "isaac.moreno@riverbend.example", "maya.singh@riverbend.example"],
     "Lab routines, inquiry and student goal-setting."),
    ("New teacher circle", None, "dana.whitfield@riverbend.example",
     ["ben.adeyemi@riverbend.example", "isaac.moreno@riverbend.example"],
     "First- and second-year teachers across the district."),
]

# Who to sign in as, to see each role's side of the product.
SHOWN = [
    ("teacher", "alicia.chen@riverbend.example"),
    ("coach (and teacher)", "grace.okafor@riverbend.example"),
    ("PD office (pd_admin)", "dana.whitfield@riverbend.example"),
    ("district leader", "marcus.ortega@riverbend.example"),
    ("site admin", "priya.raman@riverbend.example"),
]


def seed_people(session, people: dict) -> None:
    """Add the demo's schools, people and PLCs that are not there yet, and fill `people` (email -> User)
    for the later steps."""
    schools = {}
    for name in SCHOOLS:
        schools[name] = session.scalar(select(School).filter_by(name=name)) or save_school(
            session, None, name=name, actor=None)
    school_list = [schools[n] for n in SCHOOLS]

    for name, email, roles, school_index in PEOPLE:
        user = session.scalar(select(User).filter_by(email=email))
        if user is None:
            user = save_user(session, None, actor=None, email=email, display_name=name, roles=roles,
                             school=school_list[school_index] if school_index is not None else None,
                             plcs=[], password=PASSWORD)
        people[email] = user

    for name, school_index, facilitator, members, description in PLCS:
        school = school_list[school_index] if school_index is not None else None
        query = select(PLC).filter_by(name=name, school_id=school.id if school else None)
        if session.scalar(query) is None:
            save_plc(session, None, name=name, school=school, facilitator=people[facilitator],
                     members=[people[e] for e in members], description=description, actor=None)
