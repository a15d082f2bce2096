"""pilot evaluation: a survey set is anonymous or identified as a whole

- survey_set.anonymous: every survey of a set is anonymous, or every one is identified. Existing sets are
  identified when all their surveys are identified, and anonymous otherwise (an anonymous set keeps its
  shared pseudonyms; an identified survey never shares them).
- The responses of identified surveys that sit in a set used the set's shared pseudonym, which could link
  a named answer to the set's anonymous ones. They get a pseudonym of their own (their random id), so
  nothing matches them across the set; an identified response is found by its person anyway.

The downgrade drops the column; the pseudonyms given to identified responses stay (they are unique).

Revision ID: 0019_pilot_evaluation
Revises: 0016_review_integrity
Create Date: 2026-12-07 15:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019_pilot_evaluation'
down_revision = '0016_review_integrity'
branch_labels = None
depends_on = None

survey_set = sa.table('survey_set', sa.column('id', sa.Integer), sa.column('anonymous', sa.Boolean))
survey = sa.table('survey', sa.column('id', sa.Integer), sa.column('set_id', sa.Integer),
                  sa.column('anonymous', sa.Boolean))
survey_response = sa.table('survey_response', sa.column('id', sa.String), sa.column('survey_id', sa.Integer),
                           sa.column('pseudonym', sa.String))


def upgrade():
    # A plain ADD COLUMN, never a batch copy: on SQLite, dropping the old survey_set table would fire
    # survey.set_id's ON DELETE SET NULL and take every survey out of its set.
    op.add_column('survey_set', sa.Column('anonymous', sa.Boolean(), nullable=False, server_default=sa.true()))

    bind = op.get_bind()
    has_surveys = sa.exists().where(survey.c.set_id == survey_set.c.id)
    has_anonymous = sa.exists().where(survey.c.set_id == survey_set.c.id, survey.c.anonymous.is_(True))
    bind.execute(survey_set.update().where(has_surveys, ~has_anonymous).values(anonymous=False))

    identified_in_a_set = sa.select(survey.c.id).where(survey.c.set_id.is_not(None), survey.c.anonymous.is_(False))
    bind.execute(survey_response.update().where(survey_response.c.survey_id.in_(identified_in_a_set))
                 .values(pseudonym=survey_response.c.id))


def downgrade():
    op.drop_column('survey_set', 'anonymous')  # SQLite 3.35+ drops a column in place
