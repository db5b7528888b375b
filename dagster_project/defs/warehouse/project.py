import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from dagster_project.marts_properties import write_properties
from dagster_project.settings import DBT_PROJECT_DIR

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def prepared_manifest() -> Path:
    """The dbt manifest; `make setup` parses it, this covers a missing one and a catalog changed since."""
    if write_properties() or not DBT_PROJECT.manifest_path.exists():
        dbt = Path(sys.executable).with_name("dbt")
        subprocess.run(
            [str(dbt), "parse", "--quiet", "--profiles-dir", str(DBT_PROJECT_DIR)],
            cwd=DBT_PROJECT_DIR, check=True,
        )
    return DBT_PROJECT.manifest_path
