"""Indexes that keep the case list, its search and the due page fast at a million cases.

- The status index goes on with the nearest deadline (the list's order) and the exploitation
  types instead of the time of the last change, which nothing sorts by alone: a status filter,
  with a type or not, is counted from the index and paged in order.
- One index holds everything the deadline filters and the due page test (alert date, nearest
  deadline, status and the exploitation types), so they are answered from the index alone; it
  replaces the index on the alert date only.
- On PostgreSQL a GIN index on the exploitation types serves the type filter combined with any
  other: there the list filters on the case's own JSON array, while SQLite, which cannot search
  inside JSON with an index, keeps using the `CaseExploitation` rows.
- The person's index takes the organisation too, replacing the foreign key's own index: SQLite,
  which keeps no planner statistics, otherwise searched by name and birth date through every
  case of the organisation.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

GIN_INDEX = "cases_case_exploitation_types_gin"


def create_gin_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {GIN_INDEX} ON cases_case USING gin (exploitation_types jsonb_path_ops)"
        )


def drop_gin_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_event_version_and_assignment_changes"),
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="case", name="cases_case_organis_9c7d8c_idx"),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["organisation", "status", "next_deadline_on", "exploitation_types"],
                name="cases_case_organis_fbbf28_idx",
            ),
        ),
        migrations.RemoveIndex(model_name="case", name="cases_case_organis_68750a_idx"),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=[
                    "organisation",
                    "deadline_alert_on",
                    "next_deadline_on",
                    "status",
                    "exploitation_types",
                ],
                name="cases_case_organis_26b75c_idx",
            ),
        ),
        migrations.RunPython(create_gin_index, drop_gin_index),
        migrations.AlterField(
            model_name="case",
            name="person",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="people.person",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["person", "organisation"], name="cases_case_person__3d9ea1_idx"
            ),
        ),
    ]
