"""govreports: China's government information disclosure annual reports as exact, tidy data.

>>> import govreports as gr
>>> r = gr.read_report("data/raw/000_d5266751c9a7ae67.txt")
>>> r.meta["organ"], int(r.figures.query("figure == 'proactive_total'").value.iloc[0])
('鸡东县人民政府办公室', 1470)
"""

from types import ModuleType

from govreports import io
from govreports.corpus import Corpus, read_reports
from govreports.io import read_processed
from govreports.report import Report, read_report
from govreports.simulate import simulate_corpus
from govreports.validate import fill_from_identities
from govreports.wide import to_wide

__all__ = [
    "Corpus",
    "Report",
    "__version__",
    "fetch",
    "fill_from_identities",
    "io",
    "read_processed",
    "read_report",
    "read_reports",
    "simulate_corpus",
    "to_wide",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> ModuleType:
    # The crawler (httpx, warcio) is imported on first use: parsing never pays for it.
    if name == "fetch":
        import govreports.fetch

        return govreports.fetch
    raise AttributeError(f"module 'govreports' has no attribute {name!r}")
