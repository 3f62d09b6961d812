from tests.accounts.conftest import clock  # noqa: F401  (fixtures)
from tests.records.conftest import clinic_today, reference_data, rich  # noqa: F401
