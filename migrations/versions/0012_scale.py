"""scale (issue 13): pre-aggregated leaderboard totals, the review queue's waiting index, a role index

- points_account gains all-time badges and month / school-year points and badges (each period's figures
  stamped with the period they count for), with the people board's indexes; points_school and points_plc
  hold each school's and PLC's members, the same totals and the points per member the group boards rank by
  (indexed). points.standings keeps them in step with the ledger and the memberships in the same
  transaction; this migration fills them from the existing rows.
- review_track.waiting_kind: the kind of stage an open submission waits at (NULL once decided), indexed
  with the waiting time, so the queue walks the oldest open work of one kind instead of every track.
- user_role(role, user_id): everyone with a role (the coaches) without reading every person.
- badge_earners: per badge, how many people hold it through an award that never expires (awards.services
  recounts it whenever one of the badge's awards changes); award(badge_id, expires_at, user_id) finds the
  awards with an expiry, which are counted when read; award(badge_id, go_to, revoked_at, user_id) finds a
  badge's go-to colleagues without reading all its holders.

Revision ID: 0012_scale
Revises: 0011_performance
Create Date: 2026-11-30 02:33:54.480346

"""
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_scale'
down_revision = '0011_performance'
branch_labels = None
depends_on = None

TOTALS = ("month_points", "month_badges", "year_points", "year_badges")


