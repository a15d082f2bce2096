"""awards, points ledger, degree tiers, rewards

Revision ID: 0005_awards
Revises: 0004_signin
Create Date: 2026-11-23

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005_awards'
down_revision = '0004_signin'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('degree_tier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('min_credit_hours', sa.Numeric(precision=7, scale=2, asdecimal=False), nullable=False),
    sa.Column('min_strands', sa.Integer(), nullable=False),
    sa.Column('badges_per_strand', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('threshold >= 0', name=op.f('ck_degree_tier_threshold_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_degree_tier')),
    sa.UniqueConstraint('name', name=op.f('uq_degree_tier_name'))
    )
    op.create_table('reward',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('points_needed', sa.Integer(), nullable=True),
    sa.Column('tier_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tier_id'], ['degree_tier.id'], name=op.f('fk_reward_tier_id_degree_tier'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward'))
    )
    op.create_table('points_account',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('balance', sa.Integer(), nullable=False),
    sa.Column('leaderboard_opt_in', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_points_account_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_points_account'))
    )
    with op.batch_alter_table('points_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_points_account_balance'), ['balance'], unique=False)

    op.create_table('reward_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reward_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fulfilled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('fulfilled_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('claimed', 'fulfilled', 'cancelled')", name=op.f('ck_reward_claim_known_status')),
    sa.ForeignKeyConstraint(['fulfilled_by_id'], ['user.id'], name=op.f('fk_reward_claim_fulfilled_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reward_id'], ['reward.id'], name=op.f('fk_reward_claim_reward_id_reward'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_reward_claim_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_claim')),
    sa.UniqueConstraint('reward_id', 'user_id', name=op.f('uq_reward_claim_reward_id_user_id'))
    )
    with op.batch_alter_table('reward_claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reward_claim_user_id'), ['user_id'], unique=False)

    op.create_table('tier_reached',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('tier_id', sa.Integer(), nullable=False),
    sa.Column('reached_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('celebrated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tier_id'], ['degree_tier.id'], name=op.f('fk_tier_reached_tier_id_degree_tier'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_tier_reached_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tier_reached')),
    sa.UniqueConstraint('user_id', 'tier_id', name=op.f('uq_tier_reached_user_id_tier_id'))
    )
    with op.batch_alter_table('tier_reached', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tier_reached_user_id'), ['user_id'], unique=False)

    op.create_table('degree_tier_badge',
    sa.Column('tier_id', sa.Integer(), nullable=False),
    sa.Column('badge_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['badge_id'], ['badge.id'], name=op.f('fk_degree_tier_badge_badge_id_badge'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tier_id'], ['degree_tier.id'], name=op.f('fk_degree_tier_badge_tier_id_degree_tier'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tier_id', 'badge_id', name=op.f('pk_degree_tier_badge'))
    )
    op.create_table('award',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('badge_id', sa.Integer(), nullable=False),
    sa.Column('badge_version_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('how', sa.String(length=8), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.Text(), nullable=False),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('private', sa.Boolean(), nullable=False),
    sa.Column('go_to', sa.Boolean(), nullable=False),
    sa.CheckConstraint("how IN ('earned', 'direct')", name=op.f('ck_award_known_how')),
    sa.ForeignKeyConstraint(['badge_id'], ['badge.id'], name=op.f('fk_award_badge_id_badge'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['badge_version_id'], ['badge_version.id'], name=op.f('fk_award_badge_version_id_badge_version'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user.id'], name=op.f('fk_award_issued_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user.id'], name=op.f('fk_award_revoked_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_award_submission_id_submission'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_award_user_id_user'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award')),
    sa.UniqueConstraint('public_id', name=op.f('uq_award_public_id')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_award_submission_id')),
    sa.UniqueConstraint('user_id', 'badge_version_id', name=op.f('uq_award_user_id_badge_version_id'))
    )
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.create_index('ix_award_badge_active', ['badge_id', 'revoked_at'], unique=False)
        batch_op.create_index('ix_award_user_active', ['user_id', 'revoked_at'], unique=False)

    op.create_table('ledger_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=120), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('award', 'review', 'plc_bonus', 'reward_bonus', 'adjustment', 'reversal')", name=op.f('ck_ledger_entry_known_kind')),
    sa.ForeignKeyConstraint(['award_id'], ['award.id'], name=op.f('fk_ledger_entry_award_id_award'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_ledger_entry_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_ledger_entry_user_id_user'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entry')),
    sa.UniqueConstraint('source', name=op.f('uq_ledger_entry_source'))
    )
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_entry_at', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entry_award_id'), ['award_id'], unique=False)
        batch_op.create_index('ix_ledger_entry_user_at', ['user_id', 'created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entry_user_at')
        batch_op.drop_index(batch_op.f('ix_ledger_entry_award_id'))
        batch_op.drop_index('ix_ledger_entry_at')

    op.drop_table('ledger_entry')
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.drop_index('ix_award_user_active')
        batch_op.drop_index('ix_award_badge_active')

    op.drop_table('award')
    op.drop_table('degree_tier_badge')
    with op.batch_alter_table('tier_reached', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tier_reached_user_id'))

    op.drop_table('tier_reached')
    with op.batch_alter_table('reward_claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reward_claim_user_id'))

    op.drop_table('reward_claim')
    with op.batch_alter_table('points_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_points_account_balance'))

    op.drop_table('points_account')
    op.drop_table('reward')
    op.drop_table('degree_tier')
