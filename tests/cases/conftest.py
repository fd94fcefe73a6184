from tests.cases.fixtures import world  # noqa: F401
