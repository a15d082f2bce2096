"""credential conformance: outside credentials teachers bring, with what was checked and when

- credential_outside: one row per credential from another issuer (or a Milepost one) that a teacher added
  to their record or to one of their submissions as evidence: what was brought, the outcome (valid,
  revoked, expired, refused), the issuer and achievement it names, every check made, and when.
- The signing keys need no change: credential_signing_key.algorithm already tells an RS256 key (VC-JWTs)
  from an Ed25519 one (EdDSA, the embedded Data Integrity proofs).

Revision ID: 0017_credential_conformance
Revises: 0016_review_integrity
Create Date: 2026-12-07 15:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017_credential_conformance'
down_revision = '0016_review_integrity'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'credential_outside',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=True),
        sa.Column('format', sa.String(length=60), nullable=False),
        sa.Column('original', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('issuer_id', sa.String(length=500), nullable=False),
        sa.Column('issuer_name', sa.String(length=300), nullable=False),
        sa.Column('achievement', sa.String(length=300), nullable=False),
        sa.Column('checks', sa.JSON(), nullable=False),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('valid', 'revoked', 'expired', 'refused')",
                           name=op.f('ck_credential_outside_known_status')),
        sa.ForeignKeyConstraint(['submission_id'], ['submission.id'],
                                name=op.f('fk_credential_outside_submission_id_submission'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_credential_outside_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_credential_outside')),
    )
    with op.batch_alter_table('credential_outside', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credential_outside_submission_id'), ['submission_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credential_outside_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('credential_outside', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credential_outside_user_id'))
        batch_op.drop_index(batch_op.f('ix_credential_outside_submission_id'))
    op.drop_table('credential_outside')
