"""hardening: secrets sealed at rest, and the two-factor set-up secret kept server-side

- signin_provider.client_secret (now up to 1000 characters) and signin_totp.secret (up to 255) hold values
  sealed with the SEALING_KEYS setting (milepost.core.sealing); every value already stored is sealed here.
- signin_totp_setup: the sealed secret of an authenticator being set up (it used to ride in the session cookie).

The downgrade opens the sealed values again (with the same settings), shrinks the columns back and drops the
set-up table (a set-up under way starts again).

Revision ID: 0018_hardening
Revises: 0017_credential_conformance
Create Date: 2026-12-07 15:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

from milepost.core import sealing

# revision identifiers, used by Alembic.
revision = '0018_hardening'
down_revision = '0017_credential_conformance'
branch_labels = None
depends_on = None

SEALED = [('signin_provider', ['id'], 'client_secret'), ('signin_totp', ['user_id'], 'secret')]


def upgrade():
    with op.batch_alter_table('signin_provider', schema=None) as batch_op:
        batch_op.alter_column('client_secret', existing_type=sa.String(length=500), type_=sa.String(length=1000),
                              existing_nullable=False)
    with op.batch_alter_table('signin_totp', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=64), type_=sa.String(length=255),
                              existing_nullable=False)
    op.create_table(
        'signin_totp_setup',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('secret', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_signin_totp_setup_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_signin_totp_setup')),
    )
    conn = op.get_bind()
    for table, keys, column in SEALED:
        sealing.reseal_column(conn, table, keys, column)


def downgrade():
    conn = op.get_bind()
    for table, keys, column in SEALED:
        rows = sa.table(table, *(sa.column(k) for k in keys), sa.column(column, sa.String))
        for row in conn.execute(sa.select(*rows.c)).all():
            value = row._mapping[column]
            if sealing.is_sealed(value):
                conn.execute(rows.update().where(*(rows.c[k] == row._mapping[k] for k in keys))
                             .values({column: sealing.unseal(value)}))
    op.drop_table('signin_totp_setup')
    with op.batch_alter_table('signin_totp', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=255), type_=sa.String(length=64),
                              existing_nullable=False)
    with op.batch_alter_table('signin_provider', schema=None) as batch_op:
        batch_op.alter_column('client_secret', existing_type=sa.String(length=1000), type_=sa.String(length=500),
                              existing_nullable=False)
