"""pilots and surveys: pilots with their cohort and badges, surveys and questions, pre/mid/post and
pulse sets with their pseudonym keys, participation markers, responses and answers

Revision ID: 0006_surveys
Revises: 0005_awards
Create Date: 2026-11-23

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006_surveys'
down_revision = '0005_awards'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pilot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('goals', sa.Text(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_pilot_dates_in_order')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_pilot_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pilot')),
    sa.UniqueConstraint('name', name=op.f('uq_pilot_name'))
    )
    op.create_table('pilot_badge',
    sa.Column('pilot_id', sa.Integer(), nullable=False),
    sa.Column('badge_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['badge_id'], ['badge.id'], name=op.f('fk_pilot_badge_badge_id_badge'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'], name=op.f('fk_pilot_badge_pilot_id_pilot'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pilot_id', 'badge_id', name=op.f('pk_pilot_badge'))
    )
    with op.batch_alter_table('pilot_badge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pilot_badge_badge_id'), ['badge_id'], unique=False)

    op.create_table('pilot_member',
    sa.Column('pilot_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.CheckConstraint("role IN ('teacher', 'reviewer')", name=op.f('ck_pilot_member_known_role')),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'], name=op.f('fk_pilot_member_pilot_id_pilot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_pilot_member_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pilot_id', 'user_id', name=op.f('pk_pilot_member'))
    )
    with op.batch_alter_table('pilot_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pilot_member_user_id'), ['user_id'], unique=False)

    op.create_table('survey_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('pilot_id', sa.Integer(), nullable=True),
    sa.Column('pseudonym_key', sa.String(length=64), nullable=True),
    sa.Column('pulse_days_open', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('waves', 'pulse')", name=op.f('ck_survey_set_known_kind')),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'], name=op.f('fk_survey_set_pilot_id_pilot'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_set'))
    )
    with op.batch_alter_table('survey_set', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_set_pilot_id'), ['pilot_id'], unique=False)

    op.create_table('survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('audience', sa.String(length=10), nullable=False),
    sa.Column('audience_role', sa.String(length=20), nullable=True),
    sa.Column('audience_school_id', sa.Integer(), nullable=True),
    sa.Column('pilot_id', sa.Integer(), nullable=True),
    sa.Column('set_id', sa.Integer(), nullable=True),
    sa.Column('wave', sa.String(length=20), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('own_key', sa.String(length=64), nullable=True),
    sa.Column('template_key', sa.String(length=40), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("audience IN ('pilot', 'role', 'school', 'everyone')", name=op.f('ck_survey_known_audience')),
    sa.CheckConstraint("status IN ('draft', 'published', 'template')", name=op.f('ck_survey_known_status')),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_survey_window_in_order')),
    sa.ForeignKeyConstraint(['audience_school_id'], ['school.id'], name=op.f('fk_survey_audience_school_id_school'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_survey_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'], name=op.f('fk_survey_pilot_id_pilot'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['set_id'], ['survey_set.id'], name=op.f('fk_survey_set_id_survey_set'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey'))
    )
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_pilot_id'), ['pilot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_set_id'), ['set_id'], unique=False)
        batch_op.create_index('ix_survey_status_window', ['status', 'opens_at', 'closes_at'], unique=False)

    op.create_table('survey_participation',
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('submitted', sa.Boolean(), nullable=False),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_participation_survey_id_survey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_survey_participation_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('survey_id', 'user_id', name=op.f('pk_survey_participation'))
    )
    with op.batch_alter_table('survey_participation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_participation_user_id'), ['user_id'], unique=False)

    op.create_table('survey_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('prompt', sa.String(length=500), nullable=False),
    sa.Column('help', sa.Text(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('eval_level', sa.String(length=10), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('indicators', sa.JSON(), nullable=False),
    sa.Column('min_value', sa.Float(), nullable=True),
    sa.Column('max_value', sa.Float(), nullable=True),
    sa.Column('retrospective', sa.Boolean(), nullable=False),
    sa.CheckConstraint("eval_level = '' OR eval_level IN ('reaction', 'learning', 'support', 'use', 'outcomes')", name=op.f('ck_survey_question_known_eval_level')),
    sa.CheckConstraint("kind IN ('section', 'likert', 'single', 'multiple', 'short_text', 'long_text', 'number', 'rubric')", name=op.f('ck_survey_question_known_kind')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_question_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_question'))
    )
    with op.batch_alter_table('survey_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_question_survey_id'), ['survey_id'], unique=False)

    op.create_table('survey_response',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('pseudonym', sa.String(length=64), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('roles', sa.String(length=120), nullable=False),
    sa.Column('submitted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_survey_response_school_id_school'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_response_survey_id_survey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_survey_response_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response')),
    sa.UniqueConstraint('survey_id', 'pseudonym', name=op.f('uq_survey_response_survey_id_pseudonym'))
    )
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_response_survey_id'), ['survey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_response_user_id'), ['user_id'], unique=False)

    op.create_table('survey_answer',
    sa.Column('response_id', sa.String(length=32), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['survey_question.id'], name=op.f('fk_survey_answer_question_id_survey_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['survey_response.id'], name=op.f('fk_survey_answer_response_id_survey_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'question_id', name=op.f('pk_survey_answer'))
    )
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_answer_question_id'), ['question_id'], unique=False)


def downgrade():
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_answer_question_id'))

    op.drop_table('survey_answer')
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_response_user_id'))
        batch_op.drop_index(batch_op.f('ix_survey_response_survey_id'))

    op.drop_table('survey_response')
    with op.batch_alter_table('survey_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_question_survey_id'))

    op.drop_table('survey_question')
    with op.batch_alter_table('survey_participation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_participation_user_id'))

    op.drop_table('survey_participation')
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_status_window')
        batch_op.drop_index(batch_op.f('ix_survey_set_id'))
        batch_op.drop_index(batch_op.f('ix_survey_pilot_id'))

    op.drop_table('survey')
    with op.batch_alter_table('survey_set', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_set_pilot_id'))

    op.drop_table('survey_set')
    with op.batch_alter_table('pilot_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pilot_member_user_id'))

    op.drop_table('pilot_member')
    with op.batch_alter_table('pilot_badge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pilot_badge_badge_id'))

    op.drop_table('pilot_badge')
    op.drop_table('pilot')
