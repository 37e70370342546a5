"""orders: resource checks (资源核查) with their department items, circuit orders (电路调单) with steps,
limit periods, delay requests (延期申请) and acceptance tests (测试报竣); one journal of both

Revision ID: 0011_orders
Revises: 0010_reports
"""
import sqlalchemy as sa
from alembic import op

import agent.db


revision = '0011_orders'
down_revision = '0010_reports'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('resource_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('upstream_id', sa.String(length=128), nullable=True),
    sa.Column('customer', sa.String(length=200), nullable=False),
    sa.Column('a_site', sa.String(length=200), nullable=False),
    sa.Column('z_site', sa.String(length=200), nullable=False),
    sa.Column('service_type', sa.String(length=32), nullable=False),
    sa.Column('rate_mbps', sa.Float(), nullable=False),
    sa.Column('wanted_date', sa.String(length=10), nullable=True),
    sa.Column('access_device', sa.String(length=128), nullable=True),
    sa.Column('proposal', sa.JSON(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('requested_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('requested_by', sa.String(length=128), nullable=False),
    sa.Column('distribute_due_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('due_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('distributed_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('fed_back_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('fits', sa.Boolean(), nullable=True),
    sa.Column('reasons', sa.JSON(), nullable=True),
    sa.Column('measurement', sa.JSON(), nullable=True),
    sa.Column('ledger', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_check')),
    sa.UniqueConstraint('upstream_id', name=op.f('uq_resource_check_upstream_id'))
    )
    op.create_table('circuit_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('upstream_id', sa.String(length=128), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('circuit_id', sa.String(length=64), nullable=False),
    sa.Column('customer_id', sa.String(length=64), nullable=False),
    sa.Column('customer_name', sa.String(length=200), nullable=False),
    sa.Column('service_type', sa.String(length=32), nullable=False),
    sa.Column('rate_mbps', sa.Float(), nullable=False),
    sa.Column('office_role', sa.String(length=16), nullable=False),
    sa.Column('lead_office', sa.String(length=200), nullable=True),
    sa.Column('cooperating_office', sa.String(length=200), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('received_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('original_due_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('due_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('overtimes', sa.Integer(), nullable=False),
    sa.Column('resource_check_id', sa.Integer(), nullable=True),
    sa.Column('design', sa.JSON(), nullable=False),
    sa.Column('ledger', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['resource_check_id'], ['resource_check.id'], name=op.f('fk_circuit_order_resource_check_id_resource_check')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circuit_order')),
    sa.UniqueConstraint('upstream_id', name=op.f('uq_circuit_order_upstream_id'))
    )
    with op.batch_alter_table('circuit_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circuit_order_circuit_id'), ['circuit_id'], unique=False)

    op.create_table('resource_check_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=64), nullable=False),
    sa.Column('sent_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('due_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sa.String(length=128), nullable=True),
    sa.Column('fits', sa.Boolean(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('chase_count', sa.Integer(), nullable=False),
    sa.Column('last_chased_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['check_id'], ['resource_check.id'], name=op.f('fk_resource_check_item_check_id_resource_check'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_check_item')),
    sa.UniqueConstraint('check_id', 'department', name=op.f('uq_resource_check_item_check_id'))
    )
    with op.batch_alter_table('resource_check_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_check_item_check_id'), ['check_id'], unique=False)

    op.create_table('acceptance_test',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('template', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('started_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('window_seconds', sa.Float(), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('indicators', sa.JSON(), nullable=True),
    sa.Column('readings', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('tester', sa.String(length=128), nullable=True),
    sa.Column('tester_signed_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('customer_signer', sa.String(length=128), nullable=True),
    sa.Column('customer_signed_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['circuit_order.id'], name=op.f('fk_acceptance_test_order_id_circuit_order'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acceptance_test'))
    )
    with op.batch_alter_table('acceptance_test', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acceptance_test_order_id'), ['order_id'], unique=False)

    op.create_table('activation_journal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('check_id', sa.Integer(), nullable=True),
    sa.Column('at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('author', sa.String(length=128), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=48), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['check_id'], ['resource_check.id'], name=op.f('fk_activation_journal_check_id_resource_check'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['circuit_order.id'], name=op.f('fk_activation_journal_order_id_circuit_order'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activation_journal'))
    )
    with op.batch_alter_table('activation_journal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activation_journal_check_id'), ['check_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activation_journal_order_id'), ['order_id'], unique=False)

    op.create_table('delay_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('cause', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('filed_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('filed_by', sa.String(length=128), nullable=False),
    sa.Column('limit_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('requested_due_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('refusal', sa.String(length=32), nullable=True),
    sa.Column('approved_due_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=128), nullable=True),
    sa.Column('chain', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['circuit_order.id'], name=op.f('fk_delay_request_order_id_circuit_order'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delay_request'))
    )
    with op.batch_alter_table('delay_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delay_request_order_id'), ['order_id'], unique=False)

    op.create_table('order_limit_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('due_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('excused', sa.Boolean(), nullable=False),
    sa.Column('overtime_counted_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['circuit_order.id'], name=op.f('fk_order_limit_period_order_id_circuit_order'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_limit_period')),
    sa.UniqueConstraint('order_id', 'seq', name=op.f('uq_order_limit_period_order_id'))
    )
    with op.batch_alter_table('order_limit_period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_limit_period_order_id'), ['order_id'], unique=False)

    op.create_table('order_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=32), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('starts_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('warn_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('due_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('done_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.String(length=128), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('warned_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['circuit_order.id'], name=op.f('fk_order_step_order_id_circuit_order'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_step')),
    sa.UniqueConstraint('order_id', 'step', name=op.f('uq_order_step_order_id'))
    )
    with op.batch_alter_table('order_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_step_order_id'), ['order_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('order_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_step_order_id'))

    op.drop_table('order_step')
    with op.batch_alter_table('order_limit_period', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_limit_period_order_id'))

    op.drop_table('order_limit_period')
    with op.batch_alter_table('delay_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delay_request_order_id'))

    op.drop_table('delay_request')
    with op.batch_alter_table('activation_journal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activation_journal_order_id'))
        batch_op.drop_index(batch_op.f('ix_activation_journal_check_id'))

    op.drop_table('activation_journal')
    with op.batch_alter_table('acceptance_test', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acceptance_test_order_id'))

    op.drop_table('acceptance_test')
    with op.batch_alter_table('resource_check_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_check_item_check_id'))

    op.drop_table('resource_check_item')
    with op.batch_alter_table('circuit_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circuit_order_circuit_id'))

    op.drop_table('circuit_order')
    op.drop_table('resource_check')
