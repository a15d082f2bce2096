"""review integrity: a badge may allow a holistic "meets", and a review keeps the reason for one

- badge.allow_holistic (false for every existing badge: the decision rule applies strictly unless the PD
  office allows a holistic judgement for a badge).
- review.holistic_reason (empty for every existing review).

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


def downgrade():
    # A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ has it): a batch copy would drop and recreate the badge
    # table, which the rows of every table referring to it forbid while foreign keys are on.
    for table, column in (('review', 'holistic_reason'), ('badge', 'allow_holistic')):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
        else:
            op.drop_column(table, column)
