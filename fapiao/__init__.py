"""fapiao: reads Chinese VAT invoices (发票), verifies them with the tax system's rules, and finds the ones
missing from your records. The source folders at the repository's top level are mapped under this package
(``fapiao.core``, ``fapiao.ocr``, ``fapiao.intake`` …) by ``pyproject.toml``."""

__version__ = "0.2.0"
