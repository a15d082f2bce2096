"""district sign-in and two-factor: OpenID Connect providers and links, the password policy,
break-glass site admins, TOTP credentials and recovery codes

Revision ID: 0004_signin
Revises: 0003_evidence
Create Date: 2026-11-23

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004_signin'
down_revision = '0003_evidence'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signin_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('local_passwords', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_signin_policy_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signin_policy'))
    )
    op.create_table('signin_provider',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('client_secret', sa.String(length=500), nullable=False),
    sa.Column('allowed_domains', sa.Text(), nullable=False),
    sa.Column('create_accounts', sa.Boolean(), nullable=False),
    sa.Column('trust_unverified_email_claim', sa.Boolean(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('google', 'microsoft', 'oidc')", name=op.f('ck_signin_provider_known_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signin_provider')),
    sa.UniqueConstraint('slug', name=op.f('uq_signin_provider_slug'))
    )
    op.create_table('signin_break_glass',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_signin_break_glass_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_signin_break_glass'))
    )
    op.create_table('signin_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['signin_provider.id'], name=op.f('fk_signin_identity_provider_id_signin_provider'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_signin_identity_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signin_identity')),
    sa.UniqueConstraint('provider_id', 'subject', name=op.f('uq_signin_identity_provider_id_subject'))
    )
    with op.batch_alter_table('signin_identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signin_identity_user_id'), ['user_id'], unique=False)

    op.create_table('signin_recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_signin_recovery_code_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signin_recovery_code'))
    )
    with op.batch_alter_table('signin_recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signin_recovery_code_user_id'), ['user_id'], unique=False)

    op.create_table('signin_totp',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.String(length=64), nullable=False),
    sa.Column('last_counter', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_signin_totp_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_signin_totp'))
    )


def downgrade():
    op.drop_table('signin_totp')
    with op.batch_alter_table('signin_recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signin_recovery_code_user_id'))

    op.drop_table('signin_recovery_code')
    with op.batch_alter_table('signin_identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signin_identity_user_id'))

    op.drop_table('signin_identity')
    op.drop_table('signin_break_glass')
    op.drop_table('signin_provider')
    op.drop_table('signin_policy')
