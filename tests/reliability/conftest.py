"""The reliability suite reuses the integration suite's moto server (real boto3 over HTTP on 127.0.0.1)."""

from tests.integration.conftest import moto, moto_server  # noqa: F401 - fixtures
from tests.tui.conftest import app_for  # noqa: F401,E402 - fixture
