"""one review stage: submission.stage is the only record of where a submission is in its review chain

- submission.stage now holds the stage from the moment a submission is sent, and keeps the stage that decided
  it (it used to be set only while the submission was in review, and review_track.position kept a second
  count). It is filled from review_track.position for every submission that has a track.
- review_track.position and its index ix_review_track_position are dropped: the review chain's queries join
  review_stage on submission.stage instead. ix_review_track_chain (chain_id) takes the old index's other use:
  saving or removing a chain finds its tracks by it.

The downgrade restores the column and its index from submission.stage (stage 1 where there is none), and
clears submission.stage outside review again, as it was kept before.

Revision ID: 0015_one_review_stage
Revises: 0014_report_speed
Create Date: 2026-12-02 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015_one_review_stage'
down_revision = '0014_report_speed'
branch_labels = None
depends_on = None

submission = sa.table('submission', sa.column('id', sa.Integer), sa.column('state', sa.String),
                      sa.column('stage', sa.Integer))
review_track = sa.table('review_track', sa.column('submission_id', sa.Integer), sa.column('position', sa.Integer))


def upgrade():
    position = (sa.select(review_track.c.position).where(review_track.c.submission_id == submission.c.id)
                .scalar_subquery())
    has_track = sa.exists().where(review_track.c.submission_id == submission.c.id)
    op.get_bind().execute(submission.update().where(has_track).values(stage=position))

    with op.batch_alter_table('review_track', schema=None) as batch_op:
        batch_op.drop_index('ix_review_track_position')
        batch_op.drop_column('position')
        batch_op.create_index('ix_review_track_chain', ['chain_id'], unique=False)


def downgrade():
    with op.batch_alter_table('review_track', schema=None) as batch_op:
        batch_op.drop_index('ix_review_track_chain')
        batch_op.add_column(sa.Column('position', sa.Integer(), nullable=True))

    stage = (sa.select(sa.func.coalesce(submission.c.stage, 1)).where(submission.c.id == review_track.c.submission_id)
             .scalar_subquery())
    op.get_bind().execute(review_track.update().values(position=stage))
    op.get_bind().execute(submission.update().where(submission.c.state != 'in_review').values(stage=None))

    with op.batch_alter_table('review_track', schema=None) as batch_op:
        batch_op.alter_column('position', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index('ix_review_track_position', ['chain_id', 'position'], unique=False)
