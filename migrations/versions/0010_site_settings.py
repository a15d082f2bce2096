"""site settings

Revision ID: 0010_site_settings
Revises: 0009_notifications
Create Date: 2026-11-23

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_site_settings'
down_revision = '0009_notifications'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('site_setting',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.JSON(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_site_setting_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_site_setting'))
    )


def downgrade():
    op.drop_table('site_setting')
