"""pilot evaluation: a survey set is anonymous or identified as a whole

- survey_set.anonymous: every survey of a set is anonymous, or every one is identified. Existing sets are
  identified when all their surveys are identified, and anonymous otherwise (an anonymous set keeps its
  shared pseudonyms; an identified survey never shares them).
- The responses of identified surveys that sit in a set used the set's shared pseudonym, which could link
  a named answer to the set's anonymous ones. They get a pseudonym of their own (their random id), so
  nothing matches them across the set; an identified response is found by its person anyway.

- pilot_member's primary key becomes (pilot_id, user_id, role): reviewing is a part of its own, so a
  coach in the cohort (through a PLC) who is also ticked as a reviewer keeps both.
- survey.audience_pilot_role: a pilot survey goes to every member ("") or to one part. The educator
  pre/mid/post surveys already made from the template go to the cohort's teachers only.

- survey_question.show_if_key / show_if_value: skip logic (a question asked only after a given answer to an
  earlier one). Existing questions are always asked.

The downgrade drops the columns (keeping one row per person in a pilot, the teacher one first); the pseudonyms given to identified responses stay (they are unique).

Revision ID: 0019_pilot_evaluation
Revises: 0018_hardening
Create Date: 2026-12-07 15:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019_pilot_evaluation'
down_revision = '0018_hardening'
branch_labels = None
depends_on = None

survey_set = sa.table('survey_set', sa.column('id', sa.Integer), sa.column('anonymous', sa.Boolean))
survey = sa.table('survey', sa.column('id', sa.Integer), sa.column('set_id', sa.Integer),
                  sa.column('anonymous', sa.Boolean))
survey_roles = sa.table('survey', sa.column('audience', sa.String), sa.column('template_key', sa.String),
                        sa.column('audience_pilot_role', sa.String))
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

    # pilot_member is a leaf (no foreign key points at it), so SQLite's table copy loses nothing.
    with op.batch_alter_table('pilot_member', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint('pk_pilot_member', type_='primary')
        batch_op.create_primary_key('pk_pilot_member', ['pilot_id', 'user_id', 'role'])

    # A plain ADD COLUMN: a batch copy of survey would cascade-delete its questions and answers on SQLite.
    op.add_column('survey', sa.Column('audience_pilot_role', sa.String(length=10), nullable=False,
                                      server_default=''))
    bind.execute(survey_roles.update().where(survey_roles.c.audience == 'pilot',
                                             survey_roles.c.template_key.like('educator_%'))
                 .values(audience_pilot_role='teacher'))

    # Plain ADD COLUMNs: survey_answer points at survey_question with ON DELETE CASCADE.
    op.add_column('survey_question', sa.Column('show_if_key', sa.String(length=80), nullable=False,
                                               server_default=''))
    op.add_column('survey_question', sa.Column('show_if_value', sa.Integer(), nullable=True))


def downgrade():
    op.drop_column('survey_question', 'show_if_value')
    op.drop_column('survey_question', 'show_if_key')
    op.drop_column('survey', 'audience_pilot_role')
    # One row per person again: the reviewer row of anyone also in the cohort goes.
    op.get_bind().execute(sa.text(
        "DELETE FROM pilot_member WHERE role = 'reviewer' AND EXISTS (SELECT 1 FROM pilot_member AS other "
        "WHERE other.pilot_id = pilot_member.pilot_id AND other.user_id = pilot_member.user_id "
        "AND other.role = 'teacher')"))
    with op.batch_alter_table('pilot_member', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint('pk_pilot_member', type_='primary')
        batch_op.create_primary_key('pk_pilot_member', ['pilot_id', 'user_id'])
    op.drop_column('survey_set', 'anonymous')  # SQLite 3.35+ drops a column in place
