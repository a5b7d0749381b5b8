"""records import vocabulary: the source's own status words and the values nothing could map

Revision ID: 0008_review_trust
Revises: 0007
Create Date: 2026-12-06 05:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008_review_trust'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('import_runs') as batch:
        batch.add_column(sa.Column('vocabulary', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('import_runs') as batch:
        batch.drop_column('vocabulary')
