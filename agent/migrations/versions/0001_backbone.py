"""backbone: inventory, tickets, journal, users, diagnoses, alarms, loop tests

Revision ID: 0001_backbone
Revises: 
Create Date: 2026-11-25 04:50:12.984289
"""
import sqlalchemy as sa
from alembic import op

import agent.db

revision = '0001_backbone'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alarm',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reduction_key', sa.String(length=255), nullable=False),
    sa.Column('device_name', sa.String(length=128), nullable=False),
    sa.Column('port_name', sa.String(length=128), nullable=True),
    sa.Column('alarm_type', sa.String(length=48), nullable=False),
    sa.Column('probable_cause', sa.String(length=128), nullable=False),
    sa.Column('perceived_severity', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('raised_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('cleared_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alarm'))
    )
    with op.batch_alter_table('alarm', schema=None) as batch_op:
        batch_op.create_index('ix_alarm_port_time', ['device_name', 'port_name', 'raised_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alarm_reduction_key'), ['reduction_key'], unique=False)

    op.create_table('api_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_user')),
    sa.UniqueConstraint('name', name=op.f('uq_api_user_name')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_user_token_hash'))
    )
    op.create_table('customer',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer'))
    )
    op.create_table('site',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site'))
    )
    op.create_table('ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('symptom', sa.String(length=32), nullable=False),
    sa.Column('circuit_id', sa.String(length=64), nullable=False),
    sa.Column('circuit_known', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_changed_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('status_change_reason', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('reporter_contact', sa.String(length=200), nullable=True),
    sa.Column('observed_impact', sa.String(length=16), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=True),
    sa.Column('channel', sa.String(length=64), nullable=True),
    sa.Column('reported_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('signed_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('signed_by', sa.String(length=128), nullable=True),
    sa.Column('dispatched_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('specialty', sa.String(length=128), nullable=True),
    sa.Column('contractor', sa.String(length=128), nullable=True),
    sa.Column('customer_contacted_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_progress_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('resolution_cause', sa.Text(), nullable=True),
    sa.Column('restoration_confirmed_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('restoration_confirmation', sa.String(length=32), nullable=True),
    sa.Column('closed_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('close_cause', sa.Text(), nullable=True),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket')),
    sa.UniqueConstraint('external_id', name=op.f('uq_ticket_external_id'))
    )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_circuit_created', ['circuit_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_circuit_id'), ['circuit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_status'), ['status'], unique=False)

    op.create_table('circuit',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('customer_id', sa.String(length=64), nullable=False),
    sa.Column('service_type', sa.String(length=32), nullable=False),
    sa.Column('rate_mbps', sa.Float(), nullable=False),
    sa.Column('lead_office', sa.String(length=200), nullable=True),
    sa.Column('cooperating_office', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_circuit_customer_id_customer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circuit'))
    )
    op.create_table('device',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('mgmt_address', sa.String(length=255), nullable=False),
    sa.Column('snmp_version', sa.String(length=4), nullable=True),
    sa.Column('snmp_port', sa.Integer(), nullable=True),
    sa.Column('snmp_community', sa.String(length=255), nullable=True),
    sa.Column('snmp_user', sa.String(length=255), nullable=True),
    sa.Column('snmp_auth_protocol', sa.String(length=16), nullable=True),
    sa.Column('snmp_auth_key', sa.String(length=255), nullable=True),
    sa.Column('snmp_priv_protocol', sa.String(length=16), nullable=True),
    sa.Column('snmp_priv_key', sa.String(length=255), nullable=True),
    sa.Column('cli_device_type', sa.String(length=64), nullable=True),
    sa.Column('cli_port', sa.Integer(), nullable=True),
    sa.Column('cli_username', sa.String(length=255), nullable=True),
    sa.Column('cli_password', sa.String(length=255), nullable=True),
    sa.Column('cli_secret', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_device_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device')),
    sa.UniqueConstraint('name', name=op.f('uq_device_name'))
    )
    op.create_table('diagnosis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('created_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('playbook', sa.String(length=48), nullable=False),
    sa.Column('verdict', sa.String(length=64), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('duration_ms', sa.Double(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_diagnosis_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diagnosis'))
    )
    with op.batch_alter_table('diagnosis', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diagnosis_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('external_identifier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('created_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_external_identifier_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_identifier')),
    sa.UniqueConstraint('external_id', name=op.f('uq_external_identifier_external_id'))
    )
    with op.batch_alter_table('external_identifier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_external_identifier_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('journal_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('author', sa.String(length=128), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=48), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_journal_entry_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_entry'))
    )
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_entry_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('loop_test',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('circuit_id', sa.String(length=64), nullable=False),
    sa.Column('device_name', sa.String(length=128), nullable=False),
    sa.Column('port_name', sa.String(length=128), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('requested_by', sa.String(length=128), nullable=False),
    sa.Column('requested_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('set_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('cleared_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('max_hold_seconds', sa.Integer(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_loop_test_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loop_test'))
    )
    with op.batch_alter_table('loop_test', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loop_test_circuit_id'), ['circuit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_loop_test_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_loop_test_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('party_role', sa.String(length=64), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=True),
    sa.Column('contact', sa.String(length=200), nullable=True),
    sa.Column('added_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_participant_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant')),
    sa.UniqueConstraint('ticket_id', 'name', 'party_role', name=op.f('uq_participant_ticket_id'))
    )
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participant_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('suspension',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', agent.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('requested_by', sa.String(length=128), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('local_fault', sa.Boolean(), nullable=False),
    sa.Column('customer_consent', sa.Boolean(), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=True),
    sa.Column('decided_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=128), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('resumed_at', agent.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_suspension_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suspension'))
    )
    with op.batch_alter_table('suspension', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suspension_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('port',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('if_index', sa.Integer(), nullable=True),
    sa.Column('transceiver', sa.String(length=64), nullable=True),
    sa.Column('wavelength_nm', sa.Integer(), nullable=True),
    sa.Column('rx_sensitivity_dbm', sa.Float(), nullable=True),
    sa.Column('rx_overload_dbm', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['device.id'], name=op.f('fk_port_device_id_device'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_port')),
    sa.UniqueConstraint('device_id', 'name', name=op.f('uq_port_device_id'))
    )
    with op.batch_alter_table('port', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_port_device_id'), ['device_id'], unique=False)

    op.create_table('segment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circuit_id', sa.String(length=64), nullable=False),
    sa.Column('index', sa.Integer(), nullable=False),
    sa.Column('a_port_id', sa.Integer(), nullable=False),
    sa.Column('z_port_id', sa.Integer(), nullable=False),
    sa.Column('length_km', sa.Float(), nullable=False),
    sa.Column('connectors', sa.Integer(), nullable=False),
    sa.Column('splices', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['a_port_id'], ['port.id'], name=op.f('fk_segment_a_port_id_port')),
    sa.ForeignKeyConstraint(['circuit_id'], ['circuit.id'], name=op.f('fk_segment_circuit_id_circuit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['z_port_id'], ['port.id'], name=op.f('fk_segment_z_port_id_port')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_segment')),
    sa.UniqueConstraint('circuit_id', 'index', name=op.f('uq_segment_circuit_id'))
    )
    with op.batch_alter_table('segment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_segment_circuit_id'), ['circuit_id'], unique=False)

    _journal_immutable_triggers()


JOURNAL_TRIGGERS_PG = """
CREATE OR REPLACE FUNCTION journal_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'journal_entry is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER journal_entry_no_update BEFORE UPDATE ON journal_entry
    FOR EACH ROW EXECUTE FUNCTION journal_entry_append_only();
CREATE TRIGGER journal_entry_no_delete BEFORE DELETE ON journal_entry
    FOR EACH ROW EXECUTE FUNCTION journal_entry_append_only();
"""


def _journal_immutable_triggers() -> None:
    """The journal is the legal record (追加信息): the database itself refuses UPDATE and DELETE."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(JOURNAL_TRIGGERS_PG)
    elif dialect == "sqlite":
        op.execute("CREATE TRIGGER journal_entry_no_update BEFORE UPDATE ON journal_entry "
                   "BEGIN SELECT RAISE(ABORT, 'journal_entry is append-only: UPDATE refused'); END")
        op.execute("CREATE TRIGGER journal_entry_no_delete BEFORE DELETE ON journal_entry "
                   "BEGIN SELECT RAISE(ABORT, 'journal_entry is append-only: DELETE refused'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS journal_entry_no_update ON journal_entry")
        op.execute("DROP TRIGGER IF EXISTS journal_entry_no_delete ON journal_entry")
    else:
        op.execute("DROP TRIGGER IF EXISTS journal_entry_no_update")
        op.execute("DROP TRIGGER IF EXISTS journal_entry_no_delete")
    with op.batch_alter_table('segment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_segment_circuit_id'))

    op.drop_table('segment')
    with op.batch_alter_table('port', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_port_device_id'))

    op.drop_table('port')
    with op.batch_alter_table('suspension', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suspension_ticket_id'))

    op.drop_table('suspension')
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_ticket_id'))

    op.drop_table('participant')
    with op.batch_alter_table('loop_test', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loop_test_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_loop_test_state'))
        batch_op.drop_index(batch_op.f('ix_loop_test_circuit_id'))

    op.drop_table('loop_test')
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_entry_ticket_id'))

    op.drop_table('journal_entry')
    with op.batch_alter_table('external_identifier', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_external_identifier_ticket_id'))

    op.drop_table('external_identifier')
    with op.batch_alter_table('diagnosis', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diagnosis_ticket_id'))

    op.drop_table('diagnosis')
    op.drop_table('device')
    op.drop_table('circuit')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_status'))
        batch_op.drop_index(batch_op.f('ix_ticket_circuit_id'))
        batch_op.drop_index('ix_ticket_circuit_created')

    op.drop_table('ticket')
    op.drop_table('site')
    op.drop_table('customer')
    op.drop_table('api_user')
    with op.batch_alter_table('alarm', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alarm_reduction_key'))
        batch_op.drop_index('ix_alarm_port_time')

    op.drop_table('alarm')
