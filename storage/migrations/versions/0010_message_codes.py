"""message codes: the code and parameters beside each stored message a person reads

Revision ID: 0010_message_codes
Revises: 0009_hardening
Create Date: 2026-12-06 09:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0010_message_codes'
down_revision = '0009_hardening'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # rows stored before keep their English text and no code: a UI shows the text as it is
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error_code', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('error_params', sa.JSON(), nullable=True))
    with op.batch_alter_table('import_row_errors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_code', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('reason_params', sa.JSON(), nullable=True))
    with op.batch_alter_table('draft_transitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note_codes', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('draft_transitions', schema=None) as batch_op:
        batch_op.drop_column('note_codes')
    with op.batch_alter_table('import_row_errors', schema=None) as batch_op:
        batch_op.drop_column('reason_params')
        batch_op.drop_column('reason_code')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('error_params')
        batch_op.drop_column('error_code')
