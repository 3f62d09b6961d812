"""Synthetic, OpenEMR-shaped data for the demo and for benchmarks (`manage.py fake_openemr`).

Nothing here is real: names, addresses and phone numbers are invented (555 numbers, example.org mail), and
the clinical reference data (CVX, LOINC, ICD-10, RxNorm codes) only serves to make rows look like what an
OpenEMR clinic stores, including the ugly rows a portal must survive (schema doc §0.4, §2).

The generator never touches the ORM: records models are read-only by design (portal.routers). Rows are
written with raw SQL through a writable connection (devtools.fakedata.writer).
"""

from devtools.fakedata.generator import Generator, GeneratorOptions  # noqa: F401
from devtools.fakedata.writer import TableWriter  # noqa: F401
