"""report speed (issue 8 follow-up): attempts carry their teacher and badge; covering indexes for reports

- attempt.user_id and attempt.badge_id: copies of the submission's teacher and badge (a submission never
  changes either; evidence.models.Submission copies them onto each attempt it is given). With them the
  dashboard counts the people who sent evidence, and "not yet" decisions per badge, from the attempt
  indexes alone instead of visiting one submission row per attempt (about 45,000 a school year at 10,000
  teachers). This migration fills them from the submissions.
- attempt(submitted_at, user_id, badge_id) and attempt(decided_at, outcome, submitted_at, badge_id, user_id)
  replace the two attempt indexes of 0013, which carried the submission id for that visit.
- survey_participation(survey_id, submitted, user_id): the answers to a survey are counted from the index
  (the reports' response rates, the pilot dashboard) instead of from every participation row.
- review_stage_visit(left_at, kind, entered_at, submission_id): the work waiting at each kind of stage in
  the order it arrived, so the dashboard reads the longest, median and 90th-percentile waits by their
  position in the index instead of ranking every open visit (and a school's, from the index alone).

At 10,000 teachers on SQLite a full school year's dashboard goes from about 270 to about 110 ms.

Revision ID: 0014_report_speed
Revises: 0013_reports
Create Date: 2026-11-30 04:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014_report_speed'
down_revision = '0013_reports'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('badge_id', sa.Integer(), nullable=True))

    attempt = sa.table('attempt', sa.column('submission_id', sa.Integer), sa.column('user_id', sa.Integer),
                       sa.column('badge_id', sa.Integer))
    submission = sa.table('submission', sa.column('id', sa.Integer), sa.column('user_id', sa.Integer),
                          sa.column('badge_id', sa.Integer))

    def of_submission(column):
        return (sa.select(column).where(submission.c.id == attempt.c.submission_id).scalar_subquery())

    op.get_bind().execute(attempt.update().values(user_id=of_submission(submission.c.user_id),
                                                  badge_id=of_submission(submission.c.badge_id)))

    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('badge_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_attempt_user_id_user'), 'user', ['user_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_attempt_badge_id_badge'), 'badge', ['badge_id'], ['id'],
                                    ondelete='RESTRICT')
        batch_op.drop_index('ix_attempt_submitted_at')
        batch_op.drop_index('ix_attempt_decided_at')
        batch_op.create_index('ix_attempt_submitted_at', ['submitted_at', 'user_id', 'badge_id'], unique=False)
        batch_op.create_index('ix_attempt_decided_at', ['decided_at', 'outcome', 'submitted_at', 'badge_id',
                                                        'user_id'], unique=False)

    with op.batch_alter_table('survey_participation', schema=None) as batch_op:
        batch_op.create_index('ix_survey_participation_submitted', ['survey_id', 'submitted', 'user_id'],
                              unique=False)

    with op.batch_alter_table('review_stage_visit', schema=None) as batch_op:
        batch_op.create_index('ix_review_stage_visit_waiting', ['left_at', 'kind', 'entered_at', 'submission_id'],
                                unique=False)


def downgrade():
    with op.batch_alter_table('review_stage_visit', schema=None) as batch_op:
        batch_op.drop_index('ix_review_stage_visit_waiting')

    with op.batch_alter_table('survey_participation', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_participation_submitted')

    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_decided_at')
        batch_op.drop_index('ix_attempt_submitted_at')
        batch_op.drop_constraint(batch_op.f('fk_attempt_badge_id_badge'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_attempt_user_id_user'), type_='foreignkey')
        batch_op.drop_column('badge_id')
        batch_op.drop_column('user_id')
        batch_op.create_index('ix_attempt_submitted_at', ['submitted_at', 'submission_id'], unique=False)
        batch_op.create_index('ix_attempt_decided_at', ['decided_at', 'outcome', 'submitted_at', 'submission_id'],
                              unique=False)
