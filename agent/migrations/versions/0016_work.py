"""work across processes: the region of a site (collectors per region), the job a diagnosis came from

``site.region``: the collectors of a region (queue ``poll.<region>``) read only the devices of the
sites in it. ``diagnosis.job_key``: the queue job that stored the diagnosis, unique, so that a job run
again after its worker died stores its diagnosis once.

Revision ID: 0016_work
Revises: 0015_procrastinate
"""
import sqlalchemy as sa
from alembic import op

revision = "0016_work"
down_revision = "0015_procrastinate"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("site") as batch:
        batch.add_column(sa.Column("region", sa.String(length=64), nullable=False, server_default="default"))
    with op.batch_alter_table("diagnosis") as batch:
        batch.add_column(sa.Column("job_key", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_diagnosis_job_key", ["job_key"])


def downgrade() -> None:
    with op.batch_alter_table("diagnosis") as batch:
        batch.drop_constraint("uq_diagnosis_job_key", type_="unique")
        batch.drop_column("job_key")
    with op.batch_alter_table("site") as batch:
        batch.drop_column("region")
