"""badge catalogue: strands, badges, prompts, rubric criteria, tags, prerequisites, versions, collections

Revision ID: 0002_badges
Revises: 0001_foundation
Create Date: 2026-11-23

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0002_badges'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('badge_collection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badge_collection')),
    sa.UniqueConstraint('slug', name=op.f('uq_badge_collection_slug'))
    )
    op.create_table('strand',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_strand')),
    sa.UniqueConstraint('slug', name=op.f('uq_strand_slug'))
    )
    op.create_table('badge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('competency', sa.Text(), nullable=False),
    sa.Column('key_method', sa.Text(), nullable=False),
    sa.Column('research', sa.Text(), nullable=False),
    sa.Column('resources', sa.Text(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('credit_hours', sa.Numeric(precision=6, scale=2, asdecimal=False), nullable=False),
    sa.Column('strand_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('estimated_time', sa.String(length=60), nullable=False),
    sa.Column('rubric_levels', sa.JSON(), nullable=False),
    sa.Column('meets_level', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('image_sha256', sa.String(length=64), nullable=True),
    sa.Column('image_type', sa.String(length=20), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('practice', 'outside_learning')", name=op.f('ck_badge_known_kind')),
    sa.CheckConstraint("status IN ('draft', 'published', 'retired')", name=op.f('ck_badge_known_status')),
    sa.CheckConstraint('credit_hours >= 0', name=op.f('ck_badge_hours_not_negative')),
    sa.CheckConstraint('level BETWEEN 1 AND 3', name=op.f('ck_badge_level_range')),
    sa.CheckConstraint('points >= 0', name=op.f('ck_badge_points_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_badge_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['strand_id'], ['strand.id'], name=op.f('fk_badge_strand_id_strand'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badge')),
    sa.UniqueConstraint('slug', name=op.f('uq_badge_slug'))
    )
    with op.batch_alter_table('badge', schema=None) as batch_op:
        batch_op.create_index('ix_badge_status_strand', ['status', 'strand_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_badge_strand_id'), ['strand_id'], unique=False)

    op.create_table('badge_collection_entry',
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.Column('badge_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['badge_id'], ['badge.id'], name=op.f('fk_badge_collection_entry_badge_id_badge'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['collection_id'], ['badge_collection.id'], name=op.f('fk_badge_collection_entry_collection_id_badge_collection'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('collection_id', 'badge_id', name=op.f('pk_badge_collection_entry'))
    )
    with op.batch_alter_table('badge_collection_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badge_collection_entry_badge_id'), ['badge_id'], unique=False)

    op.create_table('badge_prerequisite',
    sa.Column('badge_id', sa.Integer(), nullable=False),
    sa.Column('prerequisite_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('badge_id <> prerequisite_id', name=op.f('ck_badge_prerequisite_not_itself')),
    sa.ForeignKeyConstraint(['badge_id'], ['badge.id'], name=op.f('fk_badge_prerequisite_badge_id_badge'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['prerequisite_id'], ['badge.id'], name=op.f('fk_badge_prerequisite_prerequisite_id_badge'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('badge_id', 'prerequisite_id', name=op.f('pk_badge_prerequisite'))
    )
    with op.batch_alter_table('badge_prerequisite', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badge_prerequisite_prerequisite_id'), ['prerequisite_id'], unique=False)

    op.create_table('badge_prompt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('badge_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('guidance', sa.Text(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('text', 'file', 'link')", name=op.f('ck_badge_prompt_known_kind')),
    sa.ForeignKeyConstraint(['badge_id'], ['badge.id'], name=op.f('fk_badge_prompt_badge_id_badge'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badge_prompt'))
    )
    with op.batch_alter_table('badge_prompt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badge_prompt_badge_id'), ['badge_id'], unique=False)

    op.create_table('badge_tag',
    sa.Column('badge_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['badge_id'], ['badge.id'], name=op.f('fk_badge_tag_badge_id_badge'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('badge_id', 'tag', name=op.f('pk_badge_tag'))
    )
    with op.batch_alter_table('badge_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badge_tag_tag'), ['tag'], unique=False)

    op.create_table('badge_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('badge_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['badge_id'], ['badge.id'], name=op.f('fk_badge_version_badge_id_badge'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_badge_version_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badge_version')),
    sa.UniqueConstraint('badge_id', 'number', name=op.f('uq_badge_version_badge_id_number'))
    )
    with op.batch_alter_table('badge_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badge_version_badge_id'), ['badge_id'], unique=False)

    op.create_table('rubric_criterion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('badge_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('descriptions', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['badge_id'], ['badge.id'], name=op.f('fk_rubric_criterion_badge_id_badge'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rubric_criterion'))
    )
    with op.batch_alter_table('rubric_criterion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rubric_criterion_badge_id'), ['badge_id'], unique=False)


def downgrade():
    # Dropping a table drops its indexes; children before parents.
    for table in ("rubric_criterion", "badge_version", "badge_tag", "badge_prompt", "badge_prerequisite",
                  "badge_collection_entry", "badge", "strand", "badge_collection"):
        op.drop_table(table)
