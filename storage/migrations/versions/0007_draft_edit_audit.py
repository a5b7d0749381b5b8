"""audit entries for draft field edits

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 19:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_log') as batch:
        batch.add_column(sa.Column('draft_id', sa.Integer(), nullable=True))
        batch.create_index(batch.f('ix_audit_log_draft_id'), ['draft_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_log') as batch:
        batch.drop_index(batch.f('ix_audit_log_draft_id'))
        batch.drop_column('draft_id')
