"""What the JSON routes answer, as pydantic models: FastAPI publishes them at /docs and /openapi.json and holds
every answer to them. Invoice and reconciliation lines are the CLI's contract models (``fapiao.core.contract``,
``fapiao.matching.contract``) with the service's ids added; the rest are small explicit models, one module per
router. Every model forbids unknown keys, so a field a route adds without its model fails loudly in the tests
instead of being dropped from the answer."""