def _group_table(name, key, parent):
    op.create_table(
        name,
        sa.Column(key, sa.Integer(), nullable=False),
        sa.Column('members', sa.Integer(), nullable=False),
        sa.Column('points', sa.Integer(), nullable=False),
        sa.Column('badges', sa.Integer(), nullable=False),
        sa.Column('month_start', sa.Date(), nullable=True),
        sa.Column('month_points', sa.Integer(), nullable=False),
        sa.Column('month_badges', sa.Integer(), nullable=False),
        sa.Column('year_start', sa.Date(), nullable=True),
        sa.Column('year_points', sa.Integer(), nullable=False),
        sa.Column('year_badges', sa.Integer(), nullable=False),
        sa.Column('per_member', sa.Float(), nullable=False),
        sa.Column('month_per_member', sa.Float(), nullable=False),
        sa.Column('year_per_member', sa.Float(), nullable=False),
        sa.ForeignKeyConstraint([key], [f'{parent}.id'], name=op.f(f'fk_{name}_{key}_{parent}'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint(key, name=op.f(f'pk_{name}')),
    )
    op.create_index(f'ix_{name}_board_all', name, ['per_member'], unique=False)
    op.create_index(f'ix_{name}_board_month', name, ['month_start', 'month_per_member'], unique=False)
    op.create_index(f'ix_{name}_board_year', name, ['year_start', 'year_per_member'], unique=False)


def upgrade():
    _group_table('points_school', 'school_id', 'school')
    _group_table('points_plc', 'plc_id', 'plc')
    with op.batch_alter_table('points_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('badges', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('month_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('month_points', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('month_badges', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('year_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('year_points', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('year_badges', sa.Integer(), nullable=False, server_default='0'))
        batch_op.drop_index(batch_op.f('ix_points_account_balance'))
        batch_op.create_index('ix_points_account_board_all', ['leaderboard_opt_in', 'balance'], unique=False)
        batch_op.create_index('ix_points_account_board_month', ['leaderboard_opt_in', 'month_start', 'month_points'],
                              unique=False)
        batch_op.create_index('ix_points_account_board_year', ['leaderboard_opt_in', 'year_start', 'year_points'],
                              unique=False)

    with op.batch_alter_table('review_track', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waiting_kind', sa.String(length=12), nullable=True))
        batch_op.create_index('ix_review_track_waiting', ['waiting_kind', 'entered_at', 'submission_id'], unique=False)

    with op.batch_alter_table('user_role', schema=None) as batch_op:
        batch_op.create_index('ix_user_role_role', ['role', 'user_id'], unique=False)

    op.create_table(
        'badge_earners',
        sa.Column('badge_id', sa.Integer(), nullable=False),
        sa.Column('holders', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['badge_id'], ['badge.id'], name=op.f('fk_badge_earners_badge_id_badge'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('badge_id', name=op.f('pk_badge_earners')),
    )
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.create_index('ix_award_badge_expiring', ['badge_id', 'expires_at', 'user_id'], unique=False)
        batch_op.create_index('ix_award_badge_go_to', ['badge_id', 'go_to', 'revoked_at', 'user_id'], unique=False)

    conn = op.get_bind()
    _fill_points(conn)
    _fill_waiting(conn)
    _fill_earners(conn)


def _fill_points(conn):
    """The totals from the ledger as it stands (the same figures points.standings.rebuild computes)."""
    now = datetime.now(UTC)
    month = date(now.year, now.month, 1)
    year = date(now.year if now.month >= 8 else now.year - 1, 8, 1)
    since = {p: datetime.combine(d, time(0), tzinfo=UTC) for p, d in (("month", month), ("year", year))}
    ledger = sa.table('ledger_entry', sa.column('user_id', sa.Integer), sa.column('kind', sa.String),
                      sa.column('amount', sa.Integer), sa.column('created_at', sa.DateTime(timezone=True)))
    account = sa.table('points_account', sa.column('user_id', sa.Integer), sa.column('balance', sa.Integer),
                       sa.column('badges', sa.Integer), sa.column('month_start', sa.Date),
                       sa.column('year_start', sa.Date), sa.column('leaderboard_opt_in', sa.Boolean),
                       sa.column('updated_at', sa.DateTime(timezone=True)), *(sa.column(c, sa.Integer) for c in TOTALS))
    badge = sa.case((ledger.c.kind == 'award', 1), (ledger.c.kind == 'reversal', -1), else_=0)

    def in_period(period, value):
        return sa.func.coalesce(sa.func.sum(sa.case((ledger.c.created_at >= since[period], value), else_=0)), 0)

    totals = {row[0]: tuple(int(v) for v in row[1:]) for row in conn.execute(sa.select(
        ledger.c.user_id, sa.func.coalesce(sa.func.sum(ledger.c.amount), 0), sa.func.coalesce(sa.func.sum(badge), 0),
        in_period('month', ledger.c.amount), in_period('month', badge),
        in_period('year', ledger.c.amount), in_period('year', badge)).group_by(ledger.c.user_id))}
    have = set(conn.execute(sa.select(account.c.user_id)).scalars())
    missing = [uid for uid in totals if uid not in have]
    if missing:
        conn.execute(account.insert(), [{'user_id': uid, 'balance': 0, 'badges': 0, 'leaderboard_opt_in': False,
                                         'updated_at': now, **{c: 0 for c in TOTALS}} for uid in missing])
    zero = (0,) * 6
    rows = [{'uid': uid, 'b_all': t[0], 'n_all': t[1], 'b_m': t[2], 'n_m': t[3], 'b_y': t[4], 'n_y': t[5]}
            for uid in have | set(totals) for t in [totals.get(uid, zero)]]
    if rows:
        conn.execute(account.update().where(account.c.user_id == sa.bindparam('uid')).values(
            balance=sa.bindparam('b_all'), badges=sa.bindparam('n_all'), month_start=month,
            month_points=sa.bindparam('b_m'), month_badges=sa.bindparam('n_m'), year_start=year,
            year_points=sa.bindparam('b_y'), year_badges=sa.bindparam('n_y')), rows)

    # Schools count their active people, PLCs their memberships; each sums its members' totals.
    user = sa.table('user', sa.column('id', sa.Integer), sa.column('school_id', sa.Integer),
                    sa.column('active', sa.Boolean))
    membership = sa.table('plc_membership', sa.column('plc_id', sa.Integer), sa.column('user_id', sa.Integer))
    school = sa.table('school', sa.column('id', sa.Integer))
    plc = sa.table('plc', sa.column('id', sa.Integer))
    groups = {
        'points_school': ('school_id', list(conn.execute(sa.select(school.c.id)).scalars()),
                          conn.execute(sa.select(user.c.school_id, user.c.id).where(
                              user.c.school_id.is_not(None), user.c.active.is_(True))).all()),
        'points_plc': ('plc_id', list(conn.execute(sa.select(plc.c.id)).scalars()),
                       conn.execute(sa.select(membership.c.plc_id, membership.c.user_id)).all()),
    }
    for name, (key, ids, members) in groups.items():
        sums = {gid: [0] * 7 for gid in ids}
        for gid, uid in members:
            row = sums[gid]
            row[0] += 1
            for i, v in enumerate(totals.get(uid, zero), start=1):
                row[i] += v
        table = sa.table(name, sa.column(key, sa.Integer), sa.column('members', sa.Integer),
                         sa.column('points', sa.Integer), sa.column('badges', sa.Integer),
                         sa.column('month_start', sa.Date), sa.column('year_start', sa.Date),
                         *(sa.column(c, sa.Integer) for c in TOTALS),
                         *(sa.column(c, sa.Float) for c in ('per_member', 'month_per_member', 'year_per_member')))

        def per(points, members):
            return points * 1.0 / members if members > 0 else 0.0

        values = [{key: gid, 'members': s[0], 'points': s[1], 'badges': s[2], 'month_start': month,
                   'month_points': s[3], 'month_badges': s[4], 'year_start': year, 'year_points': s[5],
                   'year_badges': s[6], 'per_member': per(s[1], s[0]), 'month_per_member': per(s[3], s[0]),
                   'year_per_member': per(s[5], s[0])} for gid, s in sums.items()]
        if values:
            conn.execute(table.insert(), values)


def _fill_waiting(conn):
    """Open submissions wait at the kind of their track's current stage."""
    conn.execute(sa.text(
        "UPDATE review_track SET waiting_kind = (SELECT review_stage.kind FROM review_stage "
        "WHERE review_stage.chain_id = review_track.chain_id AND review_stage.position = review_track.position) "
        "WHERE submission_id IN (SELECT id FROM submission WHERE state IN ('submitted', 'in_review'))"))


def _fill_earners(conn):
    conn.execute(sa.text(
        "INSERT INTO badge_earners (badge_id, holders) SELECT badge.id, (SELECT count(DISTINCT award.user_id) "
        "FROM award WHERE award.badge_id = badge.id AND award.revoked_at IS NULL AND award.expires_at IS NULL) "
        "FROM badge"))


def downgrade():
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.drop_index('ix_award_badge_go_to')
        batch_op.drop_index('ix_award_badge_expiring')
    op.drop_table('badge_earners')

    with op.batch_alter_table('user_role', schema=None) as batch_op:
        batch_op.drop_index('ix_user_role_role')

    with op.batch_alter_table('review_track', schema=None) as batch_op:
        batch_op.drop_index('ix_review_track_waiting')
        batch_op.drop_column('waiting_kind')

    with op.batch_alter_table('points_account', schema=None) as batch_op:
        batch_op.drop_index('ix_points_account_board_year')
        batch_op.drop_index('ix_points_account_board_month')
        batch_op.drop_index('ix_points_account_board_all')
        batch_op.create_index(batch_op.f('ix_points_account_balance'), ['balance'], unique=False)
        batch_op.drop_column('year_badges')
        batch_op.drop_column('year_points')
        batch_op.drop_column('year_start')
        batch_op.drop_column('month_badges')
        batch_op.drop_column('month_points')
        batch_op.drop_column('month_start')
        batch_op.drop_column('badges')

    for name in ('points_plc', 'points_school'):
        for board in ('all', 'month', 'year'):
            op.drop_index(f'ix_{name}_board_{board}', table_name=name)
        op.drop_table(name)
