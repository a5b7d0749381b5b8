"""hardening: document uploaders, document batches, revoked UI sessions

Revision ID: 0009_hardening
Revises: 0008_review_trust
Create Date: 2026-12-06 05:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0009_hardening'
down_revision = '0008_review_trust'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'document_uploaders',
        sa.Column('document_id', sa.String(length=36), nullable=False),
        sa.Column('key_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['key_id'], ['api_keys.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('document_id', 'key_id'),
    )
    op.create_index(op.f('ix_document_uploaders_key_id'), 'document_uploaders', ['key_id'], unique=False)
    op.create_table(
        'document_batches',
        sa.Column('document_id', sa.String(length=36), nullable=False),
        sa.Column('batch', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('document_id', 'batch'),
    )
    op.create_index(op.f('ix_document_batches_batch'), 'document_batches', ['batch'], unique=False)
    # every document already uploaded with a batch belongs to it
    op.execute(
        "INSERT INTO document_batches (document_id, batch, at) "
        "SELECT id, batch, created_at FROM documents WHERE batch IS NOT NULL"
    )
    op.create_table(
        'revoked_sessions',
        sa.Column('cookie_hash', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('cookie_hash'),
    )
    op.create_index(op.f('ix_revoked_sessions_expires_at'), 'revoked_sessions', ['expires_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_revoked_sessions_expires_at'), table_name='revoked_sessions')
    op.drop_table('revoked_sessions')
    op.drop_index(op.f('ix_document_batches_batch'), table_name='document_batches')
    op.drop_table('document_batches')
    op.drop_index(op.f('ix_document_uploaders_key_id'), table_name='document_uploaders')
    op.drop_table('document_uploaders')
