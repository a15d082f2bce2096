"""evidence: submissions, attempts, items, files

Revision ID: 0003_evidence
Revises: 0002_badges
Create Date: 2026-11-23

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003_evidence'
down_revision = '0002_badges'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_file',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('mime', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_stored_file'))
    )
    op.create_table('submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('badge_id', sa.Integer(), nullable=False),
    sa.Column('badge_version_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=True),
    sa.Column('attempt_number', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('draft', 'submitted', 'in_review', 'returned', 'awarded', 'withdrawn')", name=op.f('ck_submission_known_state')),
    sa.ForeignKeyConstraint(['badge_id'], ['badge.id'], name=op.f('fk_submission_badge_id_badge'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['badge_version_id'], ['badge_version.id'], name=op.f('fk_submission_badge_version_id_badge_version'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_submission_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission')),
    sa.UniqueConstraint('user_id', 'badge_id', name=op.f('uq_submission_user_id_badge_id'))
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_badge_id'), ['badge_id'], unique=False)
        batch_op.create_index('ix_submission_state_badge', ['state', 'badge_id'], unique=False)

    op.create_table('attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('privacy_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=12), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_attempt_decided_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_attempt_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt')),
    sa.UniqueConstraint('submission_id', 'number', name=op.f('uq_attempt_submission_id_number'))
    )
    op.create_table('submission_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('attempt_number', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.String(length=12), nullable=True),
    sa.Column('to_state', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_submission_event_actor_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_submission_event_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_event'))
    )
    with op.batch_alter_table('submission_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_event_submission_id'), ['submission_id'], unique=False)

    op.create_table('evidence_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('prompt_index', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=True),
    sa.Column('filename', sa.String(length=160), nullable=False),
    sa.Column('student_info', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('text', 'file', 'link')", name=op.f('ck_evidence_item_known_kind')),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id'], name=op.f('fk_evidence_item_attempt_id_attempt'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['file_sha256'], ['stored_file.sha256'], name=op.f('fk_evidence_item_file_sha256_stored_file'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_item'))
    )
    with op.batch_alter_table('evidence_item', schema=None) as batch_op:
        batch_op.create_index('ix_evidence_item_attempt_prompt', ['attempt_id', 'prompt_index'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_item_file_sha256'), ['file_sha256'], unique=False)

    op.create_table('chunked_upload',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('prompt_index', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('received', sa.BigInteger(), nullable=False),
    sa.Column('student_info', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_item_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['completed_item_id'], ['evidence_item.id'], name=op.f('fk_chunked_upload_completed_item_id_evidence_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_chunked_upload_submission_id_submission'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_chunked_upload_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chunked_upload'))
    )
    with op.batch_alter_table('chunked_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chunked_upload_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('chunked_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chunked_upload_user_id'))

    op.drop_table('chunked_upload')
    with op.batch_alter_table('evidence_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_item_file_sha256'))
        batch_op.drop_index('ix_evidence_item_attempt_prompt')

    op.drop_table('evidence_item')
    with op.batch_alter_table('submission_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_event_submission_id'))

    op.drop_table('submission_event')
    op.drop_table('attempt')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_state_badge')
        batch_op.drop_index(batch_op.f('ix_submission_badge_id'))

    op.drop_table('submission')
    op.drop_table('stored_file')
