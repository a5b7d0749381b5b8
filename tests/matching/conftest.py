from tests.storage.conftest import db, engine  # noqa: F401  (the same real databases)
