"""review integrity: a badge may allow a holistic "meets", and a review keeps the reason for one

- badge.allow_holistic (false for every existing badge: the decision rule applies strictly unless the PD
  office allows a holistic judgement for a badge).
- review.holistic_reason (empty for every existing review).
- review_anchor.agreed_levels: the scores agreed for an exemplar (NULL for existing anchors: their review's
  scores count), review_calibration (a reviewer's blind scores of an exemplar), review_double_scoring (the
  share of a badge's live submissions given a second blind score) and review_second_score.

Existing awards and reviews are left as they are; the PD office's report lists past awards whose scores
disagree with their decision.

Revision ID: 0016_review_integrity
Revises: 0015_one_review_stage
Create Date: 2026-12-07 15:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016_review_integrity'
down_revision = '0015_one_review_stage'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE ... ADD COLUMN on both databases (no batch copy of the badge table, see downgrade).
    op.add_column('badge', sa.Column('allow_holistic', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('review', sa.Column('holistic_reason', sa.Text(), nullable=False, server_default=''))
    op.add_column('review_anchor', sa.Column('agreed_levels', sa.JSON(), nullable=True))
    op.create_table('review_calibration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('anchor_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['anchor_id'], ['review_anchor.id'], name=op.f('fk_review_calibration_anchor_id_review_anchor'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_review_calibration_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_calibration'))
    )
    with op.batch_alter_table('review_calibration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_calibration_anchor_id'), ['anchor_id'], unique=False)
        batch_op.create_index('ix_review_calibration_user', ['user_id', 'scored_at'], unique=False)
    op.create_table('review_double_scoring',
    sa.Column('badge_id', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.CheckConstraint('percent BETWEEN 0 AND 100', name=op.f('ck_review_double_scoring_percent_range')),
    sa.ForeignKeyConstraint(['badge_id'], ['badge.id'], name=op.f('fk_review_double_scoring_badge_id_badge'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('badge_id', name=op.f('pk_review_double_scoring'))
    )
    op.create_table('review_second_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('attempt_number', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_review_second_score_submission_id_submission'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_review_second_score_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_second_score')),
    sa.UniqueConstraint('submission_id', 'attempt_number', 'user_id', name=op.f('uq_review_second_score_submission_id_attempt_number_user_id'))
    )
    with op.batch_alter_table('review_second_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_second_score_submission_id'), ['submission_id'], unique=False)


def downgrade():
    op.drop_table('review_second_score')
    op.drop_table('review_double_scoring')
    op.drop_table('review_calibration')
    # A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ has it): a batch copy would drop and recreate the badge
    # table, which the rows of every table referring to it forbid while foreign keys are on.
    for table, column in (('review_anchor', 'agreed_levels'), ('review', 'holistic_reason'), ('badge', 'allow_holistic')):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
        else:
            op.drop_column(table, column)
